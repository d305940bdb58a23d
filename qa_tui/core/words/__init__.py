"""How qa-tui says things: a failure in words, never an exception's name (`errors.py`), a
run's status inside a sentence (`statuses.py`), and one format for every moment and one rule
for how long a run took (`times.py`).
"""
