"""Reading incoming e-mails (aktflow/mail_in/parse.py): sender, subject, body, date in Danish time, ids,
attachments, and the limits that refuse a mail with a Danish sentence."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aktflow.extraction import Limits, Refused
from aktflow.mail_in.parse import parse_mail
from tests import mailbuild


def test_eml_with_attachments_gives_sender_subject_body_and_files():
    raw = mailbuild.eml(
        attachments=[
            ("bilag.pdf", b"%PDF-1.4 fake", "application/pdf"),
            ("kort.png", b"\x89PNG..", "image/png"),
        ]
    )
    mail = parse_mail("anmodning.eml", raw)
    assert mail.format == "eml"
    assert (mail.sender_name, mail.sender_address) == ("Jens Hansen", "jens.hansen@example.dk")
    assert mail.subject == "Anmodning om aktindsigt i byggesag"
    assert mail.body.startswith("Jeg beder om aktindsigt i byggesagen")
    assert [(f.filename, f.content_type, f.size) for f in mail.attachments] == [
        ("bilag.pdf", "application/pdf", len(b"%PDF-1.4 fake")),
        ("kort.png", "image/png", len(b"\x89PNG..")),
    ]
    assert mail.message_id == "<req-1@example.dk>"


def test_date_is_read_in_danish_time():
    # 23:30 UTC on 30 November is 00:30 on 1 December in Copenhagen: the deadlines start on 1 December.
    assert parse_mail("a.eml", mailbuild.eml(date="Mon, 30 Nov 2026 23:30:00 +0000")).received == dt.date(
        2026, 12, 1
    )
    # Summer time: 22:30 UTC on 30 June is 00:30 on 1 July (UTC+2).
    assert parse_mail("a.eml", mailbuild.eml(date="Tue, 30 Jun 2026 22:30:00 +0000")).received == dt.date(
        2026, 7, 1
    )
    assert parse_mail("a.eml", mailbuild.eml(date="Mon, 30 Nov 2026 22:30:00 +0000")).received == dt.date(
        2026, 11, 30
    )


@pytest.mark.parametrize("date", [None, "i går ved frokosttid", "Mon, 45 Nov 2026 25:61:00 +0000"])
def test_a_missing_or_bad_date_is_none_with_a_reason(date):
    mail = parse_mail("a.eml", mailbuild.eml(date=date))
    assert mail.sent_at is None and mail.received is None
    assert mail.date_problem and "dato" in mail.date_problem


def test_html_only_mail_becomes_text_without_scripts():
    html = "<html><head><style>p{}</style></head><body><p>Jeg vil se <b>referatet</b></p><script>alert(1)</script></body></html>"
    mail = parse_mail("a.eml", mailbuild.eml(body=None, html=html))
    assert mail.body == "Jeg vil se referatet"


def test_plain_text_is_preferred_to_html():
    mail = parse_mail("a.eml", mailbuild.eml(body="Den rene tekst", html="<p>HTML-udgaven</p>"))
    assert mail.body == "Den rene tekst"


def test_reply_ids_are_read_parent_first():
    mail = parse_mail("a.eml", mailbuild.eml(in_reply_to="<svar-2@kommune.example.dk>"))
    assert mail.references == ("<svar-2@kommune.example.dk>",)


def test_nested_mails_are_counted_and_too_deep_nesting_is_refused():
    inner = mailbuild.eml(subject="Indre", message_id="<i@x>")
    mail = parse_mail("a.eml", mailbuild.eml(inner=inner))
    assert [f.content_type for f in mail.attachments] == ["message/rfc822"]
    deep = inner
    for n in range(5):
        deep = mailbuild.eml(subject=f"niveau {n}", inner=deep)
    with pytest.raises(Refused) as e:
        parse_mail("a.eml", deep)
    assert e.value.limit == "max_depth" and "niveauer" in e.value.detail


def test_too_large_a_mail_is_refused_in_danish():
    raw = mailbuild.eml(attachments=[("stor.bin", b"x" * 5000, "application/octet-stream")])
    with pytest.raises(Refused) as e:
        parse_mail("a.eml", raw, Limits(max_bytes=2000))
    assert "AKTFLOW_MAX_UPLOAD" in e.value.detail


def test_too_many_attachments_and_too_much_unpacked_are_refused():
    raw = mailbuild.eml(attachments=[(f"b{i}.txt", b"abc", "text/plain") for i in range(6)])
    with pytest.raises(Refused) as e:
        parse_mail("a.eml", raw, Limits(max_parts=5))
    assert e.value.limit == "max_parts"
    big = mailbuild.eml(attachments=[("a.bin", b"y" * 3000, "application/octet-stream")])
    with pytest.raises(Refused) as e:
        parse_mail("a.eml", big, Limits(max_unpacked=2000))
    assert e.value.limit == "max_unpacked"


@pytest.mark.parametrize("raw", [b"", b"\x00\x01\x02 not a mail", b"<html>no headers</html>"])
def test_malformed_files_are_refused_not_crashed(raw):
    with pytest.raises(Refused):
        parse_mail("x.eml", raw)


def test_a_damaged_msg_is_refused():
    with pytest.raises(Refused):
        parse_mail("x.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(Refused):
        parse_mail("x.msg", b"From: a@b.dk\r\n\r\nhej")


def test_msg_gives_sender_subject_body_date_and_attachments():
    raw = mailbuild.msg(attachments=[("bilag.txt", b"abc")])
    mail = parse_mail("besked.msg", raw)
    assert mail.format == "msg"
    assert (mail.sender_name, mail.sender_address) == ("Jens Hansen", "jens.hansen@example.dk")
    assert mail.subject == "Aktindsigt i referat"
    assert "skolestruktur" in mail.body
    assert mail.received == dt.date(2026, 12, 1)
    assert mail.message_id == "<outlook-1@example.dk>"
    assert [f.filename for f in mail.attachments] == ["bilag.txt"]


def test_malformed_headers_do_not_crash():
    raw = (
        b"From: =?utf-8?q?broken\r\nSubject: =?bogus?x?zz?=\r\nDate: \r\nMessage-ID: no-brackets\r\n\r\nTekst"
    )
    mail = parse_mail("a.eml", raw)
    assert mail.body == "Tekst"
    assert mail.sender_address is None
    assert mail.message_id == "<no-brackets>"


_HEADERS = st.sampled_from(
    [b"From: ", b"Subject: ", b"Date: ", b"Message-ID: ", b"Content-Type: multipart/mixed; boundary=", b"X: "]
)


@settings(max_examples=300, deadline=None)
@given(
    head=st.lists(st.tuples(_HEADERS, st.binary(max_size=60)), max_size=6),
    body=st.binary(max_size=400),
)
def test_any_bytes_give_a_mail_or_a_danish_refusal(head, body):
    raw = b"".join(h + v.replace(b"\r", b"").replace(b"\n", b" ") + b"\r\n" for h, v in head) + b"\r\n" + body
    try:
        mail = parse_mail("x.eml", raw, Limits(max_bytes=10_000, max_parts=5, max_unpacked=20_000))
    except Refused as e:
        assert e.detail and "Traceback" not in e.detail
    else:
        assert isinstance(mail.subject, str) and isinstance(mail.body, str)
        assert mail.received is None or isinstance(mail.received, dt.date)
