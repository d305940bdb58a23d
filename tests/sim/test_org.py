"""A simulated organisation: several projects of each service, limited as each service limits."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from qa_tui.sim import FaultPlan, ScenarioClock, build_app
from qa_tui.sim.org.spec import OrgSpec, Project
from tests.sim.conftest import client_for, small_spec

ORG = OrgSpec(bugbug_projects=2, bugbrain_keys=(3, 1), bug0_projects=2, bugbug_rpm=5)


def org_app() -> Starlette:
    return build_app(
        seed=7, clock=ScenarioClock.manual_at(), faults=FaultPlan(), scenario=small_spec(org=ORG)
    )


def bearer(project: Project) -> dict[str, str]:
    return {"Authorization": f"Bearer {project.token}"}


async def executions(client: httpx.AsyncClient, project: Project) -> httpx.Response:
    return await client.get(
        "/bugbrain/api/v1/executions",
        params={"project_id": project.project_id},
        headers=bearer(project),
    )


def test_an_org_of_twelve_is_six_bugbug_four_bugbrain_on_two_keys_and_two_bug0() -> None:
    org = OrgSpec.of_size(12)
    assert (org.bugbug_projects, org.bugbrain_keys, org.bug0_projects) == (6, (2, 2), 2)
    names = [p.name for p in org.projects()]
    assert names[:2] == ["web", "web-2"] and "plans-4" in names and names[-1] == "previews-2"
    assert len({p.token for p in org.bugbug()}) == 6
    assert len({p.token for p in org.bugbrain()}) == 2  # two keys
    with pytest.raises(ValueError):
        OrgSpec.of_size(2)


async def test_each_bugbrain_project_lists_its_own_executions_and_reads_them_by_id() -> None:
    app = org_app()
    plans, plans2, _, _ = ORG.bugbrain()
    async with client_for(app) as client:
        first, second = await executions(client, plans), await executions(client, plans2)
        assert first.status_code == second.status_code == 200
        ids = [{e["id"] for e in r.json()["data"]} for r in (first, second)]
        assert ids[0] and ids[1] and not ids[0] & ids[1]
        assert {e["project_id"] for e in second.json()["data"]} == {plans2.project_id}
        one = next(iter(ids[1]))
        status = await client.get(
            f"/bugbrain/api/v1/executions/{one}/status", headers=bearer(plans2)
        )
        assert status.status_code == 200 and status.json()["id"] == one


async def test_bugbrain_counts_its_limit_per_key_whatever_the_project() -> None:
    """GIVEN three projects on one key and a fourth on another key
    WHEN the three together send 30 requests within a minute
    THEN the 31st, for any of the three, is 429, while the other key's project still answers."""
    app = org_app()
    on_key = ORG.bugbrain()[:3]
    other = ORG.bugbrain()[3]
    async with client_for(app) as client:
        answers = [(await executions(client, on_key[i % 3])).status_code for i in range(30)]
        assert answers == [200] * 30
        refused = await executions(client, on_key[1])
        assert refused.status_code == 429
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        assert (await executions(client, other)).status_code == 200


async def test_a_key_asking_for_a_project_of_another_key_is_refused() -> None:
    app = org_app()
    plans, *_, plans4 = ORG.bugbrain()
    async with client_for(app) as client:
        asked = await client.get(
            "/bugbrain/api/v1/executions",
            params={"project_id": plans.project_id},
            headers=bearer(plans4),
        )
        assert asked.status_code == 403
        unknown = await client.get(
            "/bugbrain/api/v1/executions",
            params={"project_id": "proj_nobody"},
            headers=bearer(plans4),
        )
        assert unknown.status_code == 404


async def test_bug0_counts_its_limit_per_project() -> None:
    app = org_app()
    previews, previews2 = ORG.bug0()

    async def trigger(project: Project) -> int:
        response = await client.post(
            "/bug0/api/run-tests",
            json={"projectId": project.project_id},
            headers={"x-api-key": project.token},
        )
        return response.status_code

    async with client_for(app) as client:
        assert [await trigger(previews) for _ in range(10)] == [200] * 10
        assert await trigger(previews) == 429
        assert await trigger(previews2) == 200
        wrong = await client.post(
            "/bug0/api/run-tests",
            json={"projectId": previews2.project_id},
            headers={"x-api-key": previews.token},
        )
        assert wrong.status_code == 403


async def test_each_bugbug_project_is_its_own_api_with_its_own_token_and_limit() -> None:
    app = org_app()
    web, web2 = ORG.bugbug()
    path = "/org/bugbug/web-2/api/v2/testruns/"
    async with client_for(app) as client:
        own = {"Authorization": f"Token {web2.token}"}
        answers = [(await client.get(path, headers=own)).status_code for _ in range(5)]
        assert answers == [200] * 5
        throttled = await client.get(path, headers=own)
        assert throttled.status_code == 429 and "Retry-After" in throttled.headers
        assert (await client.get("/bugbug/api/v2/testruns/", headers=own)).status_code == 401
        demo = {"Authorization": f"Token {web.token}"}
        assert (await client.get("/bugbug/api/v2/testruns/", headers=demo)).status_code == 200


async def test_revoking_one_projects_token_refuses_that_project_only() -> None:
    app = org_app()
    web, web2 = ORG.bugbug()
    async with client_for(app) as client:
        done = await client.post("/_sim/revoke", json={"provider": "bugbug", "project": "web-2"})
        assert done.json() == {"revoked": [], "revoked_projects": ["bugbug:web-2"]}
        refused = await client.get(
            "/org/bugbug/web-2/api/v2/tests/", headers={"Authorization": f"Token {web2.token}"}
        )
        assert refused.status_code == 401
        fine = await client.get(
            "/bugbug/api/v2/tests/", headers={"Authorization": f"Token {web.token}"}
        )
        assert fine.status_code == 200
        bad = await client.post("/_sim/revoke", json={"provider": "bugbug", "project": "web-9"})
        assert bad.status_code == 400
        await client.post("/_sim/restore", json={"provider": "bugbug", "project": "web-2"})
        back = await client.get(
            "/org/bugbug/web-2/api/v2/tests/", headers={"Authorization": f"Token {web2.token}"}
        )
        assert back.status_code == 200


async def test_the_truth_lists_every_projects_runs() -> None:
    app = org_app()
    async with client_for(app) as client:
        truth = (await client.get("/_sim/truth")).json()
    projects = {(r["service"], r["project"]) for r in truth["org_runs"]}
    assert ("bugbug", "web-2") in projects and ("bugbrain", "plans-4") in projects
