trace_required_when = {"source=paper": ["paper_ref"]}
