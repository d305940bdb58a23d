"""BugBrain (executions API, generation A): one project's executions as a `RunSource`.

`wire.py` reads BugBrain's payloads tolerantly, `api.py` holds one stateless method per endpoint
(and the auth generations), `normalize.py` turns executions into `Run`s and their test results
into `Step`s, `memory.py` keeps what the lists taught (their shape, where each walk stands),
`discovery.py` serves the engine's sweeps; `source.py` composes them into `BugBrainSource`.
No class here inherits from another of this package.
"""

from qa_tui.core.providers.bugbrain.api import (
    DEFAULT_BASE_URL,
    DEFAULT_REQUESTS_PER_MINUTE,
    BugBrainApi,
    auth_headers,
)
from qa_tui.core.providers.bugbrain.memory import BugBrainMemory
from qa_tui.core.providers.bugbrain.normalize import execution_to_run, plan_name
from qa_tui.core.providers.bugbrain.source import BugBrainSource

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_REQUESTS_PER_MINUTE",
    "BugBrainApi",
    "BugBrainMemory",
    "BugBrainSource",
    "auth_headers",
    "execution_to_run",
    "plan_name",
]
