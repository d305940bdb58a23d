"""Bug0 (shared/providers.md §2) as a trigger-only `RunSource`.

The source is composed: `api.Bug0Api` (the one endpoint), `normalize` (a trigger record →
`Run`) and the `TriggerLog` it is given (what this machine triggered: Bug0's only memory, on
disk). Quirks this module absorbs:
- There is exactly one public endpoint, `POST {base}/api/run-tests`, and no way to read a run
  (api.py). So a triggered run lives on this machine only: each trigger is written to the
  `TriggerLog` (execution id, when, the fields sent; a URL's credentials dropped:
  `without_secrets`) and `list_runs` reads it back. A triggered run is QUEUED with the raw word
  "triggered", `pollable=False`, and a note saying why; it is never polled (normalize.py).
- Every body field is a string; `prNumber` too ("42"), whatever type the caller passes (wire.py).
- `check()` cannot verify the credentials without triggering a run: see its docstring.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.errors import AuthFailed, NotFound, RequestRejected, Unsupported
from qa_tui.core.http.session import ProviderHttp
from qa_tui.core.model import PaneData, ProviderKind, Run, RunDetail, RunStatus
from qa_tui.core.providers.base import Capabilities, RunPage
from qa_tui.core.providers.bug0.api import NO_READ_API, RUN_TESTS_PATH, Bug0Api
from qa_tui.core.providers.bug0.normalize import record_to_run
from qa_tui.core.providers.bug0.wire import trigger_fields
from qa_tui.core.providers.triggers import TriggerLog


def without_secrets(fields: dict[str, str]) -> dict[str, str]:
    """The fields to keep on disk: a URL's `user:password@` part is dropped."""
    kept = dict(fields)
    url = kept.get("url")
    if url:
        parts = urlsplit(url)
        if parts.username is not None or parts.password is not None:
            host = parts.hostname or ""
            netloc = f"{host}:{parts.port}" if parts.port else host
            kept["url"] = urlunsplit(parts._replace(netloc=netloc))
    return kept


class Bug0Source:
    """Runs triggered on one Bug0 project, as recorded on this machine."""

    kind = ProviderKind.BUG0
    capabilities = Capabilities(
        list_runs=True,  # from the local TriggerLog, never the network
        run_status=False,
        stop=False,
        rerun=True,
        start=True,
        steps=False,
    )
    catalogue_reads = 0
    """Bug0 has no catalogue to read."""

    def __init__(
        self,
        name: str,
        http: ProviderHttp,
        *,
        project_id: str,
        triggers: TriggerLog,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.name = name
        self.http = http
        self.budget = http.budget
        self.api = Bug0Api(name, http)
        self.project_id = project_id
        self.triggers = triggers
        self._clock = clock

    def __repr__(self) -> str:
        return f"Bug0Source(name={self.name!r}, project_id={self.project_id!r})"

    async def trigger(
        self,
        url: str | None = None,
        git_commit_sha: str | None = None,
        git_branch: str | None = None,
        pr_number: str | int | None = None,
        owner: str | None = None,
        repo: str | None = None,
    ) -> Run:
        """`POST /api/run-tests` with every field that is set (empty strings are left out);
        records the trigger and returns the run."""
        given = {
            "url": url,
            "git_commit_sha": git_commit_sha,
            "git_branch": git_branch,
            "pr_number": pr_number,
            "owner": owner,
            "repo": repo,
        }
        return await self._trigger(self.project_id, trigger_fields(given))

    async def _trigger(self, project_id: str, fields: dict[str, str]) -> Run:
        execution_id = await self.api.run_tests(project_id, fields)
        record = self.triggers.record(
            self.name, execution_id, project_id, self._clock.now(), without_secrets(fields)
        )
        return record_to_run(self.name, record)

    async def list_runs(
        self, *, limit: int = 100, status: RunStatus | None = None, since: datetime | None = None
    ) -> RunPage:
        """The runs triggered from this machine, newest first (no network call)."""
        if status is not None and status is not RunStatus.QUEUED:
            return RunPage()  # a triggered run is never seen to move on
        records = self.triggers.records(self.name, limit=limit, since=since)
        return RunPage(runs=[record_to_run(self.name, r) for r in records])

    async def refresh_run(self, run: Run) -> Run:
        """Nothing to ask Bug0: the recorded run (or the run itself) comes back unchanged."""
        record = self.triggers.get(self.name, run.id)
        return run if record is None else record_to_run(self.name, record)

    async def get_run(self, run_id: str) -> Run:
        record = self.triggers.get(self.name, run_id)
        if record is None:
            raise NotFound(
                self.name, f"run {run_id} was not triggered from this machine ({NO_READ_API})"
            )
        return record_to_run(self.name, record)

    async def stop_run(self, run: Run) -> Run:
        raise Unsupported(self.name, "Bug0 has no API to stop a run")

    async def rerun(self, run: Run) -> Run:
        """Trigger again with the fields recorded for this run."""
        record = self.triggers.get(self.name, run.id)
        if record is None:
            raise NotFound(self.name, f"no local record of run {run.id}: its fields are unknown")
        return await self._trigger(record.project_id, dict(record.fields))

    async def run_detail(self, run: Run) -> RunDetail:
        return RunDetail(
            run=run,
            steps=PaneData(unavailable=NO_READ_API),
            children=PaneData(unavailable=NO_READ_API),
            artifacts=PaneData(unavailable=NO_READ_API),
            analysis=PaneData(unavailable=NO_READ_API),
        )

    async def fetch_log(self, run: Run) -> str:
        raise Unsupported(self.name, NO_READ_API)

    async def fetch_junit(self, run: Run) -> bytes:
        raise Unsupported(self.name, NO_READ_API)

    async def download(self, url: str, *, max_bytes: int | None = None) -> bytes:
        raise Unsupported(self.name, "Bug0 gives no file URLs through its API")

    async def check(self) -> str:
        """Reachability only: Bug0 has no read endpoint, and doctor must never trigger a run.

        Sends `GET /api/run-tests` (a POST-only endpoint, so nothing runs) and reads the answer:
        any HTTP answer proves the host is reachable; a 405 (or 2xx) also shows the endpoint is
        there. A 401/403/404 to a GET proves nothing about the key or the project (the real
        service may refuse GETs that way), so it is reported as such, not as a failure. Network
        errors and 5xx raise as usual. The key and project id stay unverified.
        """
        unverified = "credentials and project id cannot be verified without triggering a run"
        try:
            await self.api.knock()
        except RequestRejected as exc:
            if exc.status_code == 405:
                return f"reachable: {RUN_TESTS_PATH} answers (405 to GET); {unverified}"
            return f"reachable: GET {RUN_TESTS_PATH} answered {exc.status_code}; {unverified}"
        except (AuthFailed, NotFound) as exc:
            return (
                f"host reachable, but GET {RUN_TESTS_PATH} answered {exc.status_code}, "
                f"which says nothing certain about a POST; {unverified}"
            )
        return f"reachable: {RUN_TESTS_PATH} answers; {unverified}"

    async def aclose(self) -> None:
        await self.http.aclose()
