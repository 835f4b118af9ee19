"""Options for external selects (``block_suggestion``)."""
