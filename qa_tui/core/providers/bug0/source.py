"""Bug0 (shared/providers.md §2) as a `RunSource` whose results are read on GitHub.

The source is composed: `api.Bug0Api` (the one endpoint), `normalize` (a trigger record →
`Run`), `results` (what Bug0's GitHub status says of a run), the `TriggerLog` it is given (what
this machine triggered: Bug0's only memory, on disk) and the `CommitStatuses` reader it is given
(GitHub, core/providers/github). Quirks this module absorbs:
- There is exactly one public endpoint, `POST {base}/api/run-tests`, and no way to read a run
  (api.py). So a triggered run lives on this machine only: each trigger is written to the
  `TriggerLog` (execution id, when, the fields sent, commit and repository among them; a URL's
  credentials dropped: `without_secrets`) and `list_runs` reads it back.
- Its result goes to Bug0's integrations; a trigger carrying `gitCommitSha`, `owner` and `repo`
  gets a commit status on that commit from Bug0's GitHub integration. `list_runs` reads the
  commits of the runs not ended yet from GitHub (paced, conditional, never waiting: reader.py)
  and each run takes what Bug0's status says (results.py); a final result is written to the
  trigger log, so it stays after a restart and whatever the commit says later. A trigger without
  a commit stays "triggered", unfollowed, its note saying why (normalize.py). What fails on
  GitHub does not stop the listing: it is the source's `trouble_elsewhere()`, and each waiting
  run's note says it.
- Every body field is a string; `prNumber` too ("42"), whatever type the caller passes (wire.py).
- `check()` cannot verify the credentials without triggering a run: see its docstring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from qa_tui.core.clock import SYSTEM_CLOCK, Clock
from qa_tui.core.errors import (
    AuthFailed,
    NotFound,
    ProviderError,
    RateLimited,
    RequestRejected,
    Unsupported,
)
from qa_tui.core.http.session import ProviderHttp
from qa_tui.core.model import PaneData, ProviderKind, Run, RunDetail, RunStatus
from qa_tui.core.providers.base import Capabilities, RunPage, Trouble
from qa_tui.core.providers.bug0.api import NO_READ_API, RUN_TESTS_PATH, Bug0Api
from qa_tui.core.providers.bug0.normalize import record_to_run
from qa_tui.core.providers.bug0.results import (
    DEFAULT_CONTEXT,
    Verdict,
    commit_of,
    missing_git_fields,
    verdict_for,
)
from qa_tui.core.providers.bug0.wire import trigger_fields
from qa_tui.core.providers.github import CommitRef, CommitStatuses
from qa_tui.core.providers.triggers import TriggerLog, TriggerRecord

GITHUB = "GitHub"


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


def no_commit_note(missing: str) -> str:
    """Why a trigger without a commit (`missing`: `commit, owner or repo`) has no result to read."""
    return (
        f"no result to follow: this trigger carried no {missing}, and Bug0 reports a run's "
        "result as a GitHub commit status only on the commit it is given (else only to its own "
        "integrations: Slack, email)"
    )


def no_token_note(ref: CommitRef, why: str) -> str:
    return f"Bug0 posts this run's result as a commit status on {ref}; {why or 'no GitHub token'}"


def waiting_note(ref: CommitRef, context_glob: str, error: ProviderError | None) -> str:
    """What a run with a commit and no Bug0 status yet is waiting for (and what failed)."""
    note = f"waiting for Bug0's status on GitHub: {ref}, a context matching {context_glob}"
    if error is not None:
        note += f"; reading it failed: {error.kind.value}: {error.message}"
    return note


def fix_key_for(error: ProviderError) -> str:
    """The `[github]` key that usually fixes `error`."""
    if isinstance(error, AuthFailed | NotFound):
        return "[github] token"
    if isinstance(error, RateLimited):
        return "[github] requests_per_minute"
    return "[github] api_url"


class Bug0Source:
    """Runs triggered on one Bug0 project, as recorded on this machine, with Bug0's results
    read from their commits' GitHub statuses."""

    kind = ProviderKind.BUG0
    capabilities = Capabilities(
        list_runs=True,  # the local TriggerLog, and GitHub for their results
        run_status=False,  # nothing of Bug0's own proves its key: the chip stays unverified
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
        statuses: CommitStatuses | None = None,
        status_context: str | None = None,
    ) -> None:
        """`statuses`: where Bug0's results are read (None: nowhere, every run stays
        triggered); `status_context`: which statuses are Bug0's (a glob, `*bug0*`)."""
        self.name = name
        self.http = http
        self.budget = http.budget
        self.api = Bug0Api(name, http)
        self.project_id = project_id
        self.triggers = triggers
        self.statuses = statuses
        if statuses is not None:
            statuses.join()
        self.status_context = status_context or DEFAULT_CONTEXT
        self._clock = clock
        self._following: set[CommitRef] = set()
        """The commits of the runs listed last that wait for a result."""
        self._starts: dict[str, datetime] = {}
        """Execution id → the earliest start its status showed (a final status's time is its
        end: the start is kept from when it said pending)."""

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
        return self._run(record)

    def cannot_follow(self, fields: Mapping[str, str]) -> str | None:
        """Why a trigger with these body fields could never be followed to its end (None: it
        can): said before anything is triggered (`run --wait`)."""
        ref = commit_of(fields)
        if ref is None:
            return (
                "Bug0 reports a result only as a GitHub commit status, so the trigger must carry "
                f"a commit and a repository to be followed: it has no {missing_git_fields(fields)}"
                " (--git-sha, --owner, --repo, or run it in a checkout on GitHub)"
            )
        if self.statuses is None or not self.statuses.has_token:
            return no_token_note(ref, self.statuses.no_token if self.statuses else "")
        return None

    def _run(self, record: TriggerRecord) -> Run:
        """The run a record stands for now: its written result, else what GitHub said last."""
        kept = Verdict.from_json(record.result) if record.result else None
        if kept is not None:
            return record_to_run(self.name, record, verdict=kept)
        ref = commit_of(record.fields)
        if ref is None:
            note = no_commit_note(missing_git_fields(record.fields))
            return record_to_run(self.name, record, note=note)
        statuses = self.statuses
        if statuses is None or not statuses.has_token:
            why = statuses.no_token if statuses is not None else ""
            return record_to_run(self.name, record, note=no_token_note(ref, why))
        verdict = verdict_for(statuses.reading(ref), self.status_context, record.triggered_at)
        if verdict is None:
            note = waiting_note(ref, self.status_context, statuses.error_of(ref))
            return record_to_run(self.name, record, note=note, following=True)
        verdict = self._keep_start(record.execution_id, verdict)
        if verdict.final:
            written = self.triggers.record_result(self.name, record.execution_id, verdict.to_json())
            self._starts.pop(record.execution_id, None)
            record = written or record
        return record_to_run(self.name, record, verdict=verdict)

    def _keep_start(self, execution_id: str, verdict: Verdict) -> Verdict:
        seen = self._starts.get(execution_id)
        if seen is not None and (verdict.started is None or seen < verdict.started):
            return replace(verdict, started=seen)
        if verdict.started is not None:
            self._starts[execution_id] = verdict.started
        return verdict

    def _waiting(self, records: list[TriggerRecord]) -> set[CommitRef]:
        """The commits of the records that have no final result yet."""
        return {
            ref for record in records if not record.result and (ref := commit_of(record.fields))
        }

    async def list_runs(
        self, *, limit: int = 100, status: RunStatus | None = None, since: datetime | None = None
    ) -> RunPage:
        """The runs triggered from this machine, newest first, each with what Bug0's status on
        its commit says: the commits that are due are read from GitHub first (never waiting,
        never failing the list: reader.py)."""
        records = self.triggers.records(self.name, limit=limit, since=since)
        self._following = self._waiting(records)
        if self.statuses is not None and self.statuses.has_token and self._following:
            await self.statuses.read_due(self._following)
        runs = [self._run(record) for record in records]
        return RunPage(runs=[run for run in runs if status is None or run.status is status])

    def trouble_elsewhere(self) -> Trouble | None:
        """What fails of reading Bug0's results on GitHub, for the runs listed last that wait
        for one (None: nothing fails, or no run waits)."""
        if not self._following:
            return None
        statuses = self.statuses
        if statuses is None or not statuses.has_token:
            why = statuses.no_token if statuses is not None else "no GitHub token"
            return Trouble(GITHUB, AuthFailed("github", why), "[github] token", unset=True)
        error = statuses.trouble(self._following)
        return None if error is None else Trouble(GITHUB, error, fix_key_for(error))

    async def refresh_run(self, run: Run) -> Run:
        """The run as recorded, its commit read from GitHub now when it waits for a result
        (raises what GitHub's answer was: `watch` rides out what is transient)."""
        record = self.triggers.get(self.name, run.id)
        if record is None:
            return run
        ref = commit_of(record.fields) if not record.result else None
        if ref is not None and self.statuses is not None and self.statuses.has_token:
            await self.statuses.read(ref)
        return self._run(record)

    async def get_run(self, run_id: str) -> Run:
        record = self.triggers.get(self.name, run_id)
        if record is None:
            raise NotFound(
                self.name, f"run {run_id} was not triggered from this machine ({NO_READ_API})"
            )
        return self._run(record)

    async def stop_run(self, run: Run) -> Run:
        raise Unsupported(self.name, "Bug0 has no API to stop a run")

    async def rerun(self, run: Run) -> Run:
        """Trigger again with the fields recorded for this run."""
        record = self.triggers.get(self.name, run.id)
        if record is None:
            raise NotFound(self.name, f"no local record of run {run.id}: its fields are unknown")
        return await self._trigger(record.project_id, dict(record.fields))

    async def run_detail(self, run: Run) -> RunDetail:
        """No steps, children, artifacts or analysis: Bug0 has no API for them. The Steps pane
        says so, then what Bug0's GitHub status said (or why there is none) and its link."""
        said = "\n".join(line for line in (run.note, run.url) if line)
        return RunDetail(
            run=run,
            steps=PaneData(unavailable=f"{NO_READ_API}.\n{said}" if said else NO_READ_API),
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
        if self.statuses is not None:
            await self.statuses.leave()  # shared by every Bug0 source: the last one closes it
