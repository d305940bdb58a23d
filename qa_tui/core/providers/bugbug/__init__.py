"""BugBug (Public API v2): test runs and suite runs, as one `RunSource` built by composition.

`wire.py` reads BugBug's payloads tolerantly (`durations.py` its duration strings), `api.py` holds
one stateless method per endpoint, `normalize.py` turns wire models into `Run`, `Step` and
`Artifact`, `memory.py` keeps everything BugBug said once and does not repeat (suite ids of runs,
step counts of tests, profile names, failures read, finished steps, the shape of its lists),
`discovery.py` serves the engine's sweeps and `profiles.py` reads run profile names; `source.py`
composes them into `BugBugSource`. No class here inherits from another of this package.
"""

from qa_tui.core.providers.bugbug.api import (
    API_PREFIX,
    DEFAULT_BASE_URL,
    DEFAULT_REQUESTS_PER_MINUTE,
    BugBugApi,
    auth_headers,
)
from qa_tui.core.providers.bugbug.memory import BugBugMemory
from qa_tui.core.providers.bugbug.normalize import to_run
from qa_tui.core.providers.bugbug.source import BugBugSource

__all__ = [
    "API_PREFIX",
    "DEFAULT_BASE_URL",
    "DEFAULT_REQUESTS_PER_MINUTE",
    "BugBugApi",
    "BugBugMemory",
    "BugBugSource",
    "auth_headers",
    "to_run",
]
