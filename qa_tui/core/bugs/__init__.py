"""Filing bugs so that none is lost and none is filed twice: the durable outbox
(`outbox.py` over `db.py`), when to retry or look a report up first (`rules.py`), what it
holds in counts (`tally.py`), and a report written from a failed run (`triage.py`).
"""
