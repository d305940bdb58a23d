"""qa_tui.ui.screens."""
