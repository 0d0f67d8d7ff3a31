"""Routing: call facts, category suggestions (classification), the compiled rules.yaml and
its loader, decide() (pure) and its explanation."""
