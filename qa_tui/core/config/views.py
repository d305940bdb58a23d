"""Saved views: `[[views]]` in the config, and `views.toml` beside it for the views saved from
the app.

A view is a name, a filter in the `/` language, and optionally a sort (`sort`, `reverse`) and
the columns to show. The first nine, in order (the config's, then `views.toml`'s), are on the
keys `1`…`9`; `v` lists them all; `0` shows every run.

Saving from the app appends a `[[views]]` table to `views.toml` beside the config file, never
to the config itself: the config is the user's hand-written file with its comments, and a
program rewriting it would have to round-trip TOML it does not own. `views.toml` is written
whole each time (0600, replaced atomically), with a comment saying what wrote it.

The last view shown is remembered in the data dir (`last-view`, its name alone) and shown again
at the next start; a name no longer in the config is forgotten quietly (the table shows every run).

Errors name the file and the key (`views[2].filter`) like every config error, and exit 2.
"""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from qa_tui.core import paths
from qa_tui.core.config.errors import allowed_keys, expected_for, key_path
from qa_tui.core.errors import ConfigError
from qa_tui.core.runs.query import QueryError, parse_query

VIEWS_FILE = "views.toml"
LAST_VIEW_FILE = "last-view"
KEYED = 9
"""Views on the keys `1`…`9`; the others only in the `v` list."""
Column = Literal[
    "status",
    "provider",
    "kind",
    "name",
    "target",
    "progress",
    "history",
    "started",
    "duration",
    "trigger",
    "bug",
]
COLUMN_KEYS: tuple[Column, ...] = get_args(Column)
"""The runs table's columns by key (ui/runs/run_line.py COLUMNS), for `columns = [...]`."""
Sort = Literal["started", "status", "provider", "name", "duration"]
NAME_MAX = 40


class ViewConfig(BaseModel):
    """One `[[views]]` table."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: str = Field(min_length=1, max_length=NAME_MAX)
    """What the `v` list and the notice call it."""
    filter: str = ""
    """The `/` filter's text (`status:failed provider:web since:24h`); empty: every run."""
    sort: Sort | None = None
    """The column sorted by (None: as the table was)."""
    reverse: bool = False
    """The sort the other way round (oldest first, shortest first, Z to A)."""
    columns: tuple[Column, ...] | None = None
    """The columns shown, those that fit (None: every column; NAME is always shown)."""

    @field_validator("name")
    @classmethod
    def _one_line(cls, name: str) -> str:
        if not name.strip() or any(ch in name for ch in "\n\r\t"):
            raise ValueError("expected a name on one line")
        return name

    @field_validator("filter")
    @classmethod
    def _readable_filter(cls, text: str) -> str:
        try:
            parse_query(text)
        except QueryError as error:
            raise ValueError(f"expected a filter in the / language: {error}") from None
        return text

    @field_validator("columns", mode="before")
    @classmethod
    def _columns_as_tuple(cls, value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value


class _ViewsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    views: list[ViewConfig] = Field(default_factory=list)


def check_unique(views: Sequence[ViewConfig], file: str, offset: int = 0) -> None:
    """Two views with one name: the second is named."""
    seen: set[str] = set()
    for index, view in enumerate(views):
        if view.name.casefold() in seen:
            raise ConfigError(file, f"views[{index - offset}].name", "duplicate view name")
        seen.add(view.name.casefold())


def views_file(config_path: Path) -> Path:
    return config_path.with_name(VIEWS_FILE)


def load_views_file(path: Path) -> list[ViewConfig]:
    """The views saved from the app (none when the file is not there)."""
    file = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError):
        raise ConfigError(file, "", "cannot read it as UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(file, "", f"TOML syntax error: {exc}") from None
    try:
        return _ViewsFile.model_validate(raw).views
    except ValidationError as exc:
        error = min(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        expected, sub_key = expected_for(error, allowed_keys(_ViewsFile, error["loc"]))
        key = key_path(error["loc"])
        raise ConfigError(file, f"{key}.{sub_key}" if sub_key else key, expected) from None


def _toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's (`\\"`, `\\\\`, `\\n`, `\\uXXXX`)."""
    return json.dumps(text, ensure_ascii=False)


def view_toml(view: ViewConfig) -> str:
    lines = ["[[views]]", f"name = {_toml_string(view.name)}"]
    lines.append(f"filter = {_toml_string(view.filter)}")
    if view.sort is not None:
        lines.append(f"sort = {_toml_string(view.sort)}")
    if view.reverse:
        lines.append("reverse = true")
    if view.columns is not None:
        lines.append("columns = [" + ", ".join(_toml_string(c) for c in view.columns) + "]")
    return "\n".join(lines) + "\n"


class ViewBook:
    """Every saved view (the config's first), where new ones are saved, and the last shown."""

    def __init__(
        self,
        configured: Sequence[ViewConfig] = (),
        saved: Sequence[ViewConfig] = (),
        *,
        file: Path | None = None,
        state_dir: Path | None = None,
    ) -> None:
        """`file`: views.toml (None: views cannot be saved); `state_dir`: where the last
        view's name is kept (None: the data dir)."""
        self.configured = list(configured)
        self.saved = list(saved)
        self.file = file
        self._state_dir = state_dir

    @classmethod
    def beside(cls, config_path: Path, configured: Sequence[ViewConfig]) -> ViewBook:
        """The config's views and those in views.toml beside it (ConfigError when that file is
        bad, or names a view the config names too)."""
        file = views_file(config_path)
        saved = load_views_file(file)
        check_unique([*configured, *saved], str(file), offset=len(configured))
        return cls(configured, saved, file=file)

    @property
    def views(self) -> list[ViewConfig]:
        return [*self.configured, *self.saved]

    def numbered(self, number: int) -> ViewConfig | None:
        """The view on key `number` (1…9), if there is one."""
        views = self.views
        return views[number - 1] if 1 <= number <= min(KEYED, len(views)) else None

    def named(self, name: str) -> ViewConfig | None:
        return next((v for v in self.views if v.name.casefold() == name.casefold()), None)

    def number_of(self, view: ViewConfig) -> int | None:
        index = self.views.index(view) + 1
        return index if index <= KEYED else None

    def save(self, view: ViewConfig) -> Path:
        """Add (or replace, by name) a view in views.toml; returns the file. Raises OSError,
        or ValueError when the config itself has a view of that name."""
        if self.file is None:
            raise ValueError("views cannot be saved here (no config file)")
        if any(v.name.casefold() == view.name.casefold() for v in self.configured):
            raise ValueError(f"the config has a view named {view.name!r}: pick another name")
        kept = [v for v in self.saved if v.name.casefold() != view.name.casefold()]
        text = "# Views saved from qa-tui (the palette's Save view). Edit freely.\n"
        text += "".join("\n" + view_toml(v) for v in [*kept, view])
        _replace(self.file, text)
        self.saved = [*kept, view]
        return self.file

    # --- the last view ------------------------------------------------------------------------

    def _state_file(self) -> Path:
        folder = self._state_dir if self._state_dir is not None else paths.data_dir()
        return folder / LAST_VIEW_FILE

    def last(self) -> ViewConfig | None:
        """The view shown last time, if it is still saved."""
        try:
            name = self._state_file().read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return self.named(name) if name else None

    def remember(self, view: ViewConfig | None) -> None:
        """Keep the view shown now for the next start (None: every run). Best effort: a
        read-only data dir costs only the memory of it."""
        try:
            target = self._state_file()
            paths.private_dir(target.parent)
            paths.write_private(target, (view.name if view else "").encode("utf-8"))
        except OSError:
            pass


def _replace(path: Path, text: str) -> None:
    """Write `text` to `path` atomically (a temporary file beside it, renamed), 0600."""
    fd, temporary = tempfile.mkstemp(prefix=".views-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
