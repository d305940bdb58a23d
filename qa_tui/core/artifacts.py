"""Saving a run's artifact to a file: what to fetch for it and where it lands (the detail view's
enter on an artifact). The UI calls these from a worker; no widget touches the disk."""

from __future__ import annotations

from pathlib import Path

from qa_tui.core.model import Artifact, Run
from qa_tui.core.providers.base import RunSource

SUFFIXES = {"junit": ".xml", "screenshot": ".png", "logs": ".log"}


async def fetch_artifact(source: RunSource, run: Run, artifact: Artifact) -> bytes | None:
    """The artifact's bytes (JUnit through the provider's report call), or None when it has no
    address to fetch. Raises the provider's errors."""
    if artifact.kind == "junit":
        return await source.fetch_junit(run)
    if artifact.url:
        return await source.download(artifact.url)
    return None


def artifact_path(run: Run, artifact: Artifact, folder: Path) -> Path:
    """`qa-tui-<run id>-<kind>[-<artifact id>].<ext>` in `folder`, with only filename-safe
    characters. A run has many screenshots: their own ids keep one from overwriting another."""
    suffix = SUFFIXES.get(artifact.kind, "")
    name = f"{run.id}-{artifact.kind}"
    if not artifact.id.startswith(run.id):
        name += f"-{artifact.id}"
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    return folder / f"qa-tui-{stem[:120]}{suffix}"


def save_artifact(data: bytes, run: Run, artifact: Artifact, folder: Path) -> Path:
    """Write the bytes where `artifact_path` says; returns the path."""
    path = artifact_path(run, artifact, folder)
    path.write_bytes(data)
    return path
