"""qa_tui.ui.widgets."""
