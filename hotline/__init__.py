"""hotline: intake and referral router for protection hotlines."""

__version__ = "0.1.0"
