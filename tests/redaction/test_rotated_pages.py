"""A region drawn in the browser on a rotated or cropped page removes the text that was under it.

The page is rendered as the browser sees it (pdfium: turned by /Rotate, cut to the CropBox); the ink of
the secret word is found in the rendered image's pixels, the pixel box is turned into PDF points as the
browser does (``pixels_to_points``, the same sum ``web/static/redact.js`` does with the page's matrix), and
burn-in must remove exactly that word: the other words on the page stay.
"""

from __future__ import annotations

import io

import pymupdf
import pytest
from PIL import Image, ImageOps

from aktflow.redaction.burn import Mark, burn
from aktflow.redaction.leak import leak_check
from aktflow.redaction.pages import pixels_to_points, render_page, shown_to_pdf

SECRET = "Fortroligt"
KEEP = ("Synligt", "Bevares")
GROUND = "OFL § 30, nr. 1"


def _page(rotate: int, *, secret: bool = True, others: bool = True) -> bytes:
    """A 600 × 800 pt page whose CropBox does not start at 0 (x 40-540, y 150-750 in PDF points), with
    the secret word in its upper left part and two other words elsewhere, turned by ``rotate``."""
    doc = pymupdf.open()
    page = doc.new_page(width=600, height=800)
    if secret:
        page.insert_text((120, 160), SECRET, fontsize=14)
    if others:
        page.insert_text((300, 160), KEEP[0], fontsize=14)
        page.insert_text((120, 500), KEEP[1], fontsize=14)
    page.set_cropbox(pymupdf.Rect(40, 50, 540, 650))  # MuPDF's convention: from the top
    page.set_rotation(rotate)
    return doc.tobytes()


def _ink(png: bytes) -> tuple[int, int, int, int]:
    """The box of the dark pixels of a rendered page (the secret word alone), a little padded."""
    image = ImageOps.invert(Image.open(io.BytesIO(png)).convert("L"))
    box = image.point(lambda v: 255 if v > 60 else 0).getbbox()
    assert box is not None
    x0, y0, x1, y1 = box
    return (x0 - 3, y0 - 3, x1 + 3, y1 + 3)


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_a_box_drawn_on_the_rendered_page_removes_the_text_under_it(rotate):
    alone, geometry = render_page(_page(rotate, others=False), 1)
    pixels = _ink(alone)
    box = pixels_to_points(geometry, pixels)

    result = burn(_page(rotate), [Mark("region", GROUND, page=1, box=box)])

    assert result.hits == (1,)
    text = pymupdf.open(stream=result.pdf)[0].get_text()
    assert SECRET not in text
    for word in KEEP:
        assert word in text, f"{word} removed on a page turned {rotate}°"
    assert leak_check(result.pdf, [SECRET]).ok


@pytest.mark.parametrize("rotate", [90, 270])
def test_the_shown_page_of_a_turned_page_is_as_wide_as_the_unturned_one_is_high(rotate):
    _png, geometry = render_page(_page(rotate), 1)
    assert geometry["rotate"] == rotate
    assert (geometry["width"], geometry["height"]) == (600, 500)  # the CropBox is 500 × 600, turned


@pytest.mark.parametrize(
    ("rotate", "top_left"),
    [(0, (40, 750)), (90, (40, 150)), (180, (540, 150)), (270, (540, 750))],
)
def test_the_shown_top_left_corner_is_the_cropbox_corner_rotation_brings_there(rotate, top_left):
    # /Rotate turns the page clockwise: at 90° the CropBox's lower left corner is shown at the top left.
    a, b, c, d, e, f = shown_to_pdf(rotate, (40, 150, 540, 750))
    assert (a * 0 + c * 0 + e, b * 0 + d * 0 + f) == top_left
    # One point right on the screen is one point along the page's edge, whatever the rotation.
    assert abs(a) + abs(b) == 1 and abs(c) + abs(d) == 1


def test_a_box_off_the_cropped_part_of_the_page_is_refused():
    from aktflow.errors import ValidationError

    with pytest.raises(ValidationError) as err:
        burn(_page(90), [Mark("region", GROUND, page=1, box=(0, 0, 30, 100))])  # left of the CropBox
    assert err.value.field == "box"
