trace_covering_types = ["measure"]
trace_explained_types = ["measure"]
