"""BugBug (Public API v2) as a `RunSource`: listing, refreshing, stopping, re-running, detail.

Facts: shared/providers.md §1 and shared/provider-docs/bugbug-test-runs-openapi.md. The source is
composed, not inherited: `api.BugBugApi` (one method per endpoint, stateless), `memory.BugBugMemory`
(everything learnt), `normalize` (wire → `Run`), `discovery` (the lists the engine sweeps) and
`profiles` (run profile names). Quirks absorbed here:
- the host (`api.bugbug.io` or `app.bugbug.io`) and the rate limit BugBug does not document: see
  `api.py` (`DEFAULT_BASE_URL`, `DEFAULT_REQUESTS_PER_MINUTE`);
- test runs and suite runs are two lists: `list_runs` merges both (each `ordering=-started`, the
  only order the lists keep strictly) newest first, with the test runs inside listed suite runs;
  suite runs have no status filter, so statuses are filtered here too (test runs server-side when
  exactly one raw word means the status asked for, e.g. not for `running`);
- a suite run's documented shape has no suite id: a re-run uses `suiteId` if sent, else the id the
  run was started with (remembered at the start), else the one suite whose name matches exactly
  [INF], else Unsupported;
- `/status/` has no end time or duration: when a run turns terminal it is read in full once;
- discovery (the status filters, the suite-run walk, time ranges): see `discovery.py`; a run that
  left its status filter is read in full at once (`read_finished`);
- `stepsRuns` may be a list, a JSON string or opaque: steps then come from `/screenshots/` plus
  `/stepruns/{id}/` (finished step runs kept, a few fetched per detail); a run's target is its
  profile by name (profiles.py); downloads send the token to BugBug's own origin only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urljoin

from qa_tui.core.errors import NotFound, ProviderError, Unsupported
from qa_tui.core.http.session import ProviderHttp
from qa_tui.core.http.wire import Parsed
from qa_tui.core.model import (
    Artifact,
    PaneData,
    ProviderKind,
    Run,
    RunDetail,
    RunKind,
    RunStatus,
    Step,
)
from qa_tui.core.providers.base import (
    Capabilities,
    ListQuery,
    QueryPage,
    RunPage,
    position_by_start,
)
from qa_tui.core.providers.bugbug import discovery, profiles
from qa_tui.core.providers.bugbug.api import API_PREFIX, BugBugApi
from qa_tui.core.providers.bugbug.memory import BugBugMemory
from qa_tui.core.providers.bugbug.normalize import (
    described_failure,
    known_run,
    report_artifact,
    screenshot_artifact,
    to_step,
    with_status,
)
from qa_tui.core.providers.bugbug.wire import (
    StepRun,
    TestRunScreenshots,
    V2Profile,
    V2Suite,
    V2SuiteRun,
    V2Test,
    V2TestRun,
    V2TestRunStatus,
    parse_steps_runs,
)
from qa_tui.core.runs.newest import newest_first
from qa_tui.core.runs.status import BUGBUG_STATUSES, bugbug_status

STEP_RUN_FETCHES_PER_DETAIL = 20
"""At most this many `/stepruns/{id}/` calls per `run_detail`; later calls fill in the rest."""
FAILURE_STEP_READS = 3
"""`/stepruns/{id}/` read at most to find where one run failed: the failing step is the last
that ran (or next to it), so the search goes backwards from there."""

T = TypeVar("T")


def _server_status(status: RunStatus | None) -> str | None:
    """The one raw word meaning `status`, when there is exactly one (else filter client-side)."""
    words = [word for word, normalized in BUGBUG_STATUSES.items() if normalized is status]
    return words[0] if len(words) == 1 else None


class BugBugSource:
    """BugBug as a `RunSource`, `Discovers` and `ReadsFailures`: its endpoints (`api`) and what
    it has learnt (`memory`), composed."""

    kind = ProviderKind.BUGBUG
    capabilities = Capabilities(artifacts=True, logs=True, junit=True, analysis=False)

    def __init__(self, name: str, http: ProviderHttp) -> None:
        self.name = name
        self.http = http
        self.budget = http.budget
        self.memory = BugBugMemory()
        self.api = BugBugApi(name, http, shape=self.memory.shape)

    def __repr__(self) -> str:
        return f"BugBugSource(name={self.name!r}, http={self.http!r})"

    @property
    def catalogue_reads(self) -> int:
        """Requests made for profile names: one-off work, not counted in the live pace."""
        return self.memory.profile_reads

    def _to_run(self, wire: V2TestRun | V2SuiteRun, parent_id: str | None = None) -> Run:
        return known_run(self.name, wire, self.memory, parent_id)

    def _with_status(self, run: Run, wire: V2TestRunStatus) -> Run:
        self.memory.learn_total_steps(run, wire)
        return with_status(run, wire)

    async def _full(self, run: Run) -> Run:
        if run.kind is RunKind.SUITE:
            return self._to_run(await self.api.get_suite_run(run.id))
        return self._to_run(await self.api.get_test_run(run.id), parent_id=run.parent_id)

    async def aclose(self) -> None:
        await self.http.aclose()

    # -- Discovers ------------------------------------------------------------------------------

    def sweep_queries(self) -> Sequence[ListQuery]:
        return discovery.SWEEP_QUERIES

    def covering(self, run: Run) -> ListQuery | None:
        return discovery.covering(run)

    def around(self, runs: Sequence[Run]) -> ListQuery | None:
        return discovery.around(runs, self.memory.shape)

    async def list_page(self, query: ListQuery, page: int) -> QueryPage:
        return await discovery.list_page(self.api, self.memory, query, page)

    async def read_finished(self, run: Run) -> Run:
        """One full read (`/status/` and then the full run would be two)."""
        return await self._full(run)

    def list_position(self, run: Run) -> tuple[int, float]:
        return position_by_start(run)

    def walked_by(self, run: Run) -> str | None:
        return discovery.walked_by(run)

    async def get_parent(self, run: Run) -> Run:
        """The suite run a test run belongs to (its `suiteRunId`)."""
        if run.parent_id is None:
            raise NotFound(self.name, f"{run.id} has no parent run")
        return self._to_run(await self.api.get_suite_run(run.parent_id))

    # -- RunSource ------------------------------------------------------------------------------

    async def list_runs(
        self, *, limit: int = 100, status: RunStatus | None = None, since: datetime | None = None
    ) -> RunPage:
        """Up to `limit` test runs and up to `limit` suite runs (with the test runs inside them),
        newest first, all that were read: a suite run started long ago still comes with the
        newest test runs (it is cheap: one list). The two lists are asked for at once."""
        tests, suites, _ = await asyncio.gather(
            self.api.list_test_runs(
                limit=limit, status=_server_status(status), started_after=since
            ),
            self.api.list_suite_runs(limit=limit, started_after=since),
            profiles.read_once(self.api, self.memory),
        )
        children = [c for s in suites.items for c in s.test_runs]
        self.memory.learn_profile_names(suites.items)
        await profiles.ensure(self.api, self.memory, [*tests.items, *children])
        self.memory.learn_steps([*tests.items, *children])
        runs = {run.id: self._to_run(run) for run in tests.items}
        for suite in suites.items:
            runs[suite.id] = self._to_run(suite)
            for child in suite.test_runs:
                runs.setdefault(child.id, self._to_run(child, parent_id=suite.id))
        wanted = [run for run in runs.values() if status is None or run.status is status]
        if since is not None:  # a server may ignore the range [INF]: it holds here either way
            wanted = [run for run in wanted if (run.started or run.queued or since) >= since]
        wanted.sort(key=newest_first)
        return RunPage(runs=wanted, skipped=tests.skipped + suites.skipped)

    async def get_run(self, run_id: str) -> Run:
        """A test run by id, else a suite run by that id."""
        try:
            return self._to_run(await self.api.get_test_run(run_id))
        except NotFound:
            return self._to_run(await self.api.get_suite_run(run_id))

    async def refresh_run(self, run: Run) -> Run:
        """Through `/status/`; once the run turns terminal, the full run is read once for its end."""
        if run.kind is RunKind.SUITE:
            fresh = self._with_status(run, await self.api.suite_run_status(run.id))
        else:
            fresh = self._with_status(run, await self.api.test_run_status(run.id))
        if not fresh.status.is_terminal or (run.status.is_terminal and run.ended is not None):
            return fresh
        full = await self._full(fresh)
        return full.model_copy(update={"progress": full.progress or fresh.progress})

    async def stop_run(self, run: Run) -> Run:
        if run.kind is RunKind.SUITE:
            return self._with_status(run, await self.api.stop_suite_run(run.id))
        return self._with_status(run, await self.api.stop_test_run(run.id))

    async def start_test(
        self,
        test_id: str,
        *,
        profile_id: str | None = None,
        variables: Mapping[str, str | None] | None = None,
    ) -> Run:
        """Start a test; the new run is read back in full (its start answer has no name)."""
        started = await self.api.start_test_run(test_id, profile_id=profile_id, variables=variables)
        return await self._read_back(started, RunKind.TEST, test_id)

    async def start_suite(
        self,
        suite_id: str,
        *,
        profile_id: str | None = None,
        variables: Mapping[str, str | None] | None = None,
    ) -> Run:
        """Start a suite; the suite id is remembered, since a suite run does not carry it."""
        started = await self.api.start_suite_run(
            suite_id, profile_id=profile_id, variables=variables
        )
        self.memory.suite_of_run[started.id] = suite_id
        return await self._read_back(started, RunKind.SUITE, suite_id)

    async def _read_back(self, started: V2TestRunStatus, kind: RunKind, target: str) -> Run:
        shell = Run(
            provider=self.name,
            provider_kind=ProviderKind.BUGBUG,
            id=started.id,
            kind=kind,
            name=target,
            status=RunStatus.UNKNOWN,
            provider_status="",
            test_id=target,
            triggered_by="api",
        )
        shell = self._with_status(shell, started)
        try:  # the run has started: a failed read-back must not look like a failed start
            full = await self._full(shell)
        except ProviderError:
            return shell
        return full.model_copy(update={"test_id": full.test_id or target})

    async def rerun(self, run: Run) -> Run:
        """Start the same test or suite again, with the run profile the run used."""
        if run.kind is RunKind.SUITE:
            suite = await self.api.get_suite_run(run.id)
            suite_id = suite.suite_id or self.memory.suite_of_run.get(run.id) or run.test_id
            suite_id = suite_id or await self._suite_named(suite.name)
            if suite_id is None:
                raise Unsupported(
                    self.name,
                    "BugBug does not say which suite this suite run ran; start the suite by name",
                )
            return await self.start_suite(suite_id, profile_id=suite.profile_id)
        test = await self.api.get_test_run(run.id)
        test_id = test.test_id or run.test_id
        if test_id is None:
            raise Unsupported(self.name, "BugBug does not say which test this run ran")
        return await self.start_test(test_id, profile_id=test.run_profile_id)

    async def _suite_named(self, name: str | None) -> str | None:
        if not name:
            return None
        matches = [s.id for s in (await self.api.list_suites(name)).items if s.name == name]
        return matches[0] if len(matches) == 1 else None

    async def run_detail(self, run: Run) -> RunDetail:
        """Steps, child runs and artifacts; a suite run's steps live in its test runs."""
        no_analysis = PaneData[Any](unavailable="BugBug has no failure analysis")
        if run.kind is RunKind.SUITE:
            suite = await self.api.get_suite_run(run.id)
            fresh = self._to_run(suite)
            children = [self._to_run(child, parent_id=suite.id) for child in suite.test_runs]
            shots = await self._optional(self.api.suite_run_screenshots(run.id))
            artifacts = [
                screenshot_artifact(i, shot, label=f"test {t + 1} step {i + 1}")
                for t, test in enumerate(shots.tests_runs if shots else [])
                for i, shot in enumerate(test.steps_runs)
            ]
            if fresh.status.is_terminal:
                artifacts.append(report_artifact(self.http.base_url, run.id, "suiteruns"))
            return RunDetail(
                run=fresh,
                steps=PaneData(unavailable="A suite run's steps are in its test runs (children)"),
                children=PaneData(items=tuple(children)),
                artifacts=PaneData(items=tuple(artifacts)),
                analysis=no_analysis,
            )
        test = await self.api.get_test_run(run.id)
        fresh = self._to_run(test, parent_id=run.parent_id)
        test_shots = await self._optional(self.api.test_run_screenshots(run.id))
        steps = await self._steps(parse_steps_runs(test.steps_runs), test_shots)
        fresh = await self._with_every_step(fresh, len(steps.items))
        debug = await self._optional(self.api.debug_artifacts(run.id)) or []
        artifacts = [
            Artifact(id=a.id, kind=a.kind or "", url=a.file, expires=a.expiration_time)
            for a in debug
        ]
        artifacts += [
            screenshot_artifact(i, shot, label=f"step {i + 1}")
            for i, shot in enumerate(test_shots.steps_runs if test_shots else [])
        ]
        if fresh.status.is_terminal:
            logs = f"{self.http.base_url}{API_PREFIX}/testruns/{run.id}/logs/"
            artifacts.append(Artifact(id=f"{run.id}:logs", kind="logs", url=logs, label="Run log"))
            artifacts.append(report_artifact(self.http.base_url, run.id, "testruns"))
        return RunDetail(
            run=fresh,
            steps=steps,
            children=PaneData(unavailable="A test run has no child runs"),
            artifacts=PaneData(items=tuple(artifacts)),
            analysis=no_analysis,
        )

    async def _with_every_step(self, run: Run, reported: int) -> Run:
        """A run that ended before its last step reports only the steps it reached
        (`stepsRuns`), so its progress may count too few (`2/2`); unless this test's step count
        is known, its `/status/` is asked once (`totalSteps`, learnt for the test too), so the
        detail view can list every step, the unreached ones as not run."""
        ended_early = run.status in (RunStatus.FAILED, RunStatus.ERROR, RunStatus.STOPPED)
        known = run.progress is not None and run.progress.total > reported
        if not ended_early or known or (run.test_id and run.test_id in self.memory.steps_of_test):
            return run
        status = await self._optional(self.api.test_run_status(run.id))
        return self._with_status(run, status) if status is not None else run

    async def _steps(
        self, parsed: list[StepRun] | None, shots: TestRunScreenshots | None
    ) -> PaneData[Step]:
        if parsed and any(step.status is not None for step in parsed):
            urls = {shot.id: shot.screenshot_url for shot in (shots.steps_runs if shots else [])}
            return PaneData(
                items=tuple(
                    to_step(i, step).model_copy(
                        update={"screenshot_url": step.screenshot_url or urls.get(step.id)}
                    )
                    for i, step in enumerate(parsed)
                )
            )
        refs = shots.steps_runs if shots and shots.steps_runs else parsed or []
        if not refs:
            return PaneData(unavailable="BugBug has not reported any steps for this run yet")
        steps: list[Step] = []
        budget = STEP_RUN_FETCHES_PER_DETAIL
        for index, ref in enumerate(refs):
            cached = self.memory.finished_steps.get(ref.id or "")
            if cached is None and ref.id and budget > 0:
                budget -= 1
                fetched = await self._optional(self.api.get_step_run(ref.id))
                if fetched is not None:
                    merged = fetched.model_copy(
                        update={"screenshot_url": fetched.screenshot_url or ref.screenshot_url}
                    )
                    cached = to_step(index, merged)
                    if cached.status.is_terminal:
                        self.memory.keep_step(ref.id, cached)
            steps.append(
                cached.model_copy(update={"index": index}) if cached else to_step(index, ref)
            )
        return PaneData(items=tuple(steps))

    def failure_unread(self, run: Run) -> bool:
        """A finished failed test run whose `stepsRuns` did not say where (opaque, empty)."""
        return (
            run.provider == self.name
            and run.kind is RunKind.TEST
            and run.status in (RunStatus.FAILED, RunStatus.ERROR)
            and run.failed_step is None
            and run.mode is None
            and run.id not in self.memory.failures
        )

    async def read_failure(self, run: Run) -> Run:
        """Where `run` failed, from `/screenshots/` (the step runs that ran, in order) and the
        last of them by `/stepruns/{id}/` (§6.1): two requests as a rule, kept for good."""
        shots = await self._optional(self.api.test_run_screenshots(run.id))
        refs = [(i, ref) for i, ref in enumerate(shots.steps_runs if shots else []) if ref.id]
        found: tuple[str | None, str | None] = (None, run.error)
        for index, ref in list(reversed(refs))[:FAILURE_STEP_READS]:
            step = await self._optional(self.api.get_step_run(ref.id or ""))
            if step is None:
                continue
            status = bugbug_status(step.status)
            if status.is_terminal and ref.id:
                self.memory.keep_step(ref.id, to_step(index, step))
            if status in (RunStatus.FAILED, RunStatus.ERROR):
                code = run.error if run.error and " " not in run.error.strip() else None
                found = described_failure(index, step, code)
                break
        self.memory.remember_failure(run.id, found)
        return run.model_copy(update={"failed_step": found[0], "error": found[1]})

    async def _optional(self, call: Awaitable[T]) -> T | None:
        """The answer of `call`, or None when BugBug says it does not exist (404)."""
        try:
            return await call
        except NotFound:
            return None

    async def fetch_log(self, run: Run) -> str:
        if run.kind is RunKind.SUITE:
            raise Unsupported(self.name, "BugBug keeps logs per test run: open a test run")
        return await self.api.test_run_log(run.id)

    async def fetch_junit(self, run: Run) -> bytes:
        if run.kind is RunKind.SUITE:
            return await self.api.suite_run_junit(run.id)
        return await self.api.test_run_junit(run.id)

    async def download(self, url: str, *, max_bytes: int | None = None) -> bytes:
        """An artifact's bytes: with the token on BugBug's own origin, without it anywhere else."""
        absolute = urljoin(self.http.base_url + "/", url)
        if self.http.same_origin(absolute):
            return await self.api.get_following(absolute, max_bytes=max_bytes)
        return (await self.http.get_other_origin(absolute, max_bytes=max_bytes)).content

    async def check(self) -> str:
        """`GET /tests/?page=1&page_size=1`: the cheapest call that needs a valid token."""
        count = await self.api.test_count()
        return f"token accepted; {count} tests" if count is not None else "token accepted"

    # -- the catalogue a run is started from ----------------------------------------------------

    async def list_tests(
        self, query: str | None = None, *, limit: int | None = None
    ) -> Parsed[V2Test]:
        """The project's tests (`?query=` searches names): what `start_test` takes."""
        return await self.api.list_tests(query, limit=limit)

    async def list_suites(
        self, query: str | None = None, *, limit: int | None = None
    ) -> Parsed[V2Suite]:
        """The project's suites (`?query=` searches names): what `start_suite` takes."""
        return await self.api.list_suites(query, limit=limit)

    async def list_profiles(self, *, limit: int | None = None) -> Parsed[V2Profile]:
        """The project's run profiles: what a start may name."""
        return await self.api.list_profiles(limit=limit)
