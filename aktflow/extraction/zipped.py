"""Zip-based files (docx, xlsx, odt, ods): the central directory checked, members read with a bounded read and
their XML parsed as a stream, so a bomb stops at the limit instead of filling memory.

The XML parser is defusedxml's expat reader: no DTDs, no entities, no network.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from xml.sax import SAXException
from xml.sax.handler import ContentHandler, feature_namespaces

from defusedxml.common import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.expatreader import DefusedExpatParser  # type: ignore[import-untyped]

from .limits import Budget, Limits, Refused, count, mb, over

CHUNK = 64 * 1024
# A member over this size that unpacks more than RATIO times its packed size is refused: ordinary XML packs
# 5-20 times, a bomb (runs of one byte) about 1000 times.
RATIO = 200
RATIO_FROM = 4 * 2**20


def damaged(what: str) -> Refused:
    """The refusal for a file that cannot be opened as what its name says."""
    return Refused(f"{what} kan ikke åbnes (filen er beskadiget eller ikke det, navnet siger)")


def open_zip(data: bytes, limits: Limits, what: str) -> zipfile.ZipFile:
    """Open ``data`` as a zip and check its central directory against the limits, before anything is unpacked.

    Refuses (:class:`Refused`): not a zip; more members than ``max_parts``; declared sizes over
    ``max_unpacked`` in total; a large member packed more densely than any real document.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise damaged(what) from None
    if len(infos) > limits.max_parts:
        raise over("max_parts", limits, f"filen har {count(len(infos))} dele")
    total = sum(i.file_size for i in infos)
    if total > limits.max_unpacked:
        raise over("max_unpacked", limits, f"filen fylder {mb(total)} udpakket")
    for i in infos:
        if i.file_size > RATIO_FROM and i.file_size > RATIO * max(i.compress_size, 1):
            raise over(
                "max_unpacked",
                limits,
                f"en del af filen ({i.filename[:60]}) fylder {mb(i.file_size)} udpakket, "
                f"{i.file_size // max(i.compress_size, 1)} gange mere end pakket",
            )
    return zf


def chunks(zf: zipfile.ZipFile, name: str, budget: Budget) -> Iterator[bytes]:
    """The member ``name`` in chunks, each counted against ``max_unpacked`` before it is handed on.

    zipfile itself never returns more than the declared size and checks the CRC at the end, so a member
    whose directory entry lies about its size ends in :class:`Refused` (damaged), never in a large read.
    """
    read = 0
    try:
        info = zf.getinfo(name)
        with zf.open(info) as stream:
            while True:
                block = stream.read(CHUNK)
                if not block:
                    return
                read += len(block)
                budget.add_unpacked(len(block))
                yield block
    except zipfile.BadZipFile:
        if _inflates_beyond(zf, info, budget.limits.max_unpacked):  # its directory entry lies: a bomb
            raise over(
                "max_unpacked",
                budget.limits,
                f"en del af filen ({name[:60]}) pakker sig ud til mere end de {mb(info.file_size)}, filen selv angiver",
            ) from None
        raise damaged("filen") from None
    except (OSError, EOFError, ValueError, NotImplementedError, KeyError):
        raise damaged("filen") from None


def _inflates_beyond(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bool:
    """True when the deflated member unpacks to more than its declared size (counted up to ``cap``, in
    bounded steps, keeping nothing)."""
    import struct

    raw = getattr(zf.fp, "getvalue", lambda: b"")()
    start = info.header_offset
    if info.compress_type != zipfile.ZIP_DEFLATED or len(raw) < start + 30:
        return False
    name_len, extra_len = struct.unpack("<HH", raw[start + 26 : start + 30])
    data = memoryview(raw)[start + 30 + name_len + extra_len :]
    inflater = zlib.decompressobj(-15)
    total = 0
    pending = bytes(data[: 1 << 20])
    offset = len(pending)
    while total <= min(cap, info.file_size + 1):
        try:
            block = inflater.decompress(pending, 1 << 20)
        except zlib.error:
            return False
        total += len(block)
        pending = inflater.unconsumed_tail
        if not pending:
            if inflater.eof or offset >= len(data):
                break
            pending = bytes(data[offset : offset + (1 << 20)])
            offset += len(pending)
    return total > info.file_size


def read_member(zf: zipfile.ZipFile, name: str, budget: Budget) -> bytes:
    """A small member whole (rels, properties), through :func:`chunks`."""
    return b"".join(chunks(zf, name, budget))


def has(zf: zipfile.ZipFile, name: str) -> bool:
    """True when the zip holds a member ``name``."""
    try:
        zf.getinfo(name)
    except KeyError:
        return False
    return True


def parse(zf: zipfile.ZipFile, name: str, handler: ContentHandler, budget: Budget) -> None:
    """Stream the XML member ``name`` through the namespace-aware SAX ``handler``.

    The handler gets ``startElementNS``/``endElementNS``/``characters`` as the bytes arrive; it may raise
    :class:`Refused` (e.g. at ``max_chars``) to stop at once. Malformed XML and DTDs or entities refuse the
    file as damaged.
    """
    parser = DefusedExpatParser(forbid_dtd=True)
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(handler)
    try:
        for block in chunks(zf, name, budget):
            parser.feed(block)
        parser.close()
    except (SAXException, DefusedXmlException, ValueError):
        raise damaged("filen") from None


def parse_bytes(data: bytes, handler: ContentHandler) -> None:
    """Parse XML already in memory (a PDF's XMP packet) the same hardened way as :func:`parse`."""
    parser = DefusedExpatParser(forbid_dtd=True)
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(handler)
    try:
        parser.feed(data)
        parser.close()
    except (SAXException, DefusedXmlException, ValueError):
        raise damaged("filens metadata") from None


class TextCollector(ContentHandler):
    """All character data of an XML document, one line per element that holds text (properties, XMP)."""

    def __init__(self, budget: Budget | None = None, skip: frozenset[str] = frozenset()):
        super().__init__()
        self.budget = budget
        self.skip = skip
        self.lines: list[tuple[str, str]] = []  # (element's local name, its text)
        self._buf: list[str] = []
        self._depth_skip = 0

    def startElementNS(self, name, qname, attrs):  # noqa: N802 - SAX's names
        self._flush(None)

    def endElementNS(self, name, qname):  # noqa: N802
        self._flush(name[1])

    def characters(self, content):
        if self.budget is not None:
            self.budget.add_chars(len(content))
        self._buf.append(content)

    def _flush(self, local: str | None) -> None:
        text = "".join(self._buf).strip()
        self._buf = []
        if text and local is not None and local not in self.skip:
            self.lines.append((local, text))
