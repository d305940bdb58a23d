"""The simulator: BugBug, BugBrain, Bug0 and Bugnet played faithfully on one loopback port.

It never imports ``qa_tui.core``: it is a second, independent reading of shared/providers.md, so a
misunderstanding in a client is caught here instead of mirrored. See :mod:`qa_tui.sim.server` for
the public surface, :mod:`qa_tui.sim.app` for the URL layout and control API, and each provider's
package for the choices made where the documentation is silent.

Each service is a package of its own (``bugbug/``, ``bugbrain/``, ``bug0/``, ``bugnet/``: its
world, how it speaks, its routes), and none imports another (an import-linter contract). What
they share stays here: the scenario and its clock, faults, limits, dialects, credentials, media
and the triage plans, and the parts that put the services together (the app and its control API,
the org, the planting, the dialect wire layer, the server).

The names below are loaded when first used, so `qa-tui demo` can read the config text
(:mod:`qa_tui.sim.config_text`) without loading Starlette and uvicorn: its simulator starts in a
process of its own, importing them there, on the other core.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qa_tui.sim.app import Simulator, build_app
    from qa_tui.sim.config_text import banner, render_config
    from qa_tui.sim.faults import FaultPlan, FaultSpecError, ProviderFaults, parse_fault_spec
    from qa_tui.sim.scenario import HOSTILE_NAMES, ScenarioClock, ScenarioSpec
    from qa_tui.sim.server import RunningSim, serve, start_in_thread

_HOMES = {
    "Simulator": "app",
    "build_app": "app",
    "banner": "config_text",
    "render_config": "config_text",
    "FaultPlan": "faults",
    "FaultSpecError": "faults",
    "ProviderFaults": "faults",
    "parse_fault_spec": "faults",
    "HOSTILE_NAMES": "scenario",
    "ScenarioClock": "scenario",
    "ScenarioSpec": "scenario",
    "RunningSim": "server",
    "serve": "server",
    "start_in_thread": "server",
}

__all__ = [
    "HOSTILE_NAMES",
    "FaultPlan",
    "FaultSpecError",
    "ProviderFaults",
    "RunningSim",
    "ScenarioClock",
    "ScenarioSpec",
    "Simulator",
    "banner",
    "build_app",
    "parse_fault_spec",
    "render_config",
    "serve",
    "start_in_thread",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'qa_tui.sim' has no attribute {name!r}")
    return getattr(importlib.import_module(f"qa_tui.sim.{home}"), name)
