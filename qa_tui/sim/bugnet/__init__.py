"""The simulated Bugnet (shared/providers.md §4): the bug tracker's REST API under
``<host>/bugnet/api`` (and ``/api/v1``) and the routes its game SDKs call with a project's API
key. :mod:`~qa_tui.sim.bugnet.world` holds users, login sessions, the project, bugs, comments,
labels and activity, and scores similar bugs; :mod:`~qa_tui.sim.bugnet.telemetry` keeps what the
SDK reported besides bugs; :mod:`~qa_tui.sim.bugnet.api` is how Bugnet speaks (its envelope, field
checks, session auth, updates); :mod:`~qa_tui.sim.bugnet.sdk` has the SDK's routes and
:mod:`~qa_tui.sim.bugnet.app` the dashboard's, the per-IP rate limits and ``build``, with the rules
it follows where the docs are silent. It knows the shared core only, never another provider.
"""
