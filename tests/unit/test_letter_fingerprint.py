"""Deterministic letters: the same inputs give the same .docx bytes, so a letter's SHA-256 names it."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

import letters


@pytest.mark.parametrize("kind", sorted(letters.KINDS))
def test_the_same_letter_is_the_same_bytes(kind, monkeypatch):
    ctx = letters.sample_context(kind)
    first = letters.render(kind, ctx)
    # python-docx stamps zip entries with the time of saving: another time must not change the bytes.
    monkeypatch.setattr("time.time", lambda: 2_000_000_000.0)
    second = letters.render(kind, ctx)
    assert first == second
    assert letters.fingerprint(first) == letters.fingerprint(second)
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {letters.ZIP_TIME}
        assert z.testzip() is None


def test_another_date_or_another_value_gives_another_fingerprint():
    ctx = letters.sample_context("afgoerelse")
    base = letters.fingerprint(letters.render("afgoerelse", ctx))
    later = {**ctx, "today": ctx["today"] + dt.timedelta(days=1)}
    assert letters.fingerprint(letters.render("afgoerelse", later)) != base
    renamed = {**ctx, "case": {**ctx["case"], "subject": ctx["case"]["subject"] + " (ændret)"}}
    assert letters.fingerprint(letters.render("afgoerelse", renamed)) != base


def test_the_fingerprint_is_the_sha256_of_the_bytes():
    import hashlib

    content = letters.render("kvittering", letters.sample_context("kvittering"))
    assert letters.fingerprint(content) == hashlib.sha256(content).hexdigest()
    assert len(letters.fingerprint(content)) == 64


@pytest.mark.parametrize("kind", sorted(letters.KINDS))
def test_a_letter_zipped_once_is_the_bytes_of_docxtpls_save_with_fixed_times(kind):
    """letters zips the rendered package once, with the fixed times; the bytes are those docxtpl's own
    save followed by letters._fixed_zip gives (a letter sent before the change keeps its fingerprint)."""
    from docxtpl import DocxTemplate

    from aktflow.exits import mask

    ctx = letters.sample_context(kind)
    doc = DocxTemplate(io.BytesIO(letters.template_bytes(kind)))
    doc.render(mask(letters.compose(kind, ctx)), jinja_env=letters._env(), autoescape=True)
    saved = io.BytesIO()
    doc.save(saved)
    assert letters.render(kind, ctx) == letters._fixed_zip(saved.getvalue())
