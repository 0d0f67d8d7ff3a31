"""Escalation: ladders (the escalation.yaml loader), pure decisions about what is due
(policy), the actions a step takes (actions), the sweep that runs them (sweep), metrics."""
