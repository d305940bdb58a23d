"""The Textual app: it renders what the core knows and sends the user's actions back to it.

A folder per capability: `runs/` (the dashboard and its live table, starting, stopping and
re-running), `detail/` (one run drilled into), `bugs/` (the bug form, the outbox, filing from a
run or an incident), `history/` (the HISTORY cell, compare, incidents), `shots/` (screenshots and
how this terminal draws them) and `health/` (the header's health line and the `h` panel). What
every screen shares sits here: the app and its messages, the one list of actions
(`bindings.py`) with the palette and the help screen, the confirm dialog, list keys, the
run → cells rendering, notices, and the terminal writer that sends only the cells that changed.
Widgets render, workers fetch: no module here does raw I/O (an import-linter contract).
"""
