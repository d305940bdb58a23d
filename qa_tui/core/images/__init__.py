"""Screenshots a provider links to, made safe to draw: fetched with a size bound, checked and
shrunk (decode.py), kept in a bounded on-disk cache (cache.py), through one fetcher (fetch.py).

Nothing here knows Textual: the UI gets a checked, decoded `PIL.Image` and draws it."""
