"""aktflow.kle: import of KL's XML, search, and checking an emne against the plan."""

from __future__ import annotations

import pytest

from aktflow import kle
from aktflow.errors import ValidationError
from aktflow.vocabulary import SYSTEM_ACTOR

SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<KLE-Emneplan xmlns="http://www.klxml.dk/KLE">
  <UdgivelsesDato>2026-01-01</UdgivelsesDato>
  <Hovedgruppe><HovedgruppeNr>02</HovedgruppeNr><HovedgruppeTitel>Byggeri</HovedgruppeTitel>
    <HovedgruppeAdministrativInfo><OprettetDato>1990-01-01</OprettetDato></HovedgruppeAdministrativInfo>
    <Gruppe><GruppeNr>02.34</GruppeNr><GruppeTitel>Byggesagsbehandling</GruppeTitel>
      <Emne><EmneNr>02.34.02</EmneNr><EmneTitel>Byggetilladelser</EmneTitel></Emne>
      <Emne><EmneNr>10</EmneNr><EmneTitel>Lovliggørelse</EmneTitel></Emne>
    </Gruppe>
  </Hovedgruppe>
  <Hovedgruppe><HovedgruppeNr>27</HovedgruppeNr><HovedgruppeTitel>Social service</HovedgruppeTitel>
    <Gruppe><GruppeNr>12</GruppeNr><GruppeTitel>Ældreområdet</GruppeTitel>
      <Emne><EmneNr>27.12.04</EmneNr><EmneTitel>Plejeboliger</EmneTitel></Emne>
    </Gruppe>
  </Hovedgruppe>
</KLE-Emneplan>""".encode()


def test_import_counts_levels_with_namespaces_and_relative_numbers(sqlite_db):
    assert not kle.has_plan(sqlite_db)
    assert kle.import_xml(sqlite_db, SMALL, actor=SYSTEM_ACTOR) == {
        "hovedgrupper": 2,
        "grupper": 2,
        "emner": 3,
    }
    assert kle.has_plan(sqlite_db)
    assert kle.is_known(sqlite_db, "02.34.10") and kle.is_known(sqlite_db, "27.12.04")
    assert kle.title_of(sqlite_db, "27.12.04") == "Plejeboliger"


def test_import_replaces_the_plan(sqlite_db):
    kle.load_sample(sqlite_db, actor=SYSTEM_ACTOR)
    assert kle.is_known(sqlite_db, "15.17.12")
    kle.import_xml(sqlite_db, SMALL, actor=SYSTEM_ACTOR)
    assert not kle.is_known(sqlite_db, "15.17.12")


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "tom"),
        (b"<KLE-Emneplan><Hovedgruppe>", "ikke gyldig XML"),
        (b"<Andet/>", "roden hedder 'Andet'"),
        (b"<KLE-Emneplan></KLE-Emneplan>", "ingen emner"),
        (
            b"<KLE-Emneplan><Hovedgruppe><HovedgruppeNr>2</HovedgruppeNr><HovedgruppeTitel>X</HovedgruppeTitel>"
            b"</Hovedgruppe></KLE-Emneplan>",
            "ugyldigt nummer",
        ),
        (
            b"<KLE-Emneplan><Hovedgruppe><HovedgruppeNr>02</HovedgruppeNr><HovedgruppeTitel>X</HovedgruppeTitel>"
            b"<Gruppe><GruppeNr>03.01</GruppeNr><GruppeTitel>Y</GruppeTitel></Gruppe></Hovedgruppe></KLE-Emneplan>",
            "ligger ikke under 02",
        ),
        (
            b"<KLE-Emneplan><Hovedgruppe><HovedgruppeNr>02</HovedgruppeNr></Hovedgruppe></KLE-Emneplan>",
            "mangler en titel",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa">]><KLE-Emneplan>&a;</KLE-Emneplan>',
            "DOCTYPE",
        ),
    ],
)
def test_malformed_xml_is_a_validation_error_and_keeps_the_old_plan(sqlite_db, data, message):
    kle.load_sample(sqlite_db, actor=SYSTEM_ACTOR)
    with pytest.raises(ValidationError) as e:
        kle.import_xml(sqlite_db, data, actor=SYSTEM_ACTOR)
    assert e.value.field == "file" and message in e.value.message
    assert kle.is_known(sqlite_db, "15.17.12")


def test_known_emner_groups_and_main_groups(sqlite_db):
    assert kle.check_emne(sqlite_db, " 99.99.99 ") == "99.99.99"  # no plan: any well-formed number
    with pytest.raises(ValidationError, match="ugyldigt KLE-emne"):
        kle.check_emne(sqlite_db, "9.99.99")
    kle.load_sample(sqlite_db, actor=SYSTEM_ACTOR)
    assert kle.is_known(sqlite_db, "02.34.02")
    assert kle.is_known(sqlite_db, "02.00.00")  # main group 02
    assert kle.is_known(sqlite_db, "15.17.00")  # an emne (and the group)
    assert kle.is_known(sqlite_db, "27.24.00")
    assert not kle.is_known(sqlite_db, "02.34.99")
    assert not kle.is_known(sqlite_db, "44.00.00")
    with pytest.raises(ValidationError, match="findes ikke i kommunens KLE-plan"):
        kle.check_emne(sqlite_db, "02.34.99")


def test_search_by_number_and_by_words(sqlite_db):
    assert kle.search(sqlite_db, "byg") == []
    kle.load_sample(sqlite_db, actor=SYSTEM_ACTOR)
    hits = kle.search(sqlite_db, "byggetilladelser")
    assert [h["emne"] for h in hits] == ["02.34.02"]
    assert hits[0]["titel"] == "Byggetilladelser" and hits[0]["niveau"] == 3
    assert [h["emne"] for h in kle.search(sqlite_db, "ældre")][:1] == ["27.12.00"]  # non-ASCII, any case
    hits = kle.search(sqlite_db, "02.34")
    nums = [h["nummer"] for h in hits]
    assert nums[:3] == ["02.34.00", "02.34.02", "02.34.10"]
    # each number once: the group 02.34 is journalised as 02.34.00, which the emne already offers
    emner = [h["emne"] for h in hits]
    assert len(emner) == len(set(emner)) and "02.34" not in nums
    group = next(h for h in kle.search(sqlite_db, "02") if h["nummer"] == "02")
    assert group["emne"] == "02.00.00"  # a main group is journalised as NN.00.00
    assert len(kle.search(sqlite_db, "0", limit=3)) == 3
    assert kle.search(sqlite_db, "%") == []


def test_the_shipped_sample_covers_the_demo_cases(sqlite_db):
    from aktflow.demo import DEMO_CASES

    kle.load_sample(sqlite_db, actor=SYSTEM_ACTOR)
    for case in DEMO_CASES:
        assert kle.is_known(sqlite_db, case[2]), case[2]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8"])
@pytest.mark.parametrize(
    "declaration",
    [
        '<!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE KLE-Emneplan SYSTEM "http://example.invalid/kle.dtd">',
    ],
)
def test_a_dtd_is_refused_in_any_encoding(sqlite_db, encoding, declaration):
    """The old byte filter looked for b"<!DOCTYPE"; in UTF-16 those bytes never occur, so the parser saw
    the entities. The XML is now read by defusedxml, which refuses a DTD whatever the encoding."""
    head = f'<?xml version="1.0" encoding="{encoding.upper()}"?>' if encoding != "utf-16" else ""
    xml = (
        head + declaration + "<KLE-Emneplan><Hovedgruppe><HovedgruppeNr>02</HovedgruppeNr>"
        "<HovedgruppeTitel>&b;&e;</HovedgruppeTitel></Hovedgruppe></KLE-Emneplan>"
    )
    data = xml.encode(encoding)
    assert b"<!DOCTYPE" not in data or encoding == "utf-8"
    kle.load_sample(sqlite_db, actor=SYSTEM_ACTOR)
    with pytest.raises(ValidationError) as e:
        kle.import_xml(sqlite_db, data, actor=SYSTEM_ACTOR)
    assert e.value.field == "file"
    if encoding in ("utf-16", "utf-8"):
        assert "DOCTYPE" in e.value.message
    else:  # a declared UTF-16LE/BE without a byte-order mark is refused before any entity is read
        assert "tegnkodning" in e.value.message
    assert kle.is_known(sqlite_db, "15.17.12")  # the old plan is kept


def test_a_plan_in_utf16_without_a_dtd_is_read(sqlite_db):
    xml = (
        '<?xml version="1.0" encoding="UTF-16"?><KLE-Emneplan><Hovedgruppe><HovedgruppeNr>02</HovedgruppeNr>'
        "<HovedgruppeTitel>Fysisk planlægning</HovedgruppeTitel><Gruppe><GruppeNr>02.34</GruppeNr>"
        "<GruppeTitel>Byggeri</GruppeTitel><Emne><EmneNr>02.34.02</EmneNr><EmneTitel>Byggesager</EmneTitel>"
        "</Emne></Gruppe></Hovedgruppe></KLE-Emneplan>"
    )
    assert kle.parse_xml(xml.encode("utf-16")) == [
        ("02", "Fysisk planlægning", 1),
        ("02.34", "Byggeri", 2),
        ("02.34.02", "Byggesager", 3),
    ]
