"""Turning a failure into a Bugnet bug: the bug form with its suggestions and similar bugs, the outbox that never loses nor double-files one, and the dialogs that file from a run or an incident."""
