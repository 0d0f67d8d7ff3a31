"""The `hotline` command."""
