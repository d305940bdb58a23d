"""A small slice of GitHub's REST API, where the simulated Bug0 posts its results: a commit's
combined status and its check runs (``<host>/github/repos/{owner}/{repo}/commits/{ref}/status``,
``.../check-runs``) and ``/github/rate_limit``, with ETags, 304s and GitHub's rate-limit headers.
:mod:`~qa_tui.sim.github.world` derives what is posted on each commit from the clock and the runs
it is told of (Bug0's triggers that carried a commit and a repository, handed in by the
simulator's app); :mod:`~qa_tui.sim.github.app` serves it. It knows the shared core only, never
another provider.
"""
