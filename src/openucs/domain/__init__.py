"""Pure domain: models, enums, formats and the query language. Imports nothing of ours but errors."""
