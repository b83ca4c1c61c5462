"""The municipality's KLE plan (KL's emnesystematik): import of KL's XML, search, and checking an emne.

KL licenses KLE, so aktflow ships only a small sample (``aktflow/data/kle_sample.xml``) for the demo; an
administrator imports the municipality's licensed plan with ``aktflow kle import FILE``. The XML has the
shape KL publishes::

    <KLE-Emneplan>
      <Hovedgruppe><HovedgruppeNr>15</HovedgruppeNr><HovedgruppeTitel>…</HovedgruppeTitel>
        <Gruppe><GruppeNr>15.17</GruppeNr><GruppeTitel>…</GruppeTitel>
          <Emne><EmneNr>15.17.12</EmneNr><EmneTitel>…</EmneTitel></Emne> …

Namespaces, extra elements (vejledning, administrative info, UUIDs) and short numbers written relative to
their parent ("17" inside main group 15) are accepted. Without an imported plan any well-formed
``NN.NN.NN`` is accepted; with one, an emne must be in it — or, for a request spanning several emner, be
a group written ``NN.NN.00`` or a main group written ``NN.00.00`` that is in it (docs/domain.md §3).
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from importlib import resources
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from . import vocabulary
from .admin_log import record_admin_change
from .administration import authorize_admin, log_name
from .errors import ValidationError
from .models import KleEmne

log = logging.getLogger(__name__)
SAMPLE = "kle_sample.xml"
MAX_BYTES = 50 * 1024 * 1024
EMNE_RE = vocabulary.EMNE_RE
_NUM = {1: re.compile(r"^\d{2}$"), 2: re.compile(r"^\d{2}\.\d{2}$"), 3: EMNE_RE}


def _session(db_or_session: Any) -> tuple[Session, bool]:
    """Accept a Database (open a session, caller closes) or a Session (use it)."""
    if isinstance(db_or_session, Session):
        return db_or_session, False
    return db_or_session.session(), True


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(elem: ET.Element, name: str) -> str | None:
    for child in elem:
        if _local(child.tag) == name:
            return " ".join((child.text or "").split())
    return None


def _children(elem: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in elem if _local(c.tag) == name]


def _number(raw: str | None, parent: str | None, level: int, where: str) -> str:
    raw = (raw or "").strip()
    if parent and re.fullmatch(r"\d{2}", raw) and level > 1:
        raw = f"{parent}.{raw}"
    if not _NUM[level].match(raw):
        raise ValidationError(
            "file", f"ugyldigt nummer {raw!r} i {where} (forventet {'NN.NN.NN'[: 3 * level - 1]})"
        )
    if parent and not raw.startswith(parent + "."):
        raise ValidationError("file", f"nummeret {raw} ligger ikke under {parent}")
    return raw


def parse_xml(data: bytes) -> list[tuple[str, str, int]]:
    """(nummer, titel, niveau) for every main group, group and emne; ValidationError('file', …) if malformed."""
    if not isinstance(data, bytes | bytearray) or not data.strip():
        raise ValidationError("file", "filen er tom")
    if len(data) > MAX_BYTES:
        raise ValidationError("file", "filen er for stor til at være en KLE-emneplan")
    # defusedxml refuses a DTD, entity declarations and external references in any encoding (a byte filter
    # for "<!DOCTYPE" is bypassed by UTF-16), and parses everything else as ElementTree does.
    from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
    from defusedxml.ElementTree import fromstring as safe_fromstring  # type: ignore[import-untyped]

    try:
        root = safe_fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise ValidationError("file", "filen må ikke indeholde DOCTYPE- eller ENTITY-erklæringer") from None
    except ET.ParseError as e:
        raise ValidationError("file", f"filen er ikke gyldig XML ({e})") from None
    except ValueError:  # expat reads no multi-byte encoding it is told of without a byte-order mark
        raise ValidationError(
            "file", "filens tegnkodning kan ikke læses: gem den som UTF-8 (eller UTF-16 med BOM)"
        ) from None
    if _local(root.tag) != "KLE-Emneplan":
        raise ValidationError(
            "file", f"roden hedder {_local(root.tag)!r}; en KLE-emneplan har roden 'KLE-Emneplan'"
        )
    rows: dict[str, tuple[str, str, int]] = {}

    def add(nummer: str, titel: str | None, niveau: int) -> None:
        if not titel:
            raise ValidationError("file", f"{nummer} mangler en titel")
        rows[nummer] = (nummer, titel[:300], niveau)

    for hg in _children(root, "Hovedgruppe"):
        hg_nr = _number(_child_text(hg, "HovedgruppeNr"), None, 1, "en hovedgruppe")
        add(hg_nr, _child_text(hg, "HovedgruppeTitel"), 1)
        for gr in _children(hg, "Gruppe"):
            gr_nr = _number(_child_text(gr, "GruppeNr"), hg_nr, 2, f"hovedgruppe {hg_nr}")
            add(gr_nr, _child_text(gr, "GruppeTitel"), 2)
            for em in _children(gr, "Emne"):
                em_nr = _number(_child_text(em, "EmneNr"), gr_nr, 3, f"gruppe {gr_nr}")
                add(em_nr, _child_text(em, "EmneTitel"), 3)
    if not any(n == 3 for _, _, n in rows.values()):
        raise ValidationError("file", "filen indeholder ingen emner (Hovedgruppe → Gruppe → Emne)")
    return sorted(rows.values())


def import_xml(db: Any, data: bytes, *, actor: str) -> dict[str, int]:
    """Replace the municipality's KLE plan with the one in KL's XML ``data``, in one transaction.

    ``actor`` must be an administrator (or the server's shell, ``SYSTEM_ACTOR``, loading the demo).
    Returns counts: ``{"hovedgrupper": …, "grupper": …, "emner": …}``. Malformed input raises
    ValidationError and leaves the current plan as it was; a user who may not raises PermissionDenied.
    """
    rows = parse_xml(data)
    session, own = _session(db)
    try:
        authorize_admin(session, actor, shell=True)
        old = session.scalar(select(func.count()).select_from(KleEmne)) or 0
        session.execute(delete(KleEmne))
        session.execute(
            KleEmne.__table__.insert(), [{"nummer": n, "titel": t, "niveau": lvl} for n, t, lvl in rows]
        )
        record_admin_change(session, actor, "kle.import", "KLE-planen", {"numre": old}, {"numre": len(rows)})
        session.commit()
        log.info("KLE-planen er indlæst (%d numre) af %s", len(rows), log_name(actor))
    except Exception:
        session.rollback()
        raise
    finally:
        if own:
            session.close()
    return {
        "hovedgrupper": sum(1 for r in rows if r[2] == 1),
        "grupper": sum(1 for r in rows if r[2] == 2),
        "emner": sum(1 for r in rows if r[2] == 3),
    }


def sample_bytes() -> bytes:
    return resources.files("aktflow").joinpath("data", SAMPLE).read_bytes()


def load_sample(db: Any, *, actor: str) -> dict[str, int]:
    """Load the small sample plan shipped with aktflow (for the demo; not KL's full plan); as import_xml."""
    return import_xml(db, sample_bytes(), actor=actor)


def has_plan(db: Any) -> bool:
    session, own = _session(db)
    try:
        return session.scalar(select(KleEmne.nummer).limit(1)) is not None
    finally:
        if own:
            session.close()


def _candidates(emne: str) -> list[str]:
    """The plan entries that make ``emne`` known: the emne itself, or the group/main group it stands for."""
    out = [emne]
    if emne.endswith(".00.00"):
        out.append(emne[:2])
    elif emne.endswith(".00"):
        out.append(emne[:5])
    return out


def is_known(db: Any, emne: str) -> bool:
    """True when ``emne`` (NN.NN.NN) is in the plan, as an emne or as a group/main group written with 00."""
    emne = (emne or "").strip()
    if not EMNE_RE.match(emne):
        return False
    session, own = _session(db)
    try:
        return (
            session.scalar(select(KleEmne.nummer).where(KleEmne.nummer.in_(_candidates(emne))).limit(1))
            is not None
        )
    finally:
        if own:
            session.close()


def title_of(db: Any, emne: str) -> str | None:
    """The plan's title for ``emne`` (or for the group/main group it stands for), if there is a plan."""
    session, own = _session(db)
    try:
        rows = dict(
            session.execute(
                select(KleEmne.nummer, KleEmne.titel).where(
                    KleEmne.nummer.in_(_candidates((emne or "").strip()))
                )
            ).all()
        )
    finally:
        if own:
            session.close()
    for c in _candidates((emne or "").strip()):
        if c in rows:
            return rows[c]
    return None


def check_emne(db: Any, emne: str) -> str:
    """The emne, stripped, if acceptable: well-formed, and in the plan when there is one; else ValidationError."""
    emne = (emne or "").strip()
    if not EMNE_RE.match(emne):
        raise ValidationError("emne", f"ugyldigt KLE-emne {emne!r} (forventet NN.NN.NN, fx 15.17.12)")
    if has_plan(db) and not is_known(db, emne):
        raise ValidationError("emne", f"KLE-emnet {emne} findes ikke i kommunens KLE-plan")
    return emne


def search(db: Any, q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Plan entries whose number starts with ``q`` or whose title contains every word of ``q``; emner first,
    each number to journalise under (``emne``) once. Each: ``nummer, titel, niveau, emne``; at most ``limit``."""
    q = " ".join(re.sub(r"[%_\\]", " ", q or "").split())[:100]  # no LIKE wildcards from the user
    limit = max(1, min(int(limit), 100))
    if not q:
        return []
    session, own = _session(db)
    try:
        cond: ColumnElement[bool] | None
        if re.fullmatch(r"[\d.]+", q):
            cond = KleEmne.nummer.like(q + "%")
        else:
            words = [w for w in q.lower().split() if w][:6]
            cond = None
            for w in words:
                # SQLite's lower() folds ASCII only: also match the word capitalised (Ældre, Øster …).
                c = or_(
                    func.lower(KleEmne.titel).like(f"%{w}%"), KleEmne.titel.like(f"%{w[:1].upper()}{w[1:]}%")
                )
                cond = c if cond is None else cond & c
            cond = (
                or_(cond, KleEmne.nummer.like(q + "%")) if cond is not None else KleEmne.nummer.like(q + "%")
            )
        rows = session.execute(
            select(KleEmne.nummer, KleEmne.titel, KleEmne.niveau)
            .where(cond)
            .order_by(KleEmne.niveau.desc(), KleEmne.nummer)
            .limit(limit * 3)  # room for the groups dropped below
        ).all()
    finally:
        if own:
            session.close()
    # Each number to journalise under once: a group (02.34) is journalised as 02.34.00, which the plan may
    # also hold as an emne; the emne (listed first) is kept.
    seen: dict[str, dict[str, Any]] = {}
    for n, t, lvl in rows:
        seen.setdefault(_as_emne(n), {"nummer": n, "titel": t, "niveau": lvl, "emne": _as_emne(n)})
    return list(seen.values())[:limit]


def _as_emne(nummer: str) -> str:
    """The NN.NN.NN to journalise under for a plan entry (a group 15.17 → 15.17.00, a main group 15 → 15.00.00)."""
    return {2: f"{nummer}.00.00", 5: f"{nummer}.00"}.get(len(nummer), nummer)
