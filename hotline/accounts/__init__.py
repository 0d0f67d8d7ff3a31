"""Accounts: principals, passwords, tokens, users, the audit log."""
