"""Case files: reading YAML, checking it against the schemas, caching, finding them."""
