"""`qa-tui run PROVIDER TARGET`: start a run from a script; `--wait` then behaves like `watch`.

TARGET is, per provider kind:
- BugBug: a test id or name (`--suite`: a suite id or name); `--profile` a run profile id or name;
- BugBrain: a test plan id (`tp_…`); `--environment`, `--sync`, `--timeout` go with it;
- Bug0: a project id (default: the configured `project_id`); `--url`, `--git-sha`, `--branch`,
  `--pr`, `--owner`, `--repo` fill the body, prefilled from the current git checkout (`--no-git`
  turns that off). Bug0 has no status API: `--wait` follows the commit status Bug0 posts on
  GitHub, so it needs a commit and a repository, and a GitHub token (`[github]`, or `gh`); without
  them it is refused before anything is triggered.

Prints the new run as `PROVIDER:RUN_ID` (what `qa-tui watch` takes; `--json`: the run as
`runs --json` shows one) on stdout; what was started
goes to stderr. `--timeout` bounds `--wait`, and for BugBrain is also sent as the execution's
`timeout_seconds`. Exit codes: those of `watch` with `--wait`; else 0 started, 2 usage, config or
credentials, 3 the provider failed to start it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import replace

from qa_tui.cli.headless import config_path, load_or_explain, run_as_json
from qa_tui.cli.services import Services, find_provider, open_source, say, write_json_object
from qa_tui.cli.watch import EXIT_ENDED, EXIT_USAGE, Follow, options_from, run_ref
from qa_tui.core.actions.launch import (
    AssignmentError,
    Bug0Start,
    BugBrainStart,
    BugBugStart,
    StartRequest,
    parse_assignments,
    resolve_profile,
    resolve_target,
)
from qa_tui.core.actions.writes import NotConfirmed, ProviderWrites, ReadOnly, WritePolicy
from qa_tui.core.config.tables import Config, ProviderConfig
from qa_tui.core.errors import AuthFailed, NotFound, ProviderError, RequestRejected
from qa_tui.core.model import Run
from qa_tui.core.providers.base import RunSource
from qa_tui.core.providers.bug0 import Bug0Source
from qa_tui.core.providers.bug0.wire import trigger_fields
from qa_tui.core.providers.bugbug import BugBugSource
from qa_tui.core.textsafe import terminal_safe

FLAGS_BY_KIND = {
    "suite": ("--suite", {"bugbug"}),
    "profile": ("--profile", {"bugbug"}),
    "var": ("--var", {"bugbug", "bugbrain"}),
    "environment": ("--environment", {"bugbrain"}),
    "sync": ("--sync", {"bugbrain"}),
    "url": ("--url", {"bug0"}),
    "git_sha": ("--git-sha", {"bug0"}),
    "branch": ("--branch", {"bug0"}),
    "pr": ("--pr", {"bug0"}),
    "owner": ("--owner", {"bug0"}),
    "repo": ("--repo", {"bug0"}),
}
"""Option → (flag, the provider kinds it applies to): a flag for another kind is a usage error."""


BUGBRAIN_TIMEOUT_GRACE_S = 60.0
"""With `--timeout` on BugBrain, `--wait` waits this much longer than the execution may run."""


class Usage(Exception):
    """A usage error, with the one line that explains it."""


def check_flags(args: argparse.Namespace, kind: str) -> None:
    for attr, (flag, kinds) in FLAGS_BY_KIND.items():
        if getattr(args, attr, None) and kind not in kinds:
            raise Usage(f"{flag} is for {' and '.join(sorted(kinds))} providers, not {kind}")
    if kind in ("bugbug", "bugbrain") and not args.target:
        what = "a test or suite (id or name)" if kind == "bugbug" else "a test plan id (tp_...)"
        raise Usage(f"TARGET is required for {kind}: {what}")
    if getattr(args, "notify", False) and not args.wait:
        raise Usage("--notify tells the terminal when the run ends: it needs --wait")


def cannot_wait_for(source: RunSource, request: StartRequest) -> str | None:
    """Why `--wait` could never see this run end, said before it is started (None: it can):
    a Bug0 trigger with no commit or repository, or no GitHub token to read its status."""
    if not isinstance(source, Bug0Source) or not isinstance(request, Bug0Start):
        return None
    given = {
        "git_commit_sha": request.git_commit_sha,
        "owner": request.owner,
        "repo": request.repo,
    }
    why = source.cannot_follow(trigger_fields(given))
    return (
        None if why is None else f"{why}. Drop --wait to trigger it anyway; nothing was triggered"
    )


def bug0_request(args: argparse.Namespace, services: Services) -> Bug0Start:
    """The body fields from the flags, the rest from the git checkout (unless --no-git)."""
    git = services.git() if not args.no_git else None
    request = Bug0Start(
        url=args.url,
        git_commit_sha=args.git_sha or (git.commit if git else None),
        git_branch=args.branch or (git.branch if git else None),
        pr_number=args.pr or (git.pr_number if git else None),
        owner=args.owner or (git.owner if git else None),
        repo=args.repo or (git.repo if git else None),
    )
    prefilled = [
        f"{label} {value}"
        for label, flag, value in (
            ("commit", args.git_sha, request.git_commit_sha),
            ("branch", args.branch, request.git_branch),
            ("PR", args.pr, request.pr_number),
            ("owner", args.owner, request.owner),
            ("repo", args.repo, request.repo),
        )
        if value and not flag
    ]
    if prefilled:
        say("bug0: from the git checkout: " + ", ".join(prefilled))
    return request


async def build_request(
    source: RunSource, kind: str, args: argparse.Namespace, services: Services
) -> StartRequest:
    variables = parse_assignments(args.var or [])
    if kind == "bugbrain":
        timeout = int(args.timeout) if args.timeout else None
        return BugBrainStart(
            args.target,
            sync=args.sync,
            environment=args.environment,
            variables=variables,
            timeout_s=timeout,
        )
    if kind == "bug0":
        return bug0_request(args, services)
    assert isinstance(source, BugBugSource)
    target = await resolve_target(source, args.target, suite=args.suite)
    profile = await resolve_profile(source, args.profile) if args.profile else None
    return BugBugStart(
        target.id,
        suite=args.suite,
        profile_id=profile.id if profile else None,
        variables=variables,
    )


def _announce(run: Run) -> None:
    say(
        f"started {run.provider} {run.kind.value} {terminal_safe(run.name)!r} "
        f"({terminal_safe(run.id)}): {run.status.value}"
    )
    if run.note:
        say(f"{run.provider}: {run.note}")


async def start_and_report(
    source: RunSource,
    kind: str,
    args: argparse.Namespace,
    services: Services,
    config: Config | None = None,
    policy: WritePolicy | None = None,
) -> int:
    """Build the request, start it through the one door to provider writes (refused there on a
    read-only provider, or a production one without its name typed), report or follow it."""
    writes = ProviderWrites([source], policy, clock=services.clock)
    try:
        try:
            request = await build_request(source, kind, args, services)
            why = cannot_wait_for(source, request) if args.wait else None
            if why is not None:
                say(f"run: {why}")
                return EXIT_USAGE
            run = await writes.start_new(
                source.name, request, typed=typed_name(args, source.name, writes)
            )
        except (ReadOnly, NotConfirmed) as error:
            say(f"run: {error.message}")
            return EXIT_USAGE
        except (AuthFailed, NotFound, RequestRejected) as error:
            say(f"{error.provider}: {error.kind.value}: {error.message}")
            return EXIT_USAGE
        except ProviderError as error:
            say(f"{error.provider}: {error.kind.value}: {error.message} (the run may not exist)")
            return EXIT_ENDED
        _announce(run)
        if not args.wait:
            if args.json:
                write_json_object(run_as_json(run, services.clock.now()))
            else:
                print(run_ref(run), flush=True)  # what `qa-tui watch` takes
            return 0
        options = options_from(args, config)
        if kind == "bugbrain" and args.timeout and options.timeout_s is not None:
            # let BugBrain's own verdict on its timeout arrive before ours
            options = replace(options, timeout_s=options.timeout_s + BUGBRAIN_TIMEOUT_GRACE_S)
        return await Follow(source, options, services).report(run)
    finally:
        await source.aclose()


def typed_name(args: argparse.Namespace, provider: str, writes: ProviderWrites) -> str | None:
    """The provider's name as the user gave it, for a production provider: `--confirm NAME`, or
    typed at a prompt when stdin is a terminal (a script without `--confirm` is refused)."""
    if not writes.needs_typed_name(provider) or writes.refusal(provider):
        return None
    confirm = getattr(args, "confirm", None)
    if confirm is not None or not sys.stdin.isatty():
        return str(confirm) if confirm is not None else None
    try:
        return input(f"{provider} is a production provider: type its name to start: ")
    except EOFError:
        return None


def run_run(args: argparse.Namespace, services: Services | None = None) -> int:
    """`qa-tui run PROVIDER [TARGET] [options]`."""
    services = services or Services()
    config = load_or_explain(config_path(args))
    if config is None:
        return EXIT_USAGE
    provider = find_provider(config, args.provider)
    if isinstance(provider, str):
        say(f"run: {provider}")
        return EXIT_USAGE
    try:
        check_flags(args, provider.kind)
        parse_assignments(args.var or [])
    except (Usage, AssignmentError) as error:
        say(f"run: {error}")
        return EXIT_USAGE
    if provider.kind == "bug0" and args.target:
        provider = _for_project(provider, args.target)
    policy = WritePolicy.from_config(config, flag=getattr(args, "read_only", False))
    refused = policy.refusal(provider.name)
    if refused is not None:  # said before anything is read; writes.py refuses it again anyway
        say(f"run: {refused}")
        return EXIT_USAGE
    source = open_source(provider, services, config.github)
    return asyncio.run(start_and_report(source, provider.kind, args, services, config, policy))


def _for_project(provider: ProviderConfig, project_id: str) -> ProviderConfig:
    return provider.model_copy(update={"project_id": project_id})
