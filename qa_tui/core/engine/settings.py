"""How eagerly the engine polls, and how it shares a budget between live work and discovery."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineSettings:
    """How eagerly the engine polls. Defaults suit a pane left open all day."""

    active_interval_s: float = 2.0
    """Shortest wait between cycles while runs are active."""
    idle_interval_s: float = 15.0
    """Shortest wait between cycles while nothing is active."""
    idle_requests_per_minute: float = 4.0
    """At idle, a provider's live cycles get at most this many requests a minute."""
    budget_share: float = 0.85
    """The share of a provider's budget the engine plans to use; the rest is for user actions:
    discovery never takes the bucket below that share of its burst."""
    initial_window: int = 100
    """Runs listed per provider on the first cycle (the first paint)."""
    discover_window: int = 20
    """Runs listed per cycle when nothing older is active: enough to see new runs appear."""
    drift_margin: int = 10
    """Runs listed past the deepest active one the list covers: new runs push it this far down
    between cycles at most, as a rule (one that drifts further is refreshed as a deep run). On a
    server that pages by 25 whatever is asked, every run of margin may cost a page."""
    max_window: int = 100
    """The newest-first list grows to cover active runs down to this depth; deeper ones are
    refreshed through the status filter that lists them (or one by one). A shape of the work,
    never a limit on what is seen: discovery sweeps find active runs at any depth."""
    max_backoff_s: float = 120.0
    slow_after_s: float = 3.0
    """A provider whose requests take longer than this on average shows as slow."""
    sweep_share: float = 0.05
    """Discovery sweeps after the first are spaced so they use about this share of the rate
    the live cycles plan for; history pages (walks that can only add history) are read no
    faster than that share either."""
    sweep_min_interval_s: float = 120.0
    """Never sweep more often than this."""
    walk_pages_per_sweep: int = 10
    """Pages of each whole-list walk read per sweep; a walk goes on where it stopped next sweep."""
    history_pages: int = 10
    """Pages (of 100) of each list's history a walk adds to the store; deeper, a walk adds only
    the active runs it finds, and a walk that can find none (every active status has a filter)
    stops there."""
