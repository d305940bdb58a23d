"""Names of the Redis keys of one provider project, and the hash that stands for its key.

A scope is what instances share: the provider kind, base URL, project and token, hashed with
SHA-256 and truncated (`scope_of`). The token is in the hash so that instances share a poller and
a bucket only when they use the same key (a follower never sees what another key fetched), and
the hash is all Redis ever holds of it: no token, password or URL is written to any key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

SCHEMA = "v2"
"""Bumped when what is stored changes shape: older instances then simply do not meet newer ones."""


def scope_of(kind: str, base_url: str, project: str, token: str) -> str:
    """A short, stable, one-way identity for (kind, base URL, project, token)."""
    digest = hashlib.sha256()
    for part in (kind, base_url.rstrip("/"), project, token):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()[:24]


@dataclass(frozen=True)
class ScopeKeys:
    """Every key of one scope: `<prefix>:v1:{<scope>}:<what>` (the braces keep a scope's keys in
    one Redis Cluster slot, as its scripts need)."""

    prefix: str
    scope: str

    def _key(self, what: str) -> str:
        return f"{self.prefix}:{SCHEMA}:{{{self.scope}}}:{what}"

    @property
    def lease(self) -> str:
        """The poller's lease: a string holding the holder's random lease token."""
        return self._key("lease")

    @property
    def changes(self) -> str:
        """The stream of change batches the poller publishes."""
        return self._key("changes")

    @property
    def snapshot(self) -> str:
        """A hash of run id → run: everything the poller knows, for a newcomer's first paint."""
        return self._key("snapshot")

    @property
    def requests(self) -> str:
        """The stream of followers' refresh requests (the run open in their detail view)."""
        return self._key("requests")

    @property
    def members(self) -> str:
        """A sorted set of instance ids, scored by when their presence expires."""
        return self._key("members")

    @property
    def bucket(self) -> str:
        """The shared token bucket of this provider key."""
        return self._key("bucket")
