"""`qa-tui doctor --probe`: a few GET requests to each provider and the tracker, within each
budget, and a report of which reading of the providers' loose docs each server speaks.

The docs leave much open (shared/providers.md marks it [INF]): whether BugBug's `next` is absolute,
relative, null or names another host; whether `stepsRuns` is JSON, an array or opaque; which
rate-limit headers come; whether BugBrain sends a total or caps `limit`; Bugnet's envelope and
error bodies. The clients read every plausible one; the probe says which one it met, so the user
(and we) know. `record.py` keeps every exchange, redacted, for a report (`--record DIR`);
`readings.py` names the shape of what was read; `probe.py` sends the requests. Nothing here
ever writes to a provider: every request is a GET.
"""
