"""qa_tui.ui."""
