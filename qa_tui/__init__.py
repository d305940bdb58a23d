"""qa-tui: one terminal cockpit over hosted QA runs."""

__version__ = "0.1.0"
