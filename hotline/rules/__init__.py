"""Load and validate routing_rules/: the RuleSet, the YAML reader, schemas, jurisdiction
sync, agency directory edits, reload."""
