"""Request handlers: operator, agency, supervisor and admin pages, and the JSON API."""
