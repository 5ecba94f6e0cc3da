trace_explained_types = ["measure"]
