"""Referrals: the lifecycle (state machine) and signed one-click links."""
