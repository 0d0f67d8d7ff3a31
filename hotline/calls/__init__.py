"""Calls: the one parser of a call body, intake, read views, telephony events, privacy."""
