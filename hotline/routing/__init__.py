"""Routing rules: loading and validating routing_rules/, the jurisdiction tree, decisions."""
