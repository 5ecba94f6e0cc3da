trace_soa_complete = True
