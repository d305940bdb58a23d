"""The simulated BugBug (shared/providers.md §1): its Public API v2 under ``<host>/bugbug``, the
files and web pages its answers link to, and the world of tests, suites, profiles and runs behind
them. :mod:`~qa_tui.sim.bugbug.runs` holds the things and the status words a run goes through,
:mod:`~qa_tui.sim.bugbug.world` makes them from the seed and moves them with the clock,
:mod:`~qa_tui.sim.bugbug.api` is how BugBug speaks (token auth, DRF pages and errors, the run
serializers), :mod:`~qa_tui.sim.bugbug.files` serves screenshots, artifacts, logs, JUnit and
pages, and :mod:`~qa_tui.sim.bugbug.app` has the routes and ``build``, with the rules it follows
where the docs are silent. It knows the shared core only, never another provider.
"""
