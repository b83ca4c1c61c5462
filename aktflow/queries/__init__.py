"""The read side: what the entrypoints (web pages, the API, the CLI, CSV exports) ask for.

Each module here answers one kind of question with plain data (dicts, lists, dataclasses) read in one
session; none of them changes anything. Entrypoints hold no SQL of their own: they call these.
"""
