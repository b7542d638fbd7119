"""Pure domain: models, enums, formats and the query language (imports only errors)."""
