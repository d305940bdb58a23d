"""Is each provider usable, and why not: `qa-tui doctor`'s checks (`checks.py`) and what the
health panel says of each provider, its budget and the fix for a failure (`health.py`).
"""
