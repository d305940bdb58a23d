"""GitHub, read for what services report on commits (Bug0 posts its results there).

Not a run provider: a reader composed into the Bug0 source. `wire.py` is what GitHub answers
(a commit's combined status, its check runs, the rate limit), `api.py` the endpoints (conditional
requests with ETags, the token sent only to `api_url`), `reported.py` a status or a check run in
qa-tui's words, `reader.py` the polite reading of many commits (`CommitStatuses`: paced, backing
off, never waiting), `token.py` which token (the config's, else `gh auth token`), and
`session.py` builds the reader from `[github]`. It knows no other provider.
"""

from qa_tui.core.providers.github.api import DEFAULT_API_URL, NAME, GitHubApi
from qa_tui.core.providers.github.reader import CommitReading, CommitRef, CommitStatuses
from qa_tui.core.providers.github.reported import Reported
from qa_tui.core.providers.github.token import FROM_CONFIG, FROM_GH, GitHubToken, find_token

__all__ = [
    "DEFAULT_API_URL",
    "FROM_CONFIG",
    "FROM_GH",
    "NAME",
    "CommitReading",
    "CommitRef",
    "CommitStatuses",
    "GitHubApi",
    "GitHubToken",
    "Reported",
    "find_token",
]
