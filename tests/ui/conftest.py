"""The simulator-backed app most UI stories drive: `monitor` (in-process, over ASGI) and `served`
(over real loopback). A story that needs another world builds its own with `build_monitor`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.sim_monitor import SimMonitor, build_monitor


@pytest.fixture
async def monitor(tmp_path: Path) -> AsyncIterator[SimMonitor]:
    built = build_monitor(tmp_path)
    yield built
    await built.aclose()


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[SimMonitor]:
    built = build_monitor(tmp_path, loopback=True)
    yield built
    await built.aclose()
