"""How qa-tui says things to a person: a failure in words, never an exception's name
(`errors.py`), and a run's status inside a sentence (`statuses.py`).
"""
