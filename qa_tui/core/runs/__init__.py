"""Runs as the app and the commands hold them: the store that applies a batch and says
what changed (`store.py`), the raw status of each provider read into one vocabulary
(`status.py`), the filter language (`query.py`), and the table's order kept up to date
(`ordering.py`).
"""
