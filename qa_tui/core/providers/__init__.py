"""qa_tui.core.providers."""
