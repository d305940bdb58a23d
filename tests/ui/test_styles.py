"""Where the styles live (issue 21): each screen's layout in a .tcss file beside the screen's
module, what every screen shares in ui/app.tcss, and a reusable widget's intrinsic look in its
own DEFAULT_CSS. The snapshots (test_snapshots.py) check the looks; this checks the homes.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path, PurePath

from textual.screen import Screen

import qa_tui.ui
from qa_tui.ui.app import QaTuiApp
from qa_tui.ui.runs.dashboard import DashboardScreen

UI = Path(qa_tui.ui.__file__).parent


def ui_screens() -> list[type[Screen[object]]]:
    """Every Screen class defined in qa_tui.ui (mixins of screens included)."""
    found: list[type[Screen[object]]] = []
    for info in pkgutil.walk_packages(qa_tui.ui.__path__, "qa_tui.ui."):
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            here = inspect.isclass(cls) and cls.__module__ == module.__name__
            if here and issubclass(cls, Screen):
                found.append(cls)
    return found


def named_stylesheets(
    owner: type[object], css_path: str | PurePath | list[str | PurePath] | None
) -> list[Path]:
    """The files a CSS_PATH names, as Textual finds them: beside the module of `owner`."""
    folder = Path(inspect.getfile(owner)).parent
    paths = css_path if isinstance(css_path, list) else [] if css_path is None else [css_path]
    return [folder / p for p in paths]


def test_each_screen_keeps_its_layout_in_a_tcss_file_beside_it() -> None:
    """GIVEN every screen and dialog of the UI
    THEN none carries CSS in its code (DEFAULT_CSS or CSS), each stylesheet it names sits beside
    its module, and every .tcss under qa_tui/ui is named by a screen or by the app."""
    screens = ui_screens()
    assert len(screens) >= 12
    inline = [s.__qualname__ for s in screens if "DEFAULT_CSS" in vars(s) or "CSS" in vars(s)]
    assert inline == []

    named: list[Path] = list(map(Path, QaTuiApp.CSS_PATH))
    for screen in screens:
        if "CSS_PATH" in vars(screen):
            sheets = named_stylesheets(screen, screen.CSS_PATH)
            assert all(s.parent == Path(inspect.getfile(screen)).parent for s in sheets)
            named += sheets
    missing = [str(p.relative_to(UI)) for p in named if not p.is_file()]
    assert missing == []
    orphans = sorted(str(p.relative_to(UI)) for p in UI.rglob("*.tcss") if p not in named)
    assert orphans == []


def test_the_dashboard_stylesheet_is_loaded_by_the_app() -> None:
    """GIVEN the dashboard, the screen the app starts on (Textual never reads a default screen's
    CSS_PATH) THEN its stylesheet is among the app's, and it names none of its own."""
    assert "CSS_PATH" not in vars(DashboardScreen)
    assert UI / "runs" / "dashboard.tcss" in list(map(Path, QaTuiApp.CSS_PATH))
