"""What users touch: the CLI, the HTML report and the HTTP API. Nothing imports this layer."""
