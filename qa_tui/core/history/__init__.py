"""Local memory of runs: the cache for the first paint, and the run history for triage.

- `cache.RunCache` (the platformdirs cache dir): every run seen, for the table's first paint;
  disposable.
- the run history (the data dir, outliving a cache wipe): every run that reached a final status,
  with its test's identity, its target and its error's fingerprint; it feeds the table's history
  strips and flaky badges, incidents, the Compare pane and `qa-tui flaky` / `qa-tui incidents`.
"""

from qa_tui.core.history.cache import RunCache

__all__ = ["RunCache"]
