"""The services qa-tui reads runs from and files bugs into, one package per provider.

`base.py` says what the engine, UI and CLI need from any run provider (`RunSource`, and the
optional `Discovers` and `ReadsFailures`) and the capabilities that say what a service can do at
all. Each provider is a package built by composition: `wire.py` (tolerant payload models),
`api.py` (one stateless method per endpoint), `normalize.py` (wire → `Run`), where it learns
anything a `memory.py` holding all of it, and `source.py` composing them into the `RunSource`:
`bugbug/`, `bugbrain/`, `bug0/`; `bugnet/` is the bug tracker (`BugnetClient`). No provider
package imports another's.
"""
