"""The app's tables, lists and scrolling texts, each taking the keys the runs table takes.

`j`/`k` beside the arrows, `g`/`home` to the first row, `G`/`end` to the last: the habit of less,
vim, k9s and lazygit, declared once in `bindings.py` (`Scope.LIST`, with ids a keymap can rebind)
and added here once per widget class. Screens use these classes instead of Textual's own, so no
screen keeps a copy of the keys, and a table added later takes them by being one of these.

Each class maps the four actions onto what its Textual base already does: a table and an option
list move their cursor, a scrolling text scrolls.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import DataTable, OptionList
from textual.widgets.data_table import CellType

from qa_tui.ui.bindings import Scope, bindings_for

LIST_KEYS = bindings_for(Scope.LIST)


class NavTable(DataTable[CellType]):
    """A DataTable whose cursor also moves with `j`, `k`, `g`, `G` (and `home`, `end`: a row
    cursor has no columns to go to, where Textual's `home` and `end` would scroll sideways)."""

    BINDINGS = LIST_KEYS

    def action_first(self) -> None:
        self.action_scroll_top()

    def action_last(self) -> None:
        self.action_scroll_bottom()


class NavOptionList(OptionList):
    """An OptionList whose highlight also moves with `j`, `k`, `g`, `G` (it has the actions)."""

    BINDINGS = LIST_KEYS


class NavScroll(VerticalScroll):
    """A scrolling text (the help, the Compare pane): `j`/`k` scroll a line, `g`/`G` to the
    top and the bottom."""

    BINDINGS = LIST_KEYS

    def action_cursor_down(self) -> None:
        self.scroll_down()

    def action_cursor_up(self) -> None:
        self.scroll_up()

    def action_first(self) -> None:
        self.scroll_home()

    def action_last(self) -> None:
        self.scroll_end()
