"""The one HTTP layer every provider client goes through: the session (`session.py`: retries,
classification into the error tree), what a provider says of its rate limit however it spells it
(`rate_headers.py`), secrets kept out of anything shown (`redaction.py`), the request budget every
request takes a token from (`budget.py`), paging in every reading of the docs (`paging.py`),
tolerant reading of payloads (`wire.py`), and bodies read within a size (`capped.py`). It knows
no provider: the providers build on it.
"""
