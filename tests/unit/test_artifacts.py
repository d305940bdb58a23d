"""Saving an artifact from the detail view: the right bytes, under a short safe name, in the
folder, never over a file already there, private to the user."""

from __future__ import annotations

import stat
from pathlib import Path

from qa_tui.core.actions.artifacts import fetch_artifact, save_artifact
from qa_tui.core.model import Artifact, ProviderKind, Run
from tests.support.fakes import FakeSource, make_run

PNG = b"\x89PNG\r\n\x1a\n"


class Downloads(FakeSource):
    async def fetch_junit(self, run: Run) -> bytes:
        return b"<testsuite/>"

    async def download(self, url: str, *, max_bytes: int | None = None) -> bytes:
        return f"bytes of {url}".encode()


async def test_a_junit_report_is_fetched_through_the_report_call_and_saved_as_xml(
    tmp_path: Path,
) -> None:
    run = make_run("r1")
    junit = Artifact(id="r1:junit", kind="junit", url="https://x/report")
    data = await fetch_artifact(Downloads(), run, junit)
    assert data == b"<testsuite/>"
    path = save_artifact(data, run, junit, tmp_path)
    assert path == tmp_path / "bugbug-r1-junit.xml"
    assert path.read_bytes() == b"<testsuite/>"


async def test_a_screenshot_is_downloaded_from_its_url_and_named_safely(tmp_path: Path) -> None:
    run = make_run("../../etc/passwd")
    shot = Artifact(id="s1", kind="screenshot", url="https://x/s1.png")
    data = await fetch_artifact(Downloads(), run, shot)
    assert data == b"bytes of https://x/s1.png"
    path = save_artifact(data, run, shot, tmp_path)
    assert path.parent == tmp_path
    assert path.name == "bugbug-etcpassw-screenshot.png"  # the extension from its URL


def test_two_screenshots_of_one_run_are_saved_to_two_files(tmp_path: Path) -> None:
    run = make_run("r1")
    first = save_artifact(
        PNG + b"1", run, Artifact(id="a", kind="screenshot", label="step 1"), tmp_path
    )
    second = save_artifact(
        PNG + b"2", run, Artifact(id="b", kind="screenshot", label="step 2"), tmp_path
    )
    assert (first.name, second.name) == ("bugbug-r1-step1.png", "bugbug-r1-step2.png")
    assert (first.read_bytes(), second.read_bytes()) == (PNG + b"1", PNG + b"2")


def test_saving_the_same_screenshot_again_never_overwrites_the_first(tmp_path: Path) -> None:
    run = make_run("3f2c9a1e-1111-4b01-934a-2223bf759aa2")
    shot = Artifact(id="a", kind="screenshot", label="test 2 step 3")
    first = save_artifact(b"\xff\xd8\xff first", run, shot, tmp_path)
    again = save_artifact(b"\xff\xd8\xff again", run, shot, tmp_path)
    assert (first.name, again.name) == (
        "bugbug-3f2c9a1e-test2-step3.jpg",
        "bugbug-3f2c9a1e-test2-step3-2.jpg",
    )
    assert first.read_bytes() == b"\xff\xd8\xff first"
    assert stat.S_IMODE(again.stat().st_mode) == 0o600


def test_a_bugbrain_tests_screenshot_is_named_after_the_test(tmp_path: Path) -> None:
    run = make_run("exec_978fe9cd5f10", provider="plans", provider_kind=ProviderKind.BUGBRAIN)
    shot = Artifact(id="t1:screenshot", kind="screenshot", label="Checkout with card (€)")
    path = save_artifact(PNG, run, shot, tmp_path)
    assert path.name == "bugbrain-978fe9cd-checkout-with-card.png"


async def test_an_artifact_without_an_address_is_not_fetched() -> None:
    run = make_run("r1")
    assert await fetch_artifact(Downloads(), run, Artifact(id="a", kind="dom_snapshot")) is None
