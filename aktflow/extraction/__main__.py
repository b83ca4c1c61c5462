"""The bounded runner's child process: ``python -m aktflow.extraction`` (see :mod:`aktflow.extraction.bounded`)."""

from .bounded import child_main

if __name__ == "__main__":
    raise SystemExit(child_main())
