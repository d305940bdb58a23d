"""Notifications that reach the user where they are: over SSH, inside tmux, on another window.

Rules (`rules.py`) turn the engine's change batches and the providers' health into `Notice`s: a
watched run ended, a run failed whose test last passed here ("new failure"), a suite or plan
ended, a provider stayed unhealthy too long; runs already over when first seen never notify, so
opening qa-tui is quiet. "Last passed here" reads what this process and the local run cache saw;
qa-tui keeps no longer history yet, so nothing is known as flaky and no rule pretends it is. The
watch list (`watchlist.py`, sqlite in the data dir) holds watched runs and watched tests, suites
and plans. `sequences.py` writes a notice as the terminal's own notification (OSC 9, OSC 777,
kitty's OSC 99, always a BEL; wrapped for tmux passthrough), from text `plain.py` reduced to
plain characters first. `delivery.py` sends it: those bytes to a writer the caller hands in, and
a desktop notifier only on a local session. `center.py` ties them together for the app and the
headless commands. Nothing here imports Textual, and this file imports nothing (the config
reads `settings.py` and stays cheap to load).
"""
