"""Bug0: runs triggered on one project, as a trigger-only `RunSource` (Bug0 has no read API).

`wire.py` is what the one endpoint is sent and answers, `api.py` the endpoint itself (and the
auth styles), `normalize.py` turns a trigger recorded on this machine into a `Run`, and
`source.py` composes them, with the `TriggerLog` it is given, into `Bug0Source`. No class here
inherits from another of this package.
"""

from qa_tui.core.providers.bug0.api import (
    DEFAULT_BASE_URL,
    DEFAULT_REQUESTS_PER_MINUTE,
    NO_READ_API,
    RUN_TESTS_PATH,
    Bug0Api,
    auth_headers,
)
from qa_tui.core.providers.bug0.normalize import NO_STATUS_NOTE, TRIGGERED, record_to_run
from qa_tui.core.providers.bug0.source import Bug0Source

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_REQUESTS_PER_MINUTE",
    "NO_READ_API",
    "NO_STATUS_NOTE",
    "RUN_TESTS_PATH",
    "TRIGGERED",
    "Bug0Api",
    "Bug0Source",
    "auth_headers",
    "record_to_run",
]
