"""The code's shape, checked by a tool: no import circles inside the UI or the simulator, no
provider built by inheritance, no engine fishing for a provider's detail by name. (No line cap:
a module is as long as its one idea needs; a cap made splits along no seam.)

An import circle counts every import statement, including those under `if TYPE_CHECKING:` and
those inside functions: a circle hidden from the interpreter is still two modules that each need
the other to be understood or changed. grimp (which import-linter is built on) reads them all;
`test_a_circle_through_a_type_checking_import_is_caught` pins that it still does.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
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


def inheritance_within_providers(providers: str) -> list[str]:
    """`Class ← Base` for every class of a provider package (`<providers>.<p>`) that inherits,
    directly or further up, from a class defined in that same package: a provider is built by
    composition, so what it learns lives in one memory object, not in base-class fields."""
    root = importlib.import_module(providers)
    found = []
    for package in pkgutil.iter_modules(root.__path__, f"{providers}."):
        if not package.ispkg:
            continue
        modules = [importlib.import_module(package.name)]
        prefix = f"{package.name}."
        for info in pkgutil.walk_packages(modules[0].__path__, prefix):
            modules.append(importlib.import_module(info.name))
        for module in modules:
            for cls in vars(module).values():
                if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                    continue
                for base in cls.__mro__[1:]:
                    if base.__module__ == package.name or base.__module__.startswith(prefix):
                        found.append(f"{cls.__module__}.{cls.__qualname__} ← {base.__qualname__}")
    return sorted(found)


def test_no_provider_class_inherits_from_a_class_of_its_own_provider() -> None:
    """GIVEN every provider package under qa_tui.core.providers (bugbug, bugbrain, bug0, bugnet)
    WHEN each class defined in it is followed up its bases
    THEN none comes from the same package: each source is composed of its endpoints, its
    memory and its helpers, never a stack of base classes spread over files."""
    providers = importlib.import_module("qa_tui.core.providers")
    packages = {m.name for m in pkgutil.iter_modules(providers.__path__) if m.ispkg}
    assert {"bugbug", "bugbrain", "bug0", "bugnet"} <= packages

    assert inheritance_within_providers("qa_tui.core.providers") == []


def test_a_provider_built_by_inheritance_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a provider package whose source inherits its endpoints from a class two modules
    away, and a wire model whose base comes from outside the package
    WHEN its classes are checked the way qa_tui's providers are
    THEN the inherited source is named, and the model with an outside base is not."""
    provider = tmp_path / "houses" / "acme"
    provider.mkdir(parents=True)
    (tmp_path / "houses" / "__init__.py").write_text("")
    (provider / "__init__.py").write_text("")
    (provider / "api.py").write_text("class AcmeApi:\n    pass\n")
    (provider / "discovery.py").write_text(
        "from houses.acme.api import AcmeApi\n\n\nclass AcmeDiscovery(AcmeApi):\n    pass\n"
    )
    (provider / "source.py").write_text(
        "from houses.acme.discovery import AcmeDiscovery\n\n\n"
        "class AcmeSource(AcmeDiscovery):\n    pass\n"
    )
    (provider / "wire.py").write_text(
        "from pathlib import PurePath\n\n\nclass Shape(PurePath):\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    assert inheritance_within_providers("houses") == [
        "houses.acme.discovery.AcmeDiscovery ← AcmeApi",
        "houses.acme.source.AcmeSource ← AcmeApi",
        "houses.acme.source.AcmeSource ← AcmeDiscovery",
    ]


def test_the_engine_asks_a_source_only_what_its_protocols_declare() -> None:
    """GIVEN the engine's modules (qa_tui.core.engine)
    WHEN their calls are read
    THEN none is a getattr or hasattr: a provider-specific detail (BugBug's catalogue reads)
    is part of the `RunSource` protocol, not fished out of one source by name."""
    engine = ROOT / "core" / "engine"
    fishing = [
        f"{path.name}:{node.lineno}"
        for path in sorted(engine.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("getattr", "hasattr")
    ]
    assert engine.is_dir() and len(list(engine.glob("*.py"))) > 3
    assert fishing == []


def _callbacks_assigned_from_outside(root: Path) -> list[str]:
    """Every `x.on_something = …` in `root`'s modules where `x` is not `self`."""
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr.startswith("on_")
                    and not (isinstance(target.value, ast.Name) and target.value.id == "self")
                ):
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return found


def test_no_listener_is_wired_by_assigning_another_objects_callback() -> None:
    """GIVEN every module of qa_tui
    WHEN its assignments are read
    THEN none sets another object's `on_…` callback: listeners arrive through constructors or
    subscribe to the object's signals (core/signals.py), so the wiring is read where it is made."""
    assert _callbacks_assigned_from_outside(ROOT) == []


def test_the_callback_check_sees_one_assigned_from_outside(tmp_path: Path) -> None:
    (tmp_path / "wired").mkdir()
    (tmp_path / "wired" / "app.py").write_text(
        "def mount(engine):\n    engine.on_changes = print\n"
    )
    assert _callbacks_assigned_from_outside(tmp_path / "wired") == ["wired/app.py:2"]


READS_TEXTUAL_PRIVATES = frozenset({"ui/terminal_writer.py"})
"""The ui module that reads Textual's own private attributes: it says which, and draws as Textual
does when they are gone."""


def _private_reads_from_outside(root: Path, allowed: frozenset[str] = frozenset()) -> list[str]:
    """Every `x._name` in `root`'s modules (but `allowed`) where `x` is not `self`, `cls` or
    `super()`: one object reaching into another's private part."""
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        where = str(path.relative_to(root.parent))
        if where in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Attribute) or not node.attr.startswith("_"):
                continue
            owner = node.value
            if node.attr.startswith("__") or (
                isinstance(owner, ast.Name) and owner.id in ("self", "cls")
            ):
                continue
            if isinstance(owner, ast.Call) and ast.unparse(owner.func) == "super":
                continue
            found.append(f"{where}:{node.lineno} {ast.unparse(node)}")
    return found


def _dashboard_widgets() -> frozenset[str]:
    """The names under which the dashboard holds its widgets (`table`, `health_bar`, …)."""
    from textual.widget import Widget

    from qa_tui.ui.runs.dashboard import DashboardScreen

    screen = DashboardScreen({"web": "bugbug"})
    return frozenset(name for name, value in vars(screen).items() if isinstance(value, Widget))


def _reaches_into_the_dashboard(root: Path, widgets: frozenset[str]) -> list[str]:
    """Every `….dashboard.<widget>` (or `_dashboard`) in `root`'s modules but the dashboard's own."""
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "dashboard.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Attribute) or node.attr not in widgets:
                continue
            owner = node.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if name in ("dashboard", "_dashboard"):
                found.append(f"{path.relative_to(root.parent)}:{node.lineno} {ast.unparse(node)}")
    return found


def test_the_ui_reads_the_store_and_the_order_only_through_what_they_offer() -> None:
    """GIVEN every module of qa_tui/ui
    WHEN its attribute reads are read
    THEN none reaches into another object's private part (`store._rows`, `order._known`, an
    app's pending batch): a row is the store's and the order's, read through their methods
    (Textual's own privates, read by the terminal writer, aside)."""
    assert _private_reads_from_outside(ROOT / "ui", READS_TEXTUAL_PRIVATES) == []


def test_the_app_talks_to_the_dashboard_through_its_methods_not_its_widgets() -> None:
    """GIVEN every module of qa_tui but the dashboard's own
    WHEN its attribute reads are read
    THEN none reaches for the dashboard's table, header or filter bar: what they are is the
    dashboard's business, and it offers methods for what others need (`apply`, `show_health`…)."""
    widgets = _dashboard_widgets()
    assert {"table", "health_bar"} <= widgets
    assert _reaches_into_the_dashboard(ROOT, widgets) == []


def test_the_wiring_checks_see_a_reach_into_a_private_part_and_into_a_widget(
    tmp_path: Path,
) -> None:
    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "app.py").write_text(
        "def show(self, store):\n"
        "    rows = store._rows\n"
        "    self._dashboard.table.refresh()\n"
        "    return self._pending, super()._display(), rows\n"
    )
    assert _private_reads_from_outside(tmp_path / "ui") == ["ui/app.py:2 store._rows"]
    assert _reaches_into_the_dashboard(tmp_path / "ui", frozenset({"table"})) == [
        "ui/app.py:3 self._dashboard.table"
    ]
