"""The e-mail channel against a real local SMTP server (aiosmtpd): headers, attachments, the Message-ID
derived from the dispatch, several mails for a large release, the relay's answers, and no CPR number in the
message or the logs."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from aktflow.dispatch.channel import Attachment, OutgoingLetter, Recipient
from aktflow.dispatch.email import EmailChannel, SmtpUrlError, parse_smtp_url
from tests.smtp_sink import SmtpSink, free_port

CPR = "120385-1237"
NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def sink():
    with SmtpSink() as s:
        yield s


def letter(**kw) -> OutgoingLetter:
    args = dict(
        dispatch_id=41,
        case_number="02.34.02-A53-3-26",
        label="Afgørelse om aktindsigt",
        letter_kind="afgoerelse",
        recipient=Recipient("Mette Hansen", email="mette@example.dk", cpr="1203851237"),
        main_document=Attachment("afgoerelse.pdf", b"%PDF-1.7 letter"),
        attachments=(Attachment("udleveringspakke.pdf", b"%PDF-1.7 package"),),
    )
    args.update(kw)
    return OutgoingLetter(**args)


def channel(sink, **kw) -> EmailChannel:
    return EmailChannel(sink.url, "aktindsigt@eksempel.dk", clock=lambda: NOW, **kw)


def test_one_mail_with_headers_and_pdf_attachments(sink, caplog):
    caplog.set_level(logging.DEBUG)
    result = channel(sink).send(letter())
    assert result.status == "sent"
    assert result.reference == "<aktflow-dispatch-41-1@eksempel.dk>"
    [got] = sink.received
    assert got.rcpt_tos == ["mette@example.dk"] and got.mail_from == "aktindsigt@eksempel.dk"
    m = got.message
    assert m["Message-ID"] == "<aktflow-dispatch-41-1@eksempel.dk>"
    assert m["Subject"] == "Afgørelse om aktindsigt – sag 02.34.02-A53-3-26"
    assert m["From"] == "aktindsigt@eksempel.dk" and m["To"] == "mette@example.dk"
    files = [(p.get_filename(), p.get_content_type(), p.get_content()) for p in m.iter_attachments()]
    assert files == [
        ("afgoerelse.pdf", "application/pdf", b"%PDF-1.7 letter"),
        ("udleveringspakke.pdf", "application/pdf", b"%PDF-1.7 package"),
    ]
    for form in (CPR, "1203851237"):
        assert form.encode() not in got.raw
        assert form not in caplog.text


def test_a_large_release_goes_as_numbered_mails_each_under_the_limit(sink):
    big = [Attachment(f"del{n}.pdf", bytes([n]) * 40_000) for n in range(1, 4)]
    result = channel(sink, max_bytes=60_000).send(letter(attachments=tuple(big)))
    assert result.status == "sent" and result.extra["mails"] == "3"
    subjects = [r.message["Subject"] for r in sink.received]
    assert subjects == [
        "Afgørelse om aktindsigt – sag 02.34.02-A53-3-26 (del 1 af 3)",
        "Afgørelse om aktindsigt – sag 02.34.02-A53-3-26 (del 2 af 3)",
        "Afgørelse om aktindsigt – sag 02.34.02-A53-3-26 (del 3 af 3)",
    ]
    ids = [r.message["Message-ID"] for r in sink.received]
    assert ids == [f"<aktflow-dispatch-41-{n}@eksempel.dk>" for n in (1, 2, 3)]
    names = [[p.get_filename() for p in r.message.iter_attachments()] for r in sink.received]
    assert names == [["afgoerelse.pdf", "del1.pdf"], ["del2.pdf"], ["del3.pdf"]]
    for r in sink.received:
        assert sum(len(p.get_content()) for p in r.message.iter_attachments()) <= 60_000


def test_a_retry_sends_the_same_message_id(sink):
    ch = channel(sink)
    ch.send(letter())
    ch.send(letter())
    assert [r.message["Message-ID"] for r in sink.received] == ["<aktflow-dispatch-41-1@eksempel.dk>"] * 2


def test_a_file_over_the_limit_is_rejected_without_sending(sink):
    result = channel(sink, max_bytes=1000).send(letter(attachments=(Attachment("stor.pdf", b"x" * 5000),)))
    assert result.status == "rejected" and "stor.pdf" in result.detail and not sink.received


def test_own_personal_data_is_never_mailed(sink):
    result = channel(sink).send(letter(own_personal_data=True))
    assert result.status == "rejected" and not sink.received


def test_relay_answers(sink):
    sink.fail_next(1, "451 4.3.0 try again later")
    assert channel(sink).send(letter()).status == "temporary_error"
    sink.fail_next(1, "554 5.7.1 rejected")
    result = channel(sink).send(letter())
    assert result.status == "rejected" and "554" in result.detail
    assert channel(sink).send(letter()).status == "sent"


def test_no_server_is_a_temporary_error():
    ch = EmailChannel(f"smtp://127.0.0.1:{free_port()}", "a@eksempel.dk", timeout=2)
    result = ch.send(letter())
    assert result.status == "temporary_error" and "1203851237" not in result.detail


@pytest.mark.parametrize(
    "url,expected",
    [
        (
            "smtp+starttls://user:p%40ss@mail.example.dk:587",
            ("smtp+starttls", "mail.example.dk", 587, "user", "p@ss"),
        ),
        ("smtps://mail.example.dk", ("smtps", "mail.example.dk", 465, None, None)),
        ("smtp://127.0.0.1:2525", ("smtp", "127.0.0.1", 2525, None, None)),
    ],
)
def test_smtp_urls(url, expected):
    t = parse_smtp_url(url)
    assert (t.scheme, t.host, t.port, t.username, t.password) == expected


def test_a_bad_url_is_refused_without_repeating_it():
    with pytest.raises(SmtpUrlError) as e:
        parse_smtp_url("http://user:hemmelig@host")
    assert "hemmelig" not in str(e.value)


def test_settings_check_the_smtp_url_and_configure_email():
    from aktflow.config import SettingsError, load_settings
    from aktflow.dispatch.channels import channels_from_settings, configured_names

    with pytest.raises(SettingsError) as e:
        load_settings({"AKTFLOW_SMTP_URL": "http://user:hemmelig@host"})
    assert "AKTFLOW_SMTP_URL" in str(e.value) and "hemmelig" not in str(e.value)
    settings = load_settings(
        {"AKTFLOW_SMTP_URL": "smtp+starttls://u:p@mail.example.dk", "AKTFLOW_MAIL_FROM": "a@b.dk"}
    )
    assert configured_names(settings) == {"email", "print"}
    mail = channels_from_settings(settings)["email"]
    assert mail.target.port == 587 and mail.max_bytes == 10 * 1024 * 1024
    assert configured_names(load_settings({"AKTFLOW_SMTP_URL": "smtp://127.0.0.1:2525"})) == {"print"}
