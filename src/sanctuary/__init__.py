"""sanctuary: executable, verifiable sanctuary rules for outside requests to police data."""

__version__ = "0.1.0"
