"""Precision and recall of extraction + screening over the whole test corpus (tests/corpus).

Every file is read as the pipeline reads it (every part; attachments and embedded files as documents of
their own, recursively) and each part is screened as the pipeline screens it. A positive file counts as found when its hidden CPR
number (or health word) is flagged in the part — or the attached document — that holds it; the harmless
look-alikes (phone numbers, case numbers, amounts) must give no CPR finding at all. The figures are
printed (``pytest -s``) and the test holds recall at 100 % and no CPR finding on the look-alikes.
"""

from __future__ import annotations

from aktflow.document_screening import findings_in
from aktflow.extraction import Limits, extract
from tests import corpus

POSITIVES = corpus.docx_cases() + corpus.pdf_cases() + corpus.other_cases()
LOOKALIKES = corpus.lookalike_cases()


def findings(filename: str, data: bytes, depth: int = 0) -> dict[tuple[str, str], set[str]]:
    """``{(document name, part label): finding kinds}`` of a file and, recursively, what it carries."""
    lim = Limits()
    result = extract(filename, data, lim)
    out = {(filename, p.label): {f.kind for f in findings_in(p.text)} for p in result.parts if p.read}
    if depth < lim.max_depth:
        for child in result.children:
            out.update(findings(child.filename, child.content, depth + 1))
    return out


def expected_kind(case: corpus.Case) -> str:
    return "health" if case.secret == corpus.HEALTH else "cpr"


def found_where_hidden(case: corpus.Case, found: dict[tuple[str, str], set[str]]) -> bool:
    kind = expected_kind(case)
    return any(
        kind in kinds and (label == case.label or (doc == case.label and doc != case.filename))
        for (doc, label), kinds in found.items()
    )


def test_recall_is_complete_and_the_lookalikes_give_no_cpr_finding():
    missed = [c.name for c in POSITIVES if not found_where_hidden(c, findings(c.filename, c.data))]
    cpr_files = [c for c in POSITIVES if expected_kind(c) == "cpr"]
    true_pos = sum(1 for c in cpr_files if any("cpr" in k for k in findings(c.filename, c.data).values()))
    false_pos = [c.name for c in LOOKALIKES if any("cpr" in k for k in findings(c.filename, c.data).values())]
    recall = (len(POSITIVES) - len(missed)) / len(POSITIVES)
    precision = true_pos / (true_pos + len(false_pos)) if true_pos + len(false_pos) else 0.0
    print(
        f"\ncorpus: {len(POSITIVES)} files with a hidden CPR number or health word, {len(LOOKALIKES)} "
        f"look-alikes; recall {recall:.1%} (missed: {missed or 'none'}), CPR precision {precision:.1%} "
        f"(false findings: {false_pos or 'none'})"
    )
    assert len(POSITIVES) >= 50 and len(LOOKALIKES) >= 3
    assert missed == []
    assert false_pos == []
