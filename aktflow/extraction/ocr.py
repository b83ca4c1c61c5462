"""OCR with Tesseract (Danish language data), for scanned PDF pages and image files.

Tesseract runs as a subprocess (``tesseract … -l dan tsv``) with a time limit per page; its TSV output
gives each word's confidence, and the part carries the mean. Where OCR is switched off
(``AKTFLOW_OCR=0``), Tesseract is missing, it runs out of time or finds no usable text, the part is
*unread* (``read=False``) with the reason — never an empty, clean part.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
from typing import Any

from .limits import UNREAD, Budget, Collector, Part, Refused, count, mb, over

LANGUAGE = "dan"
# Mean word confidence (0-100) below which OCR's text is kept but the part counts as unread.
MIN_CONFIDENCE = 30.0
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}


def tesseract() -> str | None:
    """The path of the ``tesseract`` program, or None when it is not installed."""
    return shutil.which("tesseract")


def unread(label: str, cause: str, text: str = "", confidence: float | None = None) -> Part:
    """A part that must be read by a person: the standard Danish reason plus ``cause``."""
    return Part(label, text, read=False, ocr_confidence=confidence, reason=f"{UNREAD} ({cause})")


def ocr_image(image: Any, label: str, budget: Budget) -> Part:
    """OCR one PIL image with Tesseract (Danish) and return the part, read or unread with the reason.

    The time per page is ``ocr_page_seconds``, and never more than what is left of ``max_seconds``.
    """
    limits = budget.limits
    if not limits.ocr:
        return unread(label, "OCR er slået fra, AKTFLOW_OCR")
    program = tesseract()
    if program is None:
        return unread(label, "Tesseract er ikke installeret")
    timeout = min(limits.ocr_page_seconds, budget.seconds_left())
    with tempfile.TemporaryDirectory(prefix="aktflow-ocr-") as tmp:
        path = os.path.join(tmp, "side.png")
        image.save(path, format="PNG")
        try:
            done = subprocess.run(
                [program, path, "stdout", "-l", LANGUAGE, "tsv"],
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return unread(label, f"OCR tog mere end {timeout:.0f} sekunder")
        except OSError:
            return unread(label, "Tesseract kunne ikke startes")
    if done.returncode != 0:
        return unread(label, "OCR fejlede")
    text, confidence = parse_tsv(done.stdout.decode("utf-8", errors="replace"))
    if not text.strip():
        return unread(label, "OCR fandt ingen tekst", confidence=confidence)
    budget.add_chars(len(text))
    usable = sum(1 for w in text.split() if sum(c.isalnum() for c in w) >= 2)
    if confidence is not None and (confidence < MIN_CONFIDENCE or usable == 0):
        return unread(label, f"OCR gav kun usikker tekst, sikkerhed {confidence:.0f} %", text, confidence)
    return Part(label, text, ocr_confidence=confidence)


def parse_tsv(tsv: str) -> tuple[str, float | None]:
    """Tesseract's TSV as (text with one line per recognised line, mean word confidence or None)."""
    lines: dict[tuple[str, str, str, str], list[str]] = {}
    confidences: list[float] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5":
            continue
        word = (row.get("text") or "").strip()
        try:
            conf = float(row.get("conf") or -1)
        except ValueError:
            conf = -1
        if not word or conf < 0:
            continue
        confidences.append(conf)
        key = (row["page_num"], row["block_num"], row["par_num"], row["line_num"])
        lines.setdefault(key, []).append(word)
    text = "\n".join(" ".join(words) for words in lines.values())
    mean = round(sum(confidences) / len(confidences), 1) if confidences else None
    return text, mean


def read_image(data: bytes, budget: Budget, out: Collector) -> None:
    """An image file (.png, .jpg, .tif; every frame of a multi-page TIFF) through OCR.

    Refused: a file Pillow cannot open; decoded pixels over ``max_unpacked`` (a decompression bomb is
    refused from its header, before any pixel is decoded); more frames than ``max_pages``.
    """
    from PIL import Image, UnidentifiedImageError

    limits = budget.limits
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        bands = len(image.getbands())
        frames = getattr(image, "n_frames", 1)
    except Image.DecompressionBombError:  # Pillow's own check: more than twice its pixel limit
        raise over("max_unpacked", limits, "billedet har for mange punkter til at blive pakket ud") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise Refused("billedet kan ikke åbnes (filen er beskadiget eller ikke det, navnet siger)") from None
    decoded = width * height * max(bands, 1)
    if decoded > limits.max_unpacked:
        raise over(
            "max_unpacked", limits, f"billedet fylder {mb(decoded)} udpakket ({width} × {height} punkter)"
        )
    if frames > limits.max_pages:
        raise over("max_pages", limits, f"billedet har {count(frames)} sider")
    for index in range(frames):
        label = f"Side {index + 1} (OCR)" if frames > 1 else "Billede (OCR)"
        try:
            image.seek(index)
            frame = image.convert("L")
        except (OSError, ValueError, SyntaxError):
            out.parts.append(unread(label, "billedet kunne ikke afkodes"))
            continue
        out.parts.append(ocr_image(frame, label, budget))
