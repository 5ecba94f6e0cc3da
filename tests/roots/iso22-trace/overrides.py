trace_required_links = {"measure": [["nisc"], ["iso"], ["iso22"]]}
trace_link_reasons = {"iso": "iso_reason", "iso22": "iso22_reason"}
