"""Translations (gettext), the terms templates translate from data, Vietnamese text folding."""
