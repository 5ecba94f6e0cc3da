trace_params_file = "params.yaml"
trace_explained_types = ["policy", "measure", "req"]
