"""The package's page stamp stands upright at the bottom of the page as it is shown, on turned and cropped
pages, and its font is embedded.

Each page is rendered as a viewer shows it (pdfium: turned by /Rotate, cut to the CropBox); the stamp's ink
must lie along the bottom edge, start near the left edge, run sideways (wider than high), and read as the
stamp's text to Tesseract, which reads only upright text.
"""

from __future__ import annotations

import io
import shutil
import subprocess

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageOps

from aktflow.release import stamp
from aktflow.release.package import stamp_pages

SCALE = 4  # pixels per point


def _page(rotate: int, media: tuple[float, float, float, float], crop=None) -> pikepdf.Pdf:
    """An empty page with the given MediaBox (and CropBox), turned by ``rotate``."""
    pdf = pikepdf.new()
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=list(media), Contents=pdf.make_stream(b""))
    if crop is not None:
        page.CropBox = list(crop)
    if rotate:
        page.Rotate = rotate
    pdf.pages.append(pikepdf.Page(page))
    return pdf


def _stamped_png(pdf: pikepdf.Pdf) -> Image.Image:
    stamp_pages(pdf, sagsnummer="15.17.12-A53-1-26", label="Dokument 3")
    buf = io.BytesIO()
    pdf.save(buf)
    doc = pdfium.PdfDocument(buf.getvalue())
    try:
        return doc[0].render(scale=SCALE).to_pil().convert("L")
    finally:
        doc.close()


def _ink(image: Image.Image) -> tuple[int, int, int, int]:
    box = ImageOps.invert(image).point(lambda v: 255 if v > 80 else 0).getbbox()
    assert box is not None, "the stamp was not drawn where the page is shown"
    return box


CASES = [
    (0, (0, 0, 595, 842), None),
    (90, (0, 0, 595, 842), None),
    (180, (0, 0, 595, 842), None),
    (270, (0, 0, 595, 842), None),
    (0, (-100, 50, 500, 900), (-60, 120, 460, 800)),
    (90, (-100, 50, 500, 900), (-60, 120, 460, 800)),
    (180, (-100, 50, 500, 900), (-60, 120, 460, 800)),
    (270, (-100, 50, 500, 900), (-60, 120, 460, 800)),
]


@pytest.mark.parametrize(("rotate", "media", "crop"), CASES)
def test_the_stamp_runs_along_the_bottom_of_the_page_as_shown(rotate, media, crop):
    image = _stamped_png(_page(rotate, media, crop))
    width, height = image.size
    x0, y0, x1, y1 = _ink(image)
    assert x1 - x0 > 8 * (y1 - y0), "the stamp does not run along the shown page's width"
    assert height - SCALE * 20 < y0 and y1 <= height - SCALE * 8, (y0, y1, height)
    assert abs(x0 - SCALE * stamp.STAMP_X) < SCALE * 3, (x0, width)


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")
@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_the_stamp_reads_upright_on_a_turned_and_cropped_page(rotate, tmp_path):
    image = _stamped_png(_page(rotate, (-100, 50, 500, 900), (-60, 120, 460, 800)))
    x0, y0, x1, y1 = _ink(image)
    path = tmp_path / "stamp.png"
    image.crop((x0 - 20, y0 - 20, x1 + 20, y1 + 20)).save(path)
    done = subprocess.run(
        ["tesseract", str(path), "stdout", "--psm", "7"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Dokument 3" in done.stdout and "side 1 af 1" in done.stdout, done.stdout


def test_the_stamp_font_is_embedded_with_its_widths():
    if stamp.font_file() is None:
        pytest.skip("DejaVu Sans (fonts-dejavu-core) is not installed")
    pdf = _page(90, (0, 0, 595, 842))
    stamp_pages(pdf, sagsnummer="15.17.12-A53-1-26", label="Afgørelse")
    font = pdf.pages[0].Resources.Font.AktflowStempel
    assert font.Subtype == "/TrueType"
    assert len(font.Widths) == int(font.LastChar) - int(font.FirstChar) + 1
    program = font.FontDescriptor.FontFile2.read_bytes()
    assert int(font.FontDescriptor.FontFile2.Length1) == len(program)
    assert len(program) < 200_000  # a subset, not the whole font
    text = pdfium.PdfDocument(_save(pdf))[0].get_textpage().get_text_bounded()
    assert "Afgørelse - side 1 af 1" in text


def _save(pdf: pikepdf.Pdf) -> bytes:
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()
