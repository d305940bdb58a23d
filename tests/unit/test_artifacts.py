"""Saving an artifact from the detail view: the right bytes, under a safe name, in the folder."""

from __future__ import annotations

from pathlib import Path

from qa_tui.core.artifacts import fetch_artifact, save_artifact
from qa_tui.core.model import Artifact, Run
from tests.support.fakes import FakeSource, make_run


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
    assert path == tmp_path / "qa-tui-r1-junit.xml"
    assert path.read_bytes() == b"<testsuite/>"


async def test_a_screenshot_is_downloaded_from_its_url_and_named_safely(tmp_path: Path) -> None:
    run = make_run("../../etc/passwd")
    shot = Artifact(id="s1", kind="screenshot", url="https://x/s1.png")
    data = await fetch_artifact(Downloads(), run, shot)
    assert data == b"bytes of https://x/s1.png"
    path = save_artifact(data, run, shot, tmp_path)
    assert path.parent == tmp_path
    assert path.name == "qa-tui-______etc_passwd-screenshot-s1.png"


def test_two_screenshots_of_one_run_are_saved_to_two_files(tmp_path: Path) -> None:
    run = make_run("r1")
    first = save_artifact(b"1", run, Artifact(id="step-1", kind="screenshot"), tmp_path)
    second = save_artifact(b"2", run, Artifact(id="step-2", kind="screenshot"), tmp_path)
    assert first != second
    assert (first.read_bytes(), second.read_bytes()) == (b"1", b"2")


async def test_an_artifact_without_an_address_is_not_fetched() -> None:
    run = make_run("r1")
    assert await fetch_artifact(Downloads(), run, Artifact(id="a", kind="dom_snapshot")) is None
