"""The print channel: a print-ready A4 PDF whose first page shows the address in a C5 window envelope.

The first page is an address sheet: the recipient's name and address lines sit in the window of a C5
envelope with the window on the left, as Danish window envelopes have it (:data:`WINDOW`, in millimetres
from the sheet's top-left corner: 20 mm from the left edge, 50 mm from the top, 90 × 40 mm), with the
municipality's return line small at the window's top and the case and letter below the window. The
letter follows from a new page, then the attachments (the release package). Folded twice (C5 takes an
A4 sheet folded once; a C5/6 envelope takes it folded twice), the address page's window area shows.

The channel never touches the database: :func:`render` makes the bytes, the dispatch delivery stores them
for download on the case, and a person posts the letter and confirms "Sendt med post".
"""

from __future__ import annotations

import datetime as dt
import hashlib

from ..exits import mask
from ..pdf_engines import LOCK
from .channel import ChannelName, DeliveryResult, OutgoingLetter

MM = 72 / 25.4
A4 = (210.0, 297.0)
#: The envelope window, in mm from the sheet's top-left corner: (left, top, width, height).
WINDOW = (20.0, 50.0, 90.0, 40.0)
#: The inner margin of the address inside the window, in mm.
PADDING = 4.0
ADDRESS_SIZE = 11.0
RETURN_SIZE = 7.0


def window_rect_pt() -> tuple[float, float, float, float]:
    """The window as (x0, y0, x1, y1) in PDF points from the top-left corner (PyMuPDF's coordinates)."""
    left, top, width, height = WINDOW
    return left * MM, top * MM, (left + width) * MM, (top + height) * MM


def render(letter: OutgoingLetter, *, sender_line: str = "") -> bytes:
    """The print file of ``letter``: the address sheet, the letter (``main_document``, a PDF) and each
    attachment, as one A4 PDF. Raises ValueError when a PDF cannot be read."""
    import pymupdf

    r = letter.recipient
    lines = [r.name, *r.postal_address] if r.name else list(r.postal_address)
    lines = [mask(" ".join(x.split())) for x in lines if x and x.strip()]
    with LOCK:
        out = pymupdf.open()
        page = out.new_page(width=A4[0] * MM, height=A4[1] * MM)
        x0, y0, x1, y1 = window_rect_pt()
        if sender_line:
            page.insert_text(
                (x0 + PADDING * MM, y0 + PADDING * MM + RETURN_SIZE),
                mask(sender_line)[:80],
                fontsize=RETURN_SIZE,
                fontname="helv",
            )
        y = y0 + PADDING * MM + RETURN_SIZE + 6 + ADDRESS_SIZE
        for line in lines[:6]:
            page.insert_text((x0 + PADDING * MM, y), line[:45], fontsize=ADDRESS_SIZE, fontname="helv")
            y += ADDRESS_SIZE * 1.3
        page.insert_text(
            (x0 + PADDING * MM, y1 + 20 * MM),
            mask(f"Sag {letter.case_number}: {letter.label}")[:90],
            fontsize=10,
            fontname="helv",
        )
        if not lines:
            page.insert_text(
                (x0 + PADDING * MM, y1 + 28 * MM),
                "Adressen mangler: skriv den på kuverten.",
                fontsize=10,
                fontname="helv",
            )
        for a in (letter.main_document, *letter.attachments):
            if a.mime != "application/pdf":
                continue
            src = pymupdf.open(stream=a.content, filetype="pdf")
            try:
                out.insert_pdf(src)
            finally:
                src.close()
        out.set_metadata({"title": mask(f"{letter.label} – sag {letter.case_number}"), "producer": "aktflow"})
        data = out.tobytes(garbage=3, deflate=True)
        out.close()
    return data


class PrintChannel:
    """The print channel (``name = "print"``): makes the print file; a person posts it."""

    name: ChannelName = "print"

    def __init__(self, sender_line: str = "", clock=None):
        self.sender_line = sender_line
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))
        #: The file of the last :meth:`send`, by dispatch id (for the caller that stores it).
        self.files: dict[int, bytes] = {}

    def send(self, letter: OutgoingLetter) -> DeliveryResult:
        """Make the print file (kept in :attr:`files` under the dispatch id); ``sent`` with its SHA-256 as
        reference, ``rejected`` when a PDF cannot be read or the recipient has no postal address."""
        from .rules import NO_ADDRESS

        if not letter.recipient.postal_address:
            return DeliveryResult("rejected", self._now(), detail=NO_ADDRESS)
        try:
            pdf = render(letter, sender_line=self.sender_line)
        except (ValueError, RuntimeError) as e:
            return DeliveryResult(
                "rejected", self._now(), detail=f"printfilen kunne ikke dannes ({type(e).__name__})"
            )
        self.files[letter.dispatch_id] = pdf
        return DeliveryResult(
            "sent",
            self._now(),
            reference="sha256:" + hashlib.sha256(pdf).hexdigest(),
            detail="Printfilen er klar: udskriv, send med post og bekræft",
        )
