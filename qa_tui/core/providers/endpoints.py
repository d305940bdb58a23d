"""Where each service is reached when a config does not say: the kinds' default base URLs."""

from __future__ import annotations

from qa_tui.core.config.tables import ProviderConfig
from qa_tui.core.providers import bug0, bugbrain, bugbug, bugnet

DEFAULT_BASE_URLS = {
    "bugbug": bugbug.DEFAULT_BASE_URL,
    "bugbrain": bugbrain.DEFAULT_BASE_URL,
    "bug0": bug0.DEFAULT_BASE_URL,
    "bugnet": bugnet.DEFAULT_BASE_URL,
}


def default_base_url(kind: str) -> str:
    """The service root used when a provider's config has no `base_url`."""
    return DEFAULT_BASE_URLS[kind]


def base_url_for(provider: ProviderConfig) -> str:
    """The base URL this provider is reached at."""
    return provider.base_url or default_base_url(provider.kind)
