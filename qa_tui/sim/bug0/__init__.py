"""The simulated Bug0 (shared/providers.md §2): its one public endpoint, ``POST
<host>/bug0/api/run-tests``, which triggers a run and never lets anyone read it back.
:mod:`~qa_tui.sim.bug0.world` keeps every trigger it accepted and every refusal, so a test can
check what a client sent; :mod:`~qa_tui.sim.bug0.app` checks a request in the documented order and
builds the app. It knows the shared core only, never another provider.
"""
