"""The services qa-tui reads runs from and files bugs into, one package per provider.

`base.py` says what the engine, UI and CLI need from any run provider (`RunSource`, and the
optional `Discovers` and `ReadsFailures`) and the capabilities that say what a service can do at
all. Each provider is a package built by composition: `wire.py` (tolerant payload models),
`api.py` (one stateless method per endpoint), `normalize.py` (wire → `Run`), where it learns
anything a `memory.py` holding all of it, and `source.py` composing them into the `RunSource`:
`bugbug/`, `bugbrain/`, `bug0/`; `bugnet/` is the bug tracker (`BugnetClient`). No provider
package imports another's. Around them: `registry.py` builds every source and the tracker from
the config, `endpoints.py` says where each service is reached by default, `sharing.py` which
providers draw on one budget because their service limits them together, and `triggers.py`
keeps the runs qa-tui triggered where a service cannot list them (Bug0).
"""
