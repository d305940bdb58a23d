"""The simulated BugBrain (shared/providers.md §3): its executions API under
``<host>/bugbrain/api/v1`` and the screenshot CDN under ``<host>/bugbrain/cdn``, over a world of
test cases, test plans and executions. :mod:`~qa_tui.sim.bugbrain.world` makes them from the seed
and moves them with the clock, :mod:`~qa_tui.sim.bugbrain.api` is how BugBrain speaks (the key
check and its documented rate limit, error bodies, the execution serializers, a sync start's
wait), and :mod:`~qa_tui.sim.bugbrain.app` has the routes and ``build``, with the rules it follows
where the docs are silent. It knows the shared core only, never another provider.
"""
