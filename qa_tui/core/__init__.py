"""Everything qa-tui knows and does, without Textual: the providers' clients, the polling engine,
the run store, the run history, bug filing, notifications, team mode. A capability is a folder
here (`providers/`, `engine/`, `runs/`, `history/`, `bugs/`, `actions/`, `notify/`, `team/`,
`config/`, `http/`, ...); the modules at this level are only what every one of them shares:
the normalized model, errors, the clock, paths, text made safe to show, and typed signals."""
