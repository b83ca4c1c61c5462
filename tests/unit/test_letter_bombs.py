"""Letter templates that would spend without bound are refused at upload or stopped at render, with a clear
Danish message; a normal uploaded template still renders."""

from __future__ import annotations

import time

import pytest

import letters
from letters.bounded import MAX_TEXT, RenderLimits, RenderRefused, bounded_binop, run_bounded
from tests.unit.test_letters import letter_text, make_template


@pytest.fixture(autouse=True)
def _short_limits(monkeypatch):
    """The same bounds with a shorter clock, so the suite does not wait the full 15 seconds."""
    import letters.bounded

    monkeypatch.setattr(letters.bounded, "DEFAULT_LIMITS", RenderLimits(seconds=3))


BOMBS = {
    "string": "{{ 'x' * 200000000 }}",
    "power": "{{ 9 ** 9999999 }}",
    "list": "{{ [1] * 300000000 }}",
    "product": "{{ (9 ** 3000) * (9 ** 3000) }}",
    "concatenation": "{% set a = 'x' * 900000 %}{{ a + a }}",
}


@pytest.mark.parametrize("name", BOMBS)
def test_arithmetic_bombs_are_refused_at_upload(name):
    t0 = time.monotonic()
    problems = letters.check_template("kvittering", make_template("Kære {{ anmoder_navn }} " + BOMBS[name]))
    assert time.monotonic() - t0 < 10
    assert problems and "for stor værdi" in " ".join(problems), problems


def test_a_loop_that_runs_long_is_stopped_at_upload():
    loop = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    t0 = time.monotonic()
    problems = letters.check_template("kvittering", make_template("{{ sagsnr }}" + loop))
    elapsed = time.monotonic() - t0
    assert problems and "tog for lang tid" in problems[0], problems
    assert elapsed < 3 + 5


def test_a_loop_that_runs_long_only_on_real_data_is_stopped_at_render():
    """The sample case has few documents, so the upload check passes; a real case with many makes the
    loop long, and the rendering is stopped with a clear message instead of holding the worker."""
    own = make_template(
        "{{ sagsnr }}{% for a in aktliste %}{% for b in aktliste %}{% for c in aktliste %}"
        "{% for d in aktliste %}{% for e in aktliste %}.{% endfor %}{% endfor %}{% endfor %}{% endfor %}"
        "{% endfor %}"
    )
    assert letters.check_template("afgoerelse", own) == []
    ctx = letters.sample_context("afgoerelse")
    many = [dict(ctx["documents"][0], id=i, no=i) for i in range(1, 400)] if ctx.get("documents") else None
    if many is None:
        pytest.skip("the sample context has no documents to multiply")
    ctx = {**ctx, "documents": many}
    with pytest.raises(RenderRefused) as e:
        letters.render("afgoerelse", ctx, template=own)
    assert e.value.limit in ("seconds", "output", "memory")  # whichever bound the loop reaches first
    assert e.value.http_status == 422 and "Brevskabelonen kan ikke bruges" in e.value.message


def test_memory_is_bounded_in_the_child():
    def hog() -> bytes:
        blocks = []
        while True:
            blocks.append(bytearray(50 * 1024 * 1024))

    t0 = time.monotonic()
    with pytest.raises(RenderRefused) as e:
        run_bounded(hog, RenderLimits(seconds=20, memory=200 * 1024 * 1024))
    assert e.value.limit == "memory" and "hukommelse" in e.value.message
    assert time.monotonic() - t0 < 20


def test_wall_clock_kills_a_child_that_sleeps():
    def sleeper() -> bytes:
        time.sleep(60)
        return b""

    t0 = time.monotonic()
    with pytest.raises(RenderRefused) as e:
        run_bounded(sleeper, RenderLimits(seconds=1))
    assert e.value.limit == "seconds" and time.monotonic() - t0 < 5


def test_too_large_a_letter_is_refused():
    with pytest.raises(RenderRefused) as e:
        run_bounded(lambda: b"x" * 3_000_000, RenderLimits(output=1_000_000))
    assert e.value.limit == "output"
    assert run_bounded(lambda: b"PK" + b"y" * 10, RenderLimits()) == b"PK" + b"y" * 10


def test_an_uploaded_template_within_bounds_renders_as_before():
    own = make_template("Til {{ anmoder_navn }}: {{ 'ab' * 3 }} {{ 2 ** 10 }} {{ 'x' + 'y' }}")
    assert letters.check_template("kvittering", own) == []
    text = letter_text(letters.render("kvittering", letters.sample_context("kvittering"), template=own))
    assert "ababab 1024 xy" in text


def test_bounded_binop_limits():
    assert bounded_binop("*", "ab", 3) == "ababab" and bounded_binop("**", 2, 10) == 1024
    assert bounded_binop("+", [1], [2]) == [1, 2] and bounded_binop("*", 3, 4) == 12
    assert bounded_binop("**", 2.0, 0.5) == 2.0**0.5
    for op, left, right in (
        ("*", "x", MAX_TEXT + 1),
        ("*", MAX_TEXT + 1, "x"),
        ("**", 10, 10**6),
        ("**", 2, 20000),
    ):
        with pytest.raises(RenderRefused):
            bounded_binop(op, left, right)
