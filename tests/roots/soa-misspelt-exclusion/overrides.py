trace_soa_files = {"iso": "soa.yaml", "nisc": "soa-nisc.yaml"}
trace_soa_complete = True
