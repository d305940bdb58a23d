"""The code's shape, checked by a tool: no import circles inside the UI or the simulator. (No
line cap: a module is as long as its one idea needs; a cap made splits along no seam.)

An import circle counts every import statement, including those under `if TYPE_CHECKING:` and
those inside functions: a circle hidden from the interpreter is still two modules that each need
the other to be understood or changed. grimp (which import-linter is built on) reads them all;
`test_a_circle_through_a_type_checking_import_is_caught` pins that it still does.
"""

from __future__ import annotations

import textwrap
from collections import deque
from pathlib import Path

import grimp
import pytest

import qa_tui

ROOT = Path(qa_tui.__file__).parent


def import_graph(package: str) -> grimp.ImportGraph:
    """Every import between `package`'s modules, TYPE_CHECKING and function-level ones included."""
    return grimp.build_graph(
        package,
        include_external_packages=False,
        exclude_type_checking_imports=False,
        cache_dir=None,
    )


def _strongly_connected(modules: set[str], imports: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's components, iteratively (no recursion limit whatever the graph's depth)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for start in sorted(modules):
        if start in index:
            continue
        work: list[tuple[str, list[str]]] = [(start, sorted(imports[start]))]
        index[start] = lowest[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, pending = work[-1]
            if pending:
                imported = pending.pop()
                if imported not in index:
                    index[imported] = lowest[imported] = len(index)
                    stack.append(imported)
                    on_stack.add(imported)
                    work.append((imported, sorted(imports[imported])))
                elif imported in on_stack:
                    lowest[module] = min(lowest[module], index[imported])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                lowest[parent] = min(lowest[parent], lowest[module])
            if lowest[module] == index[module]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == module:
                        break
                components.append(component)
    return components


def _shortest_circle(start: str, within: set[str], imports: dict[str, set[str]]) -> list[str]:
    """The shortest way from `start` back to itself through `within`: [start, ..., start]."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        module = queue.popleft()
        for imported in sorted(imports[module] & within):
            if imported == start:
                path = [module]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if imported not in came_from:
                came_from[imported] = module
                queue.append(imported)
    raise AssertionError(f"{start} is in no circle")


def import_circles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """One circle, as a chain of modules, for each group of `package`'s modules that import one
    another round in a circle; empty when the imports inside `package` point one way only."""
    modules = {m for m in graph.modules if m == package or m.startswith(f"{package}.")}
    imports = {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}
    circles = []
    for component in _strongly_connected(modules, imports):
        start = min(component)
        if len(component) > 1 or start in imports[start]:
            circles.append(_shortest_circle(start, component, imports))
    return sorted(circles)


def test_no_import_circle_inside_the_ui_or_the_simulator() -> None:
    """GIVEN qa_tui's imports, counting those under TYPE_CHECKING and inside functions
    WHEN the modules of qa_tui.ui, then of qa_tui.sim, are followed import by import
    THEN none leads back to itself: screens know the app only through ui/host.py."""
    graph = import_graph("qa_tui")
    circles = import_circles(graph, "qa_tui.ui") + import_circles(graph, "qa_tui.sim")
    assert not circles, "import circles:\n" + "\n".join(" → ".join(c) for c in circles)


def test_a_circle_through_a_type_checking_import_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a package whose two modules import each other, one of them only for type checking
    WHEN its circles are looked for the way qa_tui's are
    THEN the circle is found (and a one-way import next to it is not one)."""
    package = tmp_path / "circled"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text("from circled.screen import Screen\n")
    (package / "screen.py").write_text(
        textwrap.dedent(
            """\
            from typing import TYPE_CHECKING

            from circled import leaf

            if TYPE_CHECKING:
                from circled.app import App
            """
        )
    )
    (package / "leaf.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))

    circles = import_circles(import_graph("circled"), "circled")

    assert circles == [["circled.app", "circled.screen", "circled.app"]]
