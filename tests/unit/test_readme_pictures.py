"""The README's pictures: each one it shows is in the repository (taken by ``python -m devtools.screenshots``)
and small enough to keep in git."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
#: The largest picture kept in the repository (bytes).
MAX_PICTURE = 200 * 1024


def test_every_picture_the_readme_shows_exists_and_is_small():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", readme)
    assert pictures, "the README shows no picture"
    for path in pictures:
        file = ROOT / path
        assert file.is_file(), path
        assert file.stat().st_size <= MAX_PICTURE, (path, file.stat().st_size)
        if path.endswith(".png"):  # a screenshot: taken by devtools/screenshots.py, kept in one place
            assert path.startswith("docs/img/"), path
            assert file.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
