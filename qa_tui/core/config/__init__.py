"""The config file: tomllib into pydantic models that forbid unknown keys, `${VAR}`
expansion, and errors that name the file, the dotted key and what was expected
(`tables.py` the tables and `load_config`, `errors.py` how a bad one is said).
"""
