"""The bounded burn-in's child process: ``python -m aktflow.redaction`` (see :mod:`aktflow.redaction.bounded`)."""

from .bounded import child_main

if __name__ == "__main__":
    raise SystemExit(child_main())
