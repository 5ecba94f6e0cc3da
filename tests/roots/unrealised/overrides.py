trace_required_backlinks = {"req": ["realises"], "rev": ["realises"]}
