"""The polling engine: keeps the run store fresh within every provider's request budget.

Per provider, one `ProviderPoller` runs cycles: the newest runs by list (many per request), the
active runs deeper down through the status-filtered lists that cover them or one by one, and, at
start and then on a schedule the budget allows, a discovery sweep (`discovery.SweepPlanner`) that
reads every status filter to its last page and walks the lists no filter covers, so an active
run is seen at any depth, never only inside a window. `Engine` owns the pollers, the store they
fill and the user's actions (stop, re-run, start, detail) that go through the same budgets.
"""

from qa_tui.core.engine.engine import Engine
from qa_tui.core.engine.poller import ProviderPoller
from qa_tui.core.engine.settings import EngineSettings

__all__ = ["Engine", "EngineSettings", "ProviderPoller"]
