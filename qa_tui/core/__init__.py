"""qa_tui.core."""
