"""qa_tui.cli."""
