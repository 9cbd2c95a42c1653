"""Built-in workflow templates as YAML data files (read by `workflows.catalog`)."""
