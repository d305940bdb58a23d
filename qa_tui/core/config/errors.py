"""How a config file's values are expanded and how its errors read.

`${NAME}` references are replaced from the environment (`$${` for a literal `${`), and a
pydantic validation error becomes one line that names the dotted key path and what was expected
(with a "did you mean" for an unknown key). `config.load_config` uses both.
"""

from __future__ import annotations

import difflib
import os
import re
from typing import Any, get_args

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from qa_tui.core.errors import ConfigError


class KeyedValueError(ValueError):
    """A validation failure that knows which key (relative to the model) is wrong."""

    def __init__(self, key: str, expected: str) -> None:
        super().__init__(expected)
        self.key = key
        self.expected = expected


_VAR = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\{")


def expand_env(raw: Any, file: str, key: str = "", env: dict[str, str] | None = None) -> Any:
    """Replace `${NAME}` in every string value (lists and tables walked), `$${` → `${`."""
    environ = dict(os.environ) if env is None else env
    if isinstance(raw, dict):
        return {k: expand_env(v, file, f"{key}.{k}" if key else k, environ) for k, v in raw.items()}
    if isinstance(raw, list):
        return [expand_env(v, file, f"{key}[{i}]", environ) for i, v in enumerate(raw)]
    if not isinstance(raw, str) or "${" not in raw:
        return raw

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "${"
        name = match.group(1)
        if name is None:
            raise ConfigError(file, key, "bad ${...} reference (write $${ for a literal ${)")
        if name not in environ:
            raise ConfigError(file, key, f"environment variable {name} is not set")
        return environ[name]

    return _VAR.sub(replace, raw)


def key_path(loc: tuple[int | str, ...]) -> str:
    """("providers", 1, "kind") → "providers[1].kind"."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def expected_for(error: ErrorDetails, allowed: list[str]) -> tuple[str, str | None]:
    """(what was expected, the offending sub-key if the error names one)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "value_error" and isinstance(ctx.get("error"), KeyedValueError):
        keyed: KeyedValueError = ctx["error"]
        return keyed.expected, keyed.key
    leaf = error["loc"][-1] if error["loc"] else ""
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(leaf), allowed, n=1)
        return "unknown key" + (f" (did you mean {close[0]!r}?)" if close else ""), None
    if kind == "missing" and leaf == "providers":
        return "expected at least one [[providers]] table", None
    if kind in ("literal_error", "enum"):
        return f"expected {ctx.get('expected', 'one of the allowed values')}", None
    simple = {
        "missing": "required key is missing",
        "finite_number": "expected a finite number",
        "string_type": "expected a string",
        "float_type": "expected a number",
        "int_type": "expected an integer",
        "bool_type": "expected true or false",
        "list_type": "expected a list",
        "model_type": "expected a table",
        "dict_type": "expected a table",
        "too_short": "expected at least one entry" if leaf == "providers" else "must not be empty",
        "string_too_short": "must not be empty",
        "greater_than": f"expected a number greater than {ctx.get('gt', 0):g}",
        "greater_than_equal": f"expected a number of at least {ctx.get('ge', 0):g}",
        "less_than_equal": f"expected a number of at most {ctx.get('le', 0):g}",
        "string_too_long": "too long",
    }
    return simple.get(kind, str(error["msg"]).removeprefix("Value error, ")), None


def allowed_keys(root: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys the table at `loc` (less its last part) allows, found through the models' own
    field types (a table, a list of tables or an optional table), so a new section needs no
    entry here."""
    model = root
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        inner = _model_in(field.annotation) if field is not None else None
        if inner is None:
            break
        model = inner
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
