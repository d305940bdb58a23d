"""Demo credentials and ids the simulator accepts. They are public on purpose: the simulator is a
loopback playground, and ``qa-tui sim --write-config`` writes them into a config file.

Formats follow the providers' documented examples: a 40-hex DRF token for BugBug,
``bugbrain_sk_dev_<base58>`` for BugBrain (Gen A; the same key is also accepted in ``x-api-key``,
Gen B style), ``bug0_sk_...`` and a 24-hex ObjectId-like project id for Bug0, a session token plus an
``sk_live_...`` project API key for Bugnet.
"""

from __future__ import annotations

BUGBUG_TOKEN = "5e0c1f7a9b2d4c6e8f0a1b3c5d7e9f2a4b6c8d0e"
"""``Authorization: Token <this>``."""

BUGBRAIN_API_KEY = "bugbrain_sk_dev_7Gx3kQ9mPz2VwR4tYb8nHc5LdJ6e"
"""``Authorization: Bearer <this>`` (or ``x-api-key: <this>``)."""
BUGBRAIN_PROJECT_ID = "proj_qatui_demo"
BUGBRAIN_OTHER_PROJECT_ID = "proj_someone_else"
"""A project that exists but the demo key cannot see (403)."""

BUG0_API_KEY = "bug0_sk_demo_4f9a2c7e1b8d"
"""``x-api-key: <this>``."""
BUG0_SERVICE_TOKEN = "bug0_svc_demo_9d3e7a1c5b2f"
"""``x-bug0-service-token: <this>`` (the internal alternative)."""
BUG0_PROJECT_ID = "665f1c2e9b3a4d5e6f708192"
BUG0_OTHER_PROJECT_ID = "507f1f77bcf86cd799439011"
"""A project that exists but the demo key has no access to (403)."""

BUGNET_EMAIL = "demo@qa-tui.dev"
BUGNET_PASSWORD = "demo-password"
BUGNET_TOKEN = "bn_sess_demo_0c4a7e2f9b1d6c3a8e5f"
"""A static session token: ``Authorization: Bearer <this>`` (login hands out fresh ones too)."""
BUGNET_API_KEY = "sk_live_demo_3b8f1e6a2d9c4f7a"
"""``X-API-Key: <this>`` for ``POST /api/bugs/submit`` (the SDK path)."""
BUGNET_PROJECT = "qa-tui-demo"
"""The demo project's slug."""
BUGNET_USER_ID = "0b7e4f52-3c1a-4d8e-9f26-5a1b7c3d9e04"
BUGNET_DISPLAY_NAME = "Demo Dev"

GITHUB_TOKEN = "ghp_qatuiDemo4f9a2c7e1b8d3c5a6e0b2d9f71a"
"""``Authorization: Bearer <this>`` (or ``token <this>``) for the simulated GitHub slice, where the
simulated Bug0 posts its commit statuses."""
