"""One run, drilled into: the detail screen with its tabs (steps, child runs, artifacts, analysis, error), kept live from the store, and its logs."""
