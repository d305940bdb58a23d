"""`python -m qa_tui` runs the command line."""

from qa_tui.cli.main import main

raise SystemExit(main())
