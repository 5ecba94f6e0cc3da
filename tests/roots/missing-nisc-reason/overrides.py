trace_link_reasons = {"iso": "iso_reason", "measure.nisc": "nisc_reason"}
