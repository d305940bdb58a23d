"""Screenshots: how this terminal can draw a picture (asked once, before Textual starts), the widget that draws one, the detail's screenshots tab and the full-screen view."""
