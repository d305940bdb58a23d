"""The simulator: BugBug, BugBrain, Bug0 and Bugnet played faithfully on one loopback port.

It never imports ``qa_tui.core``: it is a second, independent reading of shared/providers.md, so a
misunderstanding in a client is caught here instead of mirrored. See :mod:`qa_tui.sim.server` for
the public surface, :mod:`qa_tui.sim.app` for the URL layout and control API, and each provider
module's docstring for the choices made where the documentation is silent.
"""

from qa_tui.sim.app import Simulator, build_app
from qa_tui.sim.faults import FaultPlan, FaultSpecError, ProviderFaults, parse_fault_spec
from qa_tui.sim.scenario import HOSTILE_NAMES, ScenarioClock, ScenarioSpec
from qa_tui.sim.server import RunningSim, banner, render_config, serve, start_in_thread

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
