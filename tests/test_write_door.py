"""Every write to a run provider goes through one door, core/actions/writes.py, where read-only
and production are enforced: no key, palette entry, mark, view or command can reach a provider's
stop, re-run, start or trigger another way.

The provider write methods are found, not listed: every function of the BugBug, BugBrain and
Bug0 packages that sends a POST, PUT, PATCH or DELETE, and every function there that calls one
(to a fixed point). A new write endpoint is in that set as soon as it is written; a call to any
of them outside the provider packages and the door fails this test. The engine's own
`stop_run` / `rerun` / `start` (called on an `engine`) are the door's front: they are checked like
any module, so they cannot call a provider write themselves.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import qa_tui

ROOT = Path(qa_tui.__file__).parent
RUN_PROVIDERS = [ROOT / "core" / "providers" / name for name in ("bugbug", "bugbrain", "bug0")]
DOOR = ROOT / "core" / "actions" / "writes.py"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def _sends_a_write(function: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Call)
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value in WRITE_METHODS
        for node in ast.walk(function)
    )


def provider_writes() -> set[str]:
    """The names of every run-provider function that sends a write, directly or through another."""
    functions = [
        function
        for package in RUN_PROVIDERS
        for path in package.glob("*.py")
        for function in _functions(ast.parse(path.read_text(encoding="utf-8")))
    ]
    writes = {function.name for function in functions if _sends_a_write(function)}
    while True:
        more = {
            function.name
            for function in functions
            if function.name not in writes
            and any(
                isinstance(node, ast.Call) and _called_name(node) in writes
                for node in ast.walk(function)
            )
        }
        if not more:
            return writes
        writes |= more


def _on_the_engine(call: ast.Call) -> bool:
    """`engine.stop_run(…)`, `self.qa_app.engine.rerun(…)`: the engine's guarded front."""
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    return (isinstance(receiver, ast.Attribute) and receiver.attr == "engine") or (
        isinstance(receiver, ast.Name) and receiver.id == "engine"
    )


def bypasses(source: str, writes: set[str]) -> list[str]:
    """Calls in `source` that reach a provider write without the door."""
    return [
        f"line {node.lineno}: {_called_name(node)}()"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and _called_name(node) in writes and not _on_the_engine(node)
    ]


def test_the_provider_write_methods_are_found_by_what_they_send() -> None:
    """The search finds the writes we know of: an empty set would let anything through."""
    assert {
        "stop_run",
        "rerun",
        "start_test",
        "start_suite",
        "start_plan",
        "start_execution",
        "trigger",
        "cancel_execution",
    } <= provider_writes()


def test_no_module_outside_the_providers_and_the_door_calls_a_provider_write() -> None:
    writes = provider_writes()
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if path == DOOR or (ROOT / "sim") in path.parents:
            continue
        if (ROOT / "core" / "providers") in path.parents:
            continue
        for where in bypasses(path.read_text(encoding="utf-8"), writes):
            found.append(f"{path.relative_to(ROOT.parent)} {where}")
    assert found == [], "provider writes outside core/actions/writes.py:\n" + "\n".join(found)


def test_a_new_action_that_stops_a_run_without_the_door_is_caught() -> None:
    """What a bulk action written straight against a source would look like."""
    new_action = (
        "async def stop_marked(sources, runs):\n"
        "    for run in runs:\n"
        "        await sources[run.provider].stop_run(run)\n"
        "async def stop_through_the_engine(engine, keys):\n"
        "    for key in keys:\n"
        "        await engine.stop_run(key)\n"
    )
    assert bypasses(new_action, provider_writes()) == ["line 3: stop_run()"]
