"""Saving a run's artifact to a file: what to fetch for it, what to call it, and where it lands
(the detail view's enter on an artifact, `s` on a screenshot). The UI calls these from a worker;
no widget touches the disk.

A save lands in the downloads folder (`paths.downloads_dir`: never the current folder, which under
`make demo` is the git checkout), under a short name a person can read and sort:
`bugbug-3f2c9a1e-step3.png`, `bugbrain-978fe9cd-checkout-with-card.png`, `bugbug-3f2c9a1e-junit.xml`.
A file already there is never overwritten (`-2`, `-3` … are added), and the file is the user's
alone (0600).
"""

from __future__ import annotations

import re
from pathlib import Path

from qa_tui.core import paths
from qa_tui.core.model import Artifact, Run
from qa_tui.core.providers.base import RunSource

SUFFIXES = {"junit": ".xml", "logs": ".log"}
PICTURES = (
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8\xff", ".jpg"),
    (b"GIF8", ".gif"),
    (b"BM", ".bmp"),
)
WHAT_BY_KIND = {"junit": "junit", "logs": "log"}
MAX_WHAT = 32
"""The longest the part naming what was saved may be (a BugBrain test's name, say)."""
MAX_COPIES = 1000


async def fetch_artifact(source: RunSource, run: Run, artifact: Artifact) -> bytes | None:
    """The artifact's bytes (JUnit through the provider's report call), or None when it has no
    address to fetch. Raises the provider's errors."""
    if artifact.kind == "junit":
        return await source.fetch_junit(run)
    if artifact.url:
        return await source.download(artifact.url)
    return None


def slug(text: str) -> str:
    """Lowercase letters and digits, words joined by `-`: safe in any file name."""
    return "-".join(re.findall(r"[a-z0-9]+", text.casefold()))


def short_run_id(run_id: str) -> str:
    """The part of a run's id a person tells runs apart by: a UUID's first group, an
    `exec_978fe9cd5f10`'s `978fe9cd`, at most 8 letters or digits."""
    tail = run_id.rsplit("_", 1)[-1]
    return "".join(re.findall(r"[A-Za-z0-9]", tail))[:8].lower() or "run"


def what_was_saved(artifact: Artifact) -> str:
    """`step3` for a step's screenshot (`test2-step3` inside a suite), `junit`, `log`, a BugBrain
    test's name; else the artifact's kind."""
    if artifact.kind in WHAT_BY_KIND:
        return WHAT_BY_KIND[artifact.kind]
    label = artifact.label or ""
    steps = re.findall(r"(test|step)\s*(\d+)", label.casefold())
    if steps and artifact.kind == "screenshot":
        return "-".join(f"{word}{number}" for word, number in steps)
    return (slug(label) or slug(artifact.kind) or "file")[:MAX_WHAT].strip("-")


def suffix_for(artifact: Artifact, data: bytes) -> str:
    """The extension the bytes call for (a screenshot may be a JPEG), else the kind's."""
    for magic, suffix in PICTURES:
        if data.startswith(magic):
            return suffix
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    if artifact.kind in SUFFIXES:
        return SUFFIXES[artifact.kind]
    found = re.search(r"\.([A-Za-z0-9]{1,5})$", (artifact.url or "").split("?")[0])
    return f".{found.group(1).lower()}" if found else ""


def artifact_name(run: Run, artifact: Artifact, data: bytes) -> str:
    """`bugbug-3f2c9a1e-step3.png`: the provider's kind, the run, what it is."""
    stem = f"{run.provider_kind.value}-{short_run_id(run.id)}-{what_was_saved(artifact)}"
    return stem + suffix_for(artifact, data)


def save_artifact(data: bytes, run: Run, artifact: Artifact, folder: Path | None = None) -> Path:
    """Write the bytes into `folder` (default: the downloads folder) under `artifact_name`,
    never over a file already there; returns the path written. Raises OSError."""
    where = paths.private_dir(folder if folder is not None else paths.downloads_dir())
    name = artifact_name(run, artifact, data)
    stem, dot, suffix = name.partition(".")
    for copy in range(1, MAX_COPIES + 1):
        candidate = where / (name if copy == 1 else f"{stem}-{copy}{dot}{suffix}")
        try:
            return paths.write_private(candidate, data, replace=False)
        except FileExistsError:
            continue
    raise FileExistsError(f"{where / name} and {MAX_COPIES - 1} numbered copies exist")
