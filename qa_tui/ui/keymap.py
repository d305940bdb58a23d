"""The user's keys (`[keys]` in the config): an action id from bindings.py → its keys.

`check_keys` turns the config's table into `UserKeys` or raises `KeyProblem` naming the config
key (`keys.runs.stop`) and what is wrong: an id no action has, a key name Textual does not know,
or two actions on one key in one scope (the dashboard, the detail view, …; the app's own keys
apply over every screen, and a screen's key wins there, as `q` closes a form before it quits).
The app hands `UserKeys.keymap()` to Textual's `App.set_keymap`, which rebinds by binding id;
the footer, `?` and the palette read the same `UserKeys`, so each shows the user's keys.

Key names are Textual's: a character (`a`, `G`, `?`), a named key (`escape`, `f5`, `pageup`,
`space`, `question_mark`, `slash`), with modifiers (`ctrl+k`, `shift+tab`, `alt+x`). A single
character is stored under Textual's name for it (`?` → `question_mark`), as Textual's keymap
does itself (textual.keys `_character_to_key`: a private helper, used so a clash between `?`
and `question_mark` is seen as one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from textual.keys import (
    KEY_NAME_REPLACEMENTS,
    KEY_TO_UNICODE_NAME,
    Keys,
    format_key,
    key_to_character,
)
from textual.keys import _character_to_key as character_to_key

from qa_tui.ui.bindings import ACTIONS, Action, Scope

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
NAMED_KEYS = frozenset(
    {key.value for key in Keys} | set(KEY_TO_UNICODE_NAME) | set(KEY_NAME_REPLACEMENTS.values())
)
SCOPE_WORDS = {
    Scope.APP: "every screen",
    Scope.DASHBOARD: "the dashboard",
    Scope.DETAIL: "the detail view",
    Scope.NEW_RUN: "the new-run dialog",
    Scope.FILE_BUG: "the bug form",
    Scope.SIMILAR: "the similar bugs",
    Scope.OUTBOX: "the outbox",
    Scope.SHOT_PANEL: "a screenshot in a pane",
    Scope.SHOT_VIEW: "a full-screen screenshot",
    Scope.INCIDENTS: "the incidents",
    Scope.LIST: "every table and list",
}


class KeyProblem(ValueError):
    """A `[keys]` entry that cannot be used: `key` is its config key, `expected` says why."""

    def __init__(self, key: str, expected: str) -> None:
        super().__init__(f"{key}: {expected}")
        self.key = key
        self.expected = expected


def is_key_name(key: str) -> bool:
    """True for a key Textual can bind: a character or a named key, with known modifiers."""
    *modifiers, base = key.split("+")
    if not base or any(modifier not in MODIFIERS for modifier in modifiers):
        return False
    if len(base) == 1:
        return base.isprintable() and not base.isspace()
    return base in NAMED_KEYS or key_to_character(base) is not None


def normal_key(key: str) -> str:
    """Textual's name for a key: `?` → `question_mark`, `ctrl+k` stays."""
    return character_to_key(key) if len(key) == 1 else key


def display_key(key: str) -> str:
    """A key as Textual's footer writes it (`App.get_key_display`): `ctrl+r` → `^r`, `?` for
    `question_mark`."""
    *modifiers, base = key.split("+")
    shown = format_key(base)
    if "ctrl" in modifiers:
        modifiers.remove("ctrl")
        shown = f"^{shown}"
    return "+".join([*modifiers, shown])


@dataclass(frozen=True)
class UserKeys:
    """The keys the user chose, by action id (every other action keeps its own)."""

    chosen: Mapping[str, str] = field(default_factory=dict)
    """Action id → comma-separated Textual key names, normalized."""

    def keys_of(self, action: Action) -> list[str]:
        return [key.strip() for key in self.chosen.get(action.id, action.keys).split(",")]

    def label(self, action: Action) -> str:
        """How `?` and the palette write the action's keys: its own label, or every key the
        user gave it (`r ^r`)."""
        if action.id not in self.chosen:
            return action.key_display or action.keys.split(",")[0]
        return " ".join(display_key(key) for key in self.keys_of(action))

    def keymap(self) -> dict[str, str]:
        """For `App.set_keymap`."""
        return dict(self.chosen)


def check_keys(table: Mapping[str, str], actions: Iterable[Action] = ACTIONS) -> UserKeys:
    """`[keys]` checked (see the module docstring); raises KeyProblem naming the first problem."""
    known = {action.id: action for action in actions}
    chosen: dict[str, str] = {}
    for action_id, value in table.items():
        config_key = f"keys.{action_id}"
        if action_id not in known:
            raise KeyProblem(
                config_key, "no action has this id (`qa-tui keys` lists every action id)"
            )
        keys = [key.strip() for key in value.split(",")]
        for key in keys:
            if not is_key_name(key):
                raise KeyProblem(
                    config_key,
                    f"{key!r} is not a key name Textual knows (a, G, ctrl+k, f5, escape, "
                    "space, question_mark, ...)",
                )
        chosen[action_id] = ",".join(normal_key(key) for key in keys)
    user = UserKeys(chosen)
    _check_clashes(user, list(known.values()))
    return user


def _check_clashes(user: UserKeys, actions: list[Action]) -> None:
    """Two actions on one key in one scope. The app's own keys are in every scope: a key the
    user gives that shadows one of them (or is shadowed) is a clash too; the shadowing the
    defaults do on purpose (`q` closes a form, elsewhere quits) is not."""
    for scope in Scope:
        taken: dict[str, Action] = {}
        here = [a for a in actions if scope in a.scopes or Scope.APP in a.scopes]
        for action in sorted(here, key=lambda a: Scope.APP not in a.scopes):
            for key in (normal_key(k) for k in user.keys_of(action)):
                other = taken.get(key)
                taken[key] = action
                if other is None or other.id == action.id:
                    continue
                if action.id not in user.chosen and other.id not in user.chosen:
                    continue
                mine, theirs = (action, other) if action.id in user.chosen else (other, action)
                raise KeyProblem(
                    f"keys.{mine.id}",
                    f"{key!r} is also {theirs.id}'s key in {SCOPE_WORDS[scope]}: "
                    "give one of them another key",
                )


def keymap_lines(user: UserKeys, actions: Iterable[Action] = ACTIONS) -> list[str]:
    """`qa-tui keys`: every action id, its keys (`*` the user's), where, what it does."""
    rows = [
        (
            action.id,
            ",".join(user.keys_of(action)) + (" *" if action.id in user.chosen else ""),
            ", ".join(SCOPE_WORDS[scope] for scope in action.scopes),
            action.description,
        )
        for action in actions
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    head = ("ACTION ID", "KEYS", "WHERE", "WHAT")
    widths = [max(w, len(h)) for w, h in zip(widths, head, strict=False)]
    return [
        f"{a:<{widths[0]}}  {k:<{widths[1]}}  {s:<{widths[2]}}  {d}".rstrip()
        for a, k, s, d in (head, *rows)
    ]
