"""Use cases. Routes, web views and the CLI call these; these call the store."""
