"""The config and the banner for a simulator at a base URL: all `qa-tui demo` needs before the
simulator itself is up, so it imports nothing heavy (no Starlette, no uvicorn)."""

from __future__ import annotations

import json

from qa_tui.sim.credentials import (
    BUG0_API_KEY,
    BUG0_PROJECT_ID,
    BUGBRAIN_API_KEY,
    BUGBRAIN_PROJECT_ID,
    BUGBUG_TOKEN,
    BUGNET_API_KEY,
    BUGNET_EMAIL,
    BUGNET_PASSWORD,
    BUGNET_PROJECT,
    BUGNET_TOKEN,
    GITHUB_TOKEN,
)
from qa_tui.sim.org.spec import OrgSpec


def _urls(base_url: str) -> dict[str, str]:
    base = base_url.rstrip("/")
    return {
        "bugbug": f"{base}/bugbug",
        "bugbrain": f"{base}/bugbrain/api/v1",
        "bug0": f"{base}/bug0",
        "bugnet": f"{base}/bugnet",
        "github": f"{base}/github",
    }


def q(text: str) -> str:
    return json.dumps(text)  # a TOML basic string for these ASCII values


def github_table(base_url: str) -> list[str]:
    """`[github]`: where the simulated Bug0 posts its results (the simulator's GitHub slice)."""
    return [
        "",
        "# Bug0 posts each run's result as a commit status on GitHub: here, the simulator's.",
        "[github]",
        f"api_url = {q(_urls(base_url)['github'])}",
        f"token = {q(GITHUB_TOKEN)}",
    ]


def render_config(base_url: str, org: OrgSpec | None = None) -> str:
    """The TOML config text pointing qa-tui at the simulator at ``base_url``; with ``org``, one
    provider per project of the simulated organisation (sim/org/projects.py)."""
    if org is not None:
        return render_org_config(base_url, org)
    u = _urls(base_url)

    return "\n".join(
        [
            f"# qa-tui config for the simulator at {base_url.rstrip('/')} (written by qa-tui sim).",
            "# Demo credentials only: they work nowhere else.",
            "",
            "[[providers]]",
            'name = "web"',
            'kind = "bugbug"',
            f"base_url = {q(u['bugbug'])}",
            f"token = {q(BUGBUG_TOKEN)}",
            "",
            "[[providers]]",
            'name = "plans"',
            'kind = "bugbrain"',
            f"base_url = {q(u['bugbrain'])}",
            f"token = {q(BUGBRAIN_API_KEY)}",
            f"project_id = {q(BUGBRAIN_PROJECT_ID)}",
            "",
            "[[providers]]",
            'name = "previews"',
            'kind = "bug0"',
            f"base_url = {q(u['bug0'])}",
            f"token = {q(BUG0_API_KEY)}",
            f"project_id = {q(BUG0_PROJECT_ID)}",
            "",
            "[tracker]",
            'kind = "bugnet"',
            f"base_url = {q(u['bugnet'])}",
            f"project = {q(BUGNET_PROJECT)}",
            f"token = {q(BUGNET_TOKEN)}",
            f"api_key = {q(BUGNET_API_KEY)}",
            *github_table(base_url),
            "",
        ]
    )


def render_org_config(base_url: str, org: OrgSpec) -> str:
    """One `[[providers]]` table per project of ``org``, then the tracker."""
    u = _urls(base_url)
    base = base_url.rstrip("/")
    lines = [
        f"# qa-tui config for the simulator at {base} (written by qa-tui sim --projects "
        f"{org.size}).",
        "# Demo credentials only: they work nowhere else. Providers on one BugBrain key share",
        "# that key's one budget (30 requests a minute, 500 an hour), whatever the project.",
    ]
    for project in org.bugbug():
        path = "/bugbug" if project.name == "web" else f"/org/bugbug/{project.name}"
        lines += ["", "[[providers]]", f"name = {q(project.name)}", 'kind = "bugbug"']
        lines += [f"base_url = {q(base + path)}", f"token = {q(project.token)}"]
    for project in org.bugbrain():
        lines += ["", "[[providers]]", f"name = {q(project.name)}", 'kind = "bugbrain"']
        lines += [f"base_url = {q(u['bugbrain'])}", f"token = {q(project.token)}"]
        lines += [f"project_id = {q(project.project_id or '')}"]
    for project in org.bug0():
        lines += ["", "[[providers]]", f"name = {q(project.name)}", 'kind = "bug0"']
        lines += [f"base_url = {q(u['bug0'])}", f"token = {q(project.token)}"]
        lines += [f"project_id = {q(project.project_id or '')}"]
    lines += [
        "",
        "[tracker]",
        'kind = "bugnet"',
        f"base_url = {q(u['bugnet'])}",
        f"project = {q(BUGNET_PROJECT)}",
        f"token = {q(BUGNET_TOKEN)}",
        f"api_key = {q(BUGNET_API_KEY)}",
        *github_table(base_url),
        "",
    ]
    return "\n".join(lines)


def banner(base_url: str) -> str:
    """Base URLs and demo credentials, for ``qa-tui sim`` to print."""
    u = _urls(base_url)
    return "\n".join(
        [
            f"qa-tui simulator listening on {base_url.rstrip('/')}",
            f"  BugBug    {u['bugbug']}    Authorization: Token {BUGBUG_TOKEN}",
            f"  BugBrain  {u['bugbrain']}    Authorization: Bearer {BUGBRAIN_API_KEY}"
            f"    project_id={BUGBRAIN_PROJECT_ID}",
            f"  Bug0      {u['bug0']}    x-api-key: {BUG0_API_KEY}    projectId={BUG0_PROJECT_ID}",
            f"  Bugnet    {u['bugnet']}    project {BUGNET_PROJECT}",
            f"            login {BUGNET_EMAIL} / {BUGNET_PASSWORD}"
            f"    Authorization: Bearer {BUGNET_TOKEN}",
            f"            X-API-Key: {BUGNET_API_KEY} (public submit, game SDKs)",
            f"  GitHub    {u['github']}    Authorization: Bearer {GITHUB_TOKEN}"
            "    (Bug0's commit statuses)",
            f"  Control   {base_url.rstrip('/')}/_sim/truth  /_sim/faults  /_sim/advance",
        ]
    )
