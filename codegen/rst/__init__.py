"""Reference page (reStructuredText) → shape tree."""
