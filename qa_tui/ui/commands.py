"""The command palette: every action of the current screen and the app, by name."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider

from qa_tui.ui.bindings import ACTIONS, Scope
from qa_tui.ui.host import host_of


class ActionCommands(Provider):
    """Lists the actions bound on the active screen (and the app's), as in the help screen."""

    def _available(self) -> list[tuple[str, str, str]]:
        screen = self.screen
        scope = getattr(screen, "SCOPE", None)
        keys = host_of(self.app).user_keys  # the user's keys ([keys]) in the labels
        found = []
        for action in ACTIONS:
            if action.id == "app.palette":
                continue
            if Scope.APP in action.scopes:
                target = "app"
            elif scope in action.scopes:
                target = "screen"
            else:
                continue
            label = f"{action.description}  ({keys.label(action)})"
            found.append((label, f"{target}.{action.action}", action.help))
        return found

    async def discover(self) -> Hits:
        for label, action, help_text in self._available():
            yield Hit(1.0, label, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, action, help_text in self._available():
            score = matcher.match(f"{label} {help_text}")
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(label),
                    partial(self.app.run_action, action),
                    help=help_text,
                )
