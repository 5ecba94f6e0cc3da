html_static_path = ["_static"]
html_css_files = ["site.css"]
