"""A minimal Outlook message (.msg) writer for the test corpus: a Compound File (CFB, version 3) with the
MAPI property streams extract-msg reads (message class, subject, body, transport headers, attachments).

No library writes .msg files, so this writes the few structures by hand: the header, one FAT, the
directory (each storage's children as a chain of right siblings), and a mini stream for small streams.
"""

from __future__ import annotations

import struct

SECTOR = 512
MINI = 64
CUTOFF = 4096
FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF


class _Entry:
    def __init__(self, name: str, kind: int, data: bytes = b""):
        self.name, self.kind, self.data = name, kind, data
        self.children: list[_Entry] = []
        self.start, self.size = END, len(data)
        self.left = self.right = self.child = NOSTREAM
        self.index = 0


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _prop(tag: int, value: int = 0, flags: int = 6) -> bytes:
    return struct.pack("<IIQ", tag, flags, value)


def msg(
    *,
    subject: str,
    body: str,
    headers: dict[str, str],
    attachments: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
    inner: tuple[str, str] | None = None,
) -> bytes:
    """An Outlook message with ``subject``, a plain ``body``, transport ``headers`` and ``attachments``;
    ``inner`` = (subject, body) attaches an Outlook message of its own (attach method 5)."""
    root = _Entry("Root Entry", 5)
    count = len(attachments) + (inner is not None)
    props_top = b"\0" * 8 + struct.pack("<IIII", 0, count, 0, count) + b"\0" * 8
    header_text = "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    root.children = _message_streams(props_top, subject, body) + [
        _Entry("__substg1.0_007D001F", 2, _utf16(header_text))
    ]
    nameid = _Entry("__nameid_version1.0", 1)
    nameid.children = [_Entry(f"__substg1.0_{n:04X}0102", 2) for n in (2, 3, 4)]
    root.children.append(nameid)
    for i, (name, content) in enumerate(attachments):
        att = _Entry(f"__attach_version1.0_#{i:08X}", 1)
        att.children = [
            _Entry("__properties_version1.0", 2, b"\0" * 8 + _prop(0x37050003, 1)),
            _Entry("__substg1.0_3707001F", 2, _utf16(name)),
            _Entry("__substg1.0_3704001F", 2, _utf16(name[:12])),
            _Entry("__substg1.0_37010102", 2, content),
        ]
        root.children.append(att)
    if inner is not None:
        att = _Entry(f"__attach_version1.0_#{len(attachments):08X}", 1)
        embedded = _Entry("__substg1.0_3701000D", 1)
        embedded.children = _message_streams(b"\0" * 24, *inner)
        att.children = [
            _Entry("__properties_version1.0", 2, b"\0" * 8 + _prop(0x37050003, 5)),
            _Entry("__substg1.0_3001001F", 2, _utf16(inner[0])),
            embedded,
        ]
        root.children.append(att)
    return _write(root)


def _message_streams(properties: bytes, subject: str, body: str) -> list[_Entry]:
    return [
        _Entry("__properties_version1.0", 2, properties),
        _Entry("__substg1.0_001A001F", 2, _utf16("IPM.Note")),
        _Entry("__substg1.0_0037001F", 2, _utf16(subject)),
        _Entry("__substg1.0_1000001F", 2, _utf16(body)),
    ]


def _flatten(root: _Entry) -> list[_Entry]:
    entries: list[_Entry] = []

    def walk(entry: _Entry) -> None:
        entry.index = len(entries)
        entries.append(entry)
        for child in entry.children:
            walk(child)

    walk(root)
    for entry in entries:
        kids = sorted(entry.children, key=lambda e: (len(e.name), e.name.upper()))
        if kids:
            entry.child = kids[0].index
            for a, b in zip(kids, kids[1:], strict=False):
                a.right = b.index
    return entries


def _write(root: _Entry) -> bytes:
    entries = _flatten(root)
    streams = [e for e in entries if e.kind == 2]
    # Small streams go into the mini stream, in 64-byte mini sectors; large ones into regular sectors.
    mini = bytearray()
    minifat: list[int] = []
    big: list[_Entry] = []
    for e in streams:
        if e.size == 0:
            e.start = END
        elif e.size < CUTOFF:
            first = len(minifat)
            count = -(-e.size // MINI)
            minifat += [first + k + 1 for k in range(count - 1)] + [END]
            e.start = first
            mini += e.data + b"\0" * (count * MINI - e.size)
        else:
            big.append(e)
    root.size = len(mini)

    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes) -> int:
        if not data:
            return END
        first = len(sectors)
        count = -(-len(data) // SECTOR)
        for k in range(count):
            sectors.append(data[k * SECTOR : (k + 1) * SECTOR].ljust(SECTOR, b"\0"))
            fat.append(first + k + 1 if k < count - 1 else END)
        return first

    root.start = place(bytes(mini))
    for e in big:
        e.start = place(e.data)
    minifat_bytes = b"".join(struct.pack("<I", v) for v in minifat)
    minifat_start = place(minifat_bytes.ljust(-(-len(minifat_bytes) // SECTOR) * SECTOR, b"\xff"))
    directory = bytearray()
    for e in entries:
        name = _utf16(e.name) + b"\0\0"
        directory += struct.pack(
            "<64sHBBIII16sIQQIII",
            name,
            len(name),
            e.kind,
            1,  # black
            e.left,
            e.right,
            e.child,
            b"\0" * 16,
            0,
            0,
            0,
            e.start,
            e.size,
            0,
        )
    directory += (b"\0" * 64 + struct.pack("<HBBIII", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM) + b"\0" * 52) * (
        (-len(entries)) % 4
    )
    dir_start = place(bytes(directory))
    # The FAT itself: enough sectors to describe every sector, its own included.
    n_fat = 1
    while (len(sectors) + n_fat) * 4 > n_fat * SECTOR:
        n_fat += 1
    fat_start = len(sectors)
    fat += [FATSECT] * n_fat
    fat += [FREE] * (n_fat * SECTOR // 4 - len(fat))
    fat_bytes = b"".join(struct.pack("<I", v) for v in fat)
    for k in range(n_fat):
        sectors.append(fat_bytes[k * SECTOR : (k + 1) * SECTOR])
    difat = [fat_start + k for k in range(n_fat)] + [FREE] * (109 - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\0" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        n_fat,
        dir_start,
        0,
        CUTOFF,
        minifat_start if minifat else END,
        -(-len(minifat_bytes) // SECTOR),
        END,
        0,
    ) + b"".join(struct.pack("<I", v) for v in difat)
    return header + b"".join(sectors)
