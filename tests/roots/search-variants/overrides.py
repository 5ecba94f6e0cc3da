site_search_variants = "variants.yaml"
