"""The `qa-tui` command: one argument grammar (`arguments.py`, `main.py`) over the app (`tui.py`),
the headless commands scripts and CI use (`runs`, `watch`, `run`, `flaky`, `incidents`,
`doctor`, `config`), the simulator and the demo (`simulator.py`, `demo_sim.py`) and `serve`.
It wires the core's services together (`services.py`) and hands them to the app; the headless
commands never import Textual (an import-linter contract)."""
