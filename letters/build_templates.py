"""Build the shipped letter templates in letters/templates/ (python-docx). Run once after editing:

    .venv/bin/python -m letters.build_templates

Each template is a plain Word file: the municipality's logo text and name in the page header, its
address and contact line in the footer, then the recipient block, date and case number, a bold title,
the body and the closing. The variables are those of ``letters.compose`` for the kind. Jinja tags are
kept to ``{{ value }}``, ``{%p if … %}`` / ``{%p for … %}`` paragraphs and, for the aktliste, one
``{%tr for … %}`` table row, so the wording can be edited in Word without touching them.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

OUT = Path(__file__).resolve().parent / "templates"
FONT = "Arial"

# A body is a list of blocks: a string is a paragraph; ("h", text) a section heading; ("title", text) the
# bold title line; ("aktliste",) the document table.
H = "h"

DECISION_TAIL = [
    ("h", "Aktliste"),
    "{%p if aktliste %}",
    ("aktliste",),
    "{%p else %}",
    "Ingen dokumenter.",
    "{%p endif %}",
    "{%p if begrundelse %}",
    ("h", "Begrundelse"),
    "{%p for afsnit in begrundelse %}",
    "{{ afsnit }}",
    "{%p endfor %}",
    "{%p endif %}",
    "{%p if klagevejledning %}",
    ("h", "Klagevejledning"),
    "{%p for afsnit in klagevejledning %}",
    "{{ afsnit }}",
    "{%p endfor %}",
    "{%p endif %}",
]

QUESTIONS = "Har du spørgsmål, er du velkommen til at kontakte mig. Skriv sagsnummeret, når du kontakter os."

BODIES: dict[str, list] = {
    "kvittering": [
        ("title", "Kvittering for din anmodning om {{ indsigtstype }}"),
        "{{ anmodning }}",
        "Din sag har fået sagsnummer {{ sagsnr }}. Skriv det gerne, når du kontakter os om sagen.",
        "{{ behandlingstid }}",
        "{%p if forventet %}",
        "{{ forventet }}",
        "{%p endif %}",
        QUESTIONS,
    ],
    "praecisering": [
        ("title", "Vi har brug for at vide mere om din anmodning"),
        "{{ anmodning }}",
        "Før vi kan behandle anmodningen, har vi brug for, at du præciserer den:",
        "{{ praecisering }}",
        "{%p if regel %}",
        "{{ regel }}",
        "{%p endif %}",
        "Du kan svare ved at skrive til os. Når vi har modtaget dit svar, behandler vi din anmodning "
        "hurtigst muligt.",
        QUESTIONS,
    ],
    "fristbrev": [
        ("title", "{{ overskrift }}"),
        "{{ anmodning }}",
        "{{ indledning }}",
        "{{ grund }}",
        "{{ forventet }}",
        "{{ regel }}",
        "{%p if klage_over_tid %}",
        "{{ klage_over_tid }}",
        "{%p endif %}",
        QUESTIONS,
    ],
    "hoering": [
        ("title", "Høring i forbindelse med en anmodning om aktindsigt"),
        "{{ indledning }}",
        "{%p if dokumenter %}",
        "Høringen angår disse dokumenter:",
        "{%p for afsnit in dokumenter %}",
        "{{ afsnit }}",
        "{%p endfor %}",
        "{%p endif %}",
        "{{ overvejer }}",
        "Før vi træffer afgørelse, vil vi gerne høre dine bemærkninger til, om oplysningerne kan udleveres.",
        "{{ spoergsmaal }}",
        "{{ svarfrist }}",
        "Det er kommunen, der træffer afgørelsen. Dit svar indgår i vores vurdering, men afgør den ikke alene.",
        QUESTIONS,
    ],
    "underretning_ansat": [
        "{%p if efter_afgoerelse %}",
        ("title", "Orientering om udlevering af oplysninger fra din personalesag"),
        "Vi har nu truffet afgørelse om anmodningen fra {{ anmoder_navn }} om aktindsigt i {{ emne }}. Efter "
        "offentlighedslovens § 41 orienterer vi dig om, hvilke oplysninger der er udleveret.",
        "{%p if udleveret %}",
        "Følgende dokumenter er udleveret:",
        "{%p for afsnit in udleveret %}",
        "{{ afsnit }}",
        "{%p endfor %}",
        "{%p else %}",
        "Der er ikke udleveret dokumenter.",
        "{%p endif %}",
        "Har du spørgsmål, er du velkommen til at kontakte mig.",
        "{%p else %}",
        ("title", "Orientering om anmodning om aktindsigt i din personalesag"),
        "{{ orientering }}",
        "Har du bemærkninger, som du mener, vi bør inddrage, når vi vurderer anmodningen, er du velkommen "
        "til at kontakte mig. Du får besked igen, når vi har truffet afgørelse, om hvilke oplysninger der "
        "er udleveret.",
        "{%p endif %}",
    ],
    "delafgoerelse": [
        ("title", "Delafgørelse om {{ indsigtstype }}"),
        "{{ anmodning }}",
        "Vi er ikke færdige med hele anmodningen, men vi kan allerede nu give dig en del af dokumenterne.",
        "{{ resultat }}",
        "{%p if bemaerkning %}",
        "{{ bemaerkning }}",
        "{%p endif %}",
        "{{ resterende }}",
        *DECISION_TAIL,
        QUESTIONS,
    ],
    "afgoerelse": [
        ("title", "Afgørelse om {{ indsigtstype }}"),
        "{{ anmodning }}",
        "{%p if forstaaelse %}",
        "{{ forstaaelse }}",
        "{%p endif %}",
        "{{ retsgrundlag }}",
        ("h", "Afgørelse"),
        "{{ resultat }}",
        "{%p if bemaerkning %}",
        "{{ bemaerkning }}",
        "{%p endif %}",
        "{%p if art12 %}",
        "{{ art12 }}",
        "{%p endif %}",
        "{%p if art15 %}",
        ("h", "Oplysninger om behandlingen af dine personoplysninger"),
        "{%p for afsnit in art15 %}",
        "{{ afsnit }}",
        "{%p endfor %}",
        "{%p endif %}",
        *DECISION_TAIL,
        QUESTIONS,
    ],
    "videresendelse": [
        ("title", "Din anmodning er sendt videre til {{ myndighed }}"),
        "{{ anmodning }}",
        "Anmodningen angår ikke sager, som kommunen behandler. Vi har derfor sendt den videre til "
        "{{ myndighed }}, som efter vores vurdering er rette myndighed (forvaltningslovens § 7, stk. 2).",
        "{%p if bemaerkning %}",
        "{{ bemaerkning }}",
        "{%p endif %}",
        "Du vil høre fra {{ myndighed }}, som behandler din anmodning. Har du spørgsmål til behandlingen, "
        "kan du kontakte {{ myndighed }} direkte.",
    ],
    "klage_oversendelse": [
        ("title", "Oversendelse af klage over afgørelse om aktindsigt"),
        "{{ klage }}",
        "{{ oversendelse }}",
        "{%p if udtalelse %}",
        ("h", "Kommunens bemærkninger til klagen"),
        "{{ udtalelse }}",
        "{%p endif %}",
        "Vi vedlægger klagen, vores afgørelse, aktlisten og sagens dokumenter.",
        "{%p if kopi_til %}",
        "Kopi til: {{ kopi_til }}",
        "{%p endif %}",
    ],
    "klage_forsinkelse": [
        ("title", "Oversendelse af klage over sagsbehandlingstiden"),
        "{{ klage }}",
        "{{ emne }}",
        "{{ modtaget }}",
        ("h", "Begrundelse for sagsbehandlingstiden"),
        "{{ begrundelse }}",
        "{{ forventet }}",
        "{%p if bemaerkning %}",
        "{{ bemaerkning }}",
        "{%p endif %}",
        "{{ oversendelse }}",
        "{%p if kopi_til %}",
        "Kopi til: {{ kopi_til }}",
        "{%p endif %}",
    ],
}

AKTLISTE_COLUMNS = [
    ("Nr.", "{{ d.nr }}", 1.1),
    ("Dato", "{{ d.dato }}", 2.4),
    ("Titel", "{{ d.titel }}", 4.4),
    ("Afsender / modtager", "{{ d.afsender_modtager }}", 3.0),
    ("Afgørelse", "{{ d.afgoerelse }}", 2.3),
    ("Undtagelsesgrund", "{{ d.grunde }}", 3.4),
]


def _para(container, text: str = "", *, bold: bool = False, size: float | None = None, align=None):
    p = container.add_paragraph()
    run = p.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    return p


def _aktliste(doc) -> None:
    table = doc.add_table(rows=4, cols=len(AKTLISTE_COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header, loop, values, end = table.rows
    # The header row repeats on every page of a long aktliste.
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for i, (title, value, width) in enumerate(AKTLISTE_COLUMNS):
        for row in table.rows:
            row.cells[i].width = Cm(width)
        header.cells[i].paragraphs[0].add_run(title).bold = True
        values.cells[i].paragraphs[0].add_run(value)
    loop.cells[0].paragraphs[0].add_run("{%tr for d in aktliste %}")
    end.cells[0].paragraphs[0].add_run("{%tr endfor %}")
    for row in table.rows:
        for cell in row.cells:
            cell.paragraphs[0].paragraph_format.space_after = Pt(0)
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(9)


def build(kind: str) -> Path:
    doc = Document()
    styles = doc.styles
    styles["Normal"].font.name = FONT
    styles["Normal"].font.size = Pt(11)
    styles["Normal"].element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    lang = OxmlElement("w:lang")  # Danish spelling and hyphenation in Word
    lang.set(qn("w:val"), "da-DK")
    styles["Normal"].element.rPr.append(lang)
    styles["Normal"].paragraph_format.space_after = Pt(8)
    for name in ("Heading 2",):
        styles[name].font.name = FONT
        styles[name].font.size = Pt(12)
    doc.core_properties.title = kind
    doc.core_properties.author = "aktflow"
    doc.core_properties.language = "da-DK"

    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.0)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2.0)

    # Header: logo text (an administrator may replace it with the logo image) and the municipality.
    header = section.header
    header.paragraphs[0].add_run("{{ logo_tekst }}").bold = True
    header.paragraphs[0].runs[0].font.size = Pt(16)
    _para(header, "{{ kommune_navn }}", size=9)
    # Footer: address and contact.
    footer = section.footer
    footer.paragraphs[0].add_run("{{ kommune_linje }}").font.size = Pt(8)
    _para(footer, "{{ kommune_kontakt }}", size=8)

    _para(doc, "{{ modtager }}")
    _para(doc, "{{ dato }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "Sagsnr. {{ sagsnr }}", align=WD_ALIGN_PARAGRAPH.RIGHT)

    for block in BODIES[kind]:
        if isinstance(block, str):
            _para(doc, block)
        elif block[0] == "title":
            _para(doc, block[1], bold=True, size=14).paragraph_format.space_before = Pt(18)
        elif block[0] == H:
            doc.add_heading(block[1], level=2)
        elif block[0] == "aktliste":
            _aktliste(doc)

    _para(doc, "Med venlig hilsen").paragraph_format.space_before = Pt(12)
    _para(doc, "{{ sagsbehandler_navn }}").paragraph_format.space_after = Pt(0)
    _para(doc, "{{ sagsbehandler_titel }}").paragraph_format.space_after = Pt(0)
    _para(doc, "{{ kommune_navn }}")

    OUT.mkdir(exist_ok=True)
    path = OUT / f"{kind}.docx"
    doc.save(path)
    return path


def main() -> None:
    from letters import KINDS

    for kind in KINDS:
        print(build(kind).relative_to(OUT.parent.parent))


if __name__ == "__main__":
    main()
