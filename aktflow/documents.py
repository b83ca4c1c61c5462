"""A document file as it arrives (upload, command line), and the upload limit.

Reading the file is :mod:`aktflow.extraction` (every part, per format, within limits); reading it after it
is stored, outside the transaction, and screening it is :mod:`aktflow.document_screening`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .extraction import TYPES, check_filename

__all__ = ["TYPES", "Attachment", "check_filename", "max_bytes"]


def max_bytes() -> int:
    """The largest document accepted, in bytes: the ``AKTFLOW_MAX_UPLOAD`` setting (default 25 MiB)."""
    from .bootstrap import current

    return current().settings.max_upload


@dataclass(frozen=True)
class Attachment:
    """A file given with ``add_document``: its name as given and its bytes."""

    filename: str
    content: bytes
