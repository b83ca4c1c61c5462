"""Contract tests of the Digital Post channel against the local fake SF1601 service (devtools/).

The CPR and CVR numbers are made up (valid dates, no real persons).
"""

from __future__ import annotations

import logging
import re
import threading
import time

import httpx
import pytest

from aktflow.config import SettingsError, load_settings
from aktflow.dispatch.channel import Attachment, OutgoingLetter, Recipient
from aktflow.dispatch.digital_post import (
    DigitalPostChannel,
    DigitalPostConfig,
    build_kombi_request,
    build_message,
    channel_from_settings,
    message_uuid,
)
from devtools.fake_digital_post import FakeState, running_fake

CPR = "1203851237"  # made up: 12 March 1985
CPR_DASHED = "120385-1237"
OTHER_CPR = "0507921234"  # made up: 5 July 1992
CVR = "12345678"
SENDER_CVR = "29189765"
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

MAIN = b"%PDF-1.7\n% the letter\n" + bytes(range(256)) * 4
PACKAGE = b"%PDF-1.7\n% the release package\n" + bytes(reversed(range(256))) * 8
LIST = b"%PDF-1.7\n% aktliste\n\x00\xff\x10"


def letter(dispatch_id: int = 41, *, cpr: str | None = CPR, cvr: str | None = None, **kw) -> OutgoingLetter:
    values = dict(
        dispatch_id=dispatch_id,
        case_number="15.17.12-A53-3-26",
        label="Afgørelse om aktindsigt",
        letter_kind="afgoerelse",
        recipient=Recipient(
            name="Jens Hansen", postal_address=("Vestergade 1", "8000 Aarhus C"), cpr=cpr, cvr=cvr
        ),
        main_document=Attachment("afgoerelse.pdf", MAIN),
        attachments=(Attachment("aktindsigtspakke.pdf", PACKAGE), Attachment("aktliste.pdf", LIST)),
    )
    values.update(kw)
    return OutgoingLetter(**values)


@pytest.fixture
def fake():
    with running_fake(FakeState()) as (url, state):
        yield url, state


def channel(url: str, **kw) -> DigitalPostChannel:
    values = dict(url=url, sender_cvr=SENDER_CVR, sender_name="Aarhus Kommune", auth="none", timeout=2.0)
    values.update(kw)
    return DigitalPostChannel(DigitalPostConfig(**values))


def no_cpr(*texts: object) -> None:
    for text in texts:
        digits = re.sub(r"\D", "", str(text))
        for number in (CPR, OTHER_CPR):
            assert number not in digits and CPR_DASHED not in str(text), text


# --- what is sent ------------------------------------------------------------------------------------


def test_the_message_carries_label_sender_recipient_and_the_documents_byte_for_byte(fake):
    url, state = fake
    result = channel(url).send(letter())
    assert result.status == "delivered"
    assert result.reference == message_uuid(41, sender_cvr=SENDER_CVR, case_number="15.17.12-A53-3-26")
    assert result.at.tzinfo is not None
    [m] = state.messages
    assert m.uuid == result.reference
    assert (m.label, m.case_id, m.mandatory) == ("Afgørelse om aktindsigt", "15.17.12-A53-3-26", True)
    assert (m.sender_id, m.sender_type, m.sender_label) == (SENDER_CVR, "CVR", "Aarhus Kommune")
    assert (m.recipient_id, m.recipient_type, m.recipient_label) == (CPR, "CPR", "Jens Hansen")
    assert m.main == ("afgoerelse.pdf", "application/pdf", MAIN)
    assert m.attachments == [
        ("aktindsigtspakke.pdf", "application/pdf", PACKAGE),
        ("aktliste.pdf", "application/pdf", LIST),
    ]
    assert m.headers.get("X-Transaktionsid") == result.extra["transaction_id"]
    assert "Authorization" not in m.headers  # auth "none": the client certificate alone


def test_a_company_is_addressed_by_cvr_and_a_letter_without_attachments_has_only_the_main_document(fake):
    url, state = fake
    result = channel(url).send(letter(cpr=None, cvr=CVR, attachments=()))
    assert result.status == "delivered"
    [m] = state.messages
    assert (m.recipient_id, m.recipient_type, m.attachments) == (CVR, "CVR", [])


def test_a_cpr_number_in_the_label_or_a_file_name_is_masked_in_the_message(fake):
    url, state = fake
    result = channel(url).send(
        letter(label=f"Aktindsigt for {CPR_DASHED}", main_document=Attachment(f"brev {CPR}.pdf", MAIN))
    )
    assert result.status == "delivered"
    [m] = state.messages
    assert m.label == "Aktindsigt for XXXXXX-XXXX" and m.main[0] == "brev XXXXXX-XXXX.pdf"
    assert m.recipient_id == CPR  # the addressing itself keeps the number: it is what Digital Post needs


def test_the_message_uuid_is_stable_per_dispatch_and_a_version_4_uuid():
    a = message_uuid(7, sender_cvr=SENDER_CVR, case_number="81.01.00-A53-1-26")
    assert a == message_uuid(7, sender_cvr=SENDER_CVR, case_number="81.01.00-A53-1-26")
    assert UUID4.match(a)
    others = {
        message_uuid(8, sender_cvr=SENDER_CVR, case_number="81.01.00-A53-1-26"),
        message_uuid(7, sender_cvr="12345678", case_number="81.01.00-A53-1-26"),
        message_uuid(7, sender_cvr=SENDER_CVR, case_number="81.01.00-A53-2-26"),
    }
    assert a not in others and len(others) == 3


# --- answers -----------------------------------------------------------------------------------------


def test_a_retry_of_the_same_dispatch_is_accepted_without_a_second_message(fake):
    url, state = fake
    ch = channel(url)
    first, second = ch.send(letter()), ch.send(letter())
    assert (first.status, second.status) == ("delivered", "delivered")
    assert first.reference == second.reference
    assert (len(state.messages), state.duplicates, state.posts) == (1, 1, 2)
    assert ch.send(letter(dispatch_id=42)).status == "delivered"
    assert len(state.messages) == 2


def test_an_exempt_recipient_is_exempt_and_nothing_is_delivered(fake):
    url, state = fake
    state.exempt.add(CPR)
    result = channel(url).send(letter())
    assert result.status == "exempt"
    assert "fritaget" in result.detail and result.extra["error_code"] == "RECIPIENT_EXEMPT"
    assert state.messages == []
    no_cpr(result.detail, result.extra)


def test_an_invalid_message_is_rejected_with_the_services_reason(fake):
    url, state = fake
    result = channel(url).send(letter(main_document=Attachment("tom.pdf", b"")))  # MeMo: content is required
    assert result.status == "rejected"
    assert "MeMo" in result.detail and "content" in result.detail
    assert result.extra["error_code"] == "INVALID_MEMO" and result.extra["http_status"] == "400"
    assert state.messages == [] and state.rejections[0]["errorCode"] == "INVALID_MEMO"
    no_cpr(result.detail, result.extra)


def test_a_recipient_without_cpr_or_cvr_is_rejected_without_calling_the_service(fake):
    url, state = fake
    result = channel(url).send(letter(cpr=None, cvr=None))
    assert result.status == "rejected" and "CPR- eller et CVR-nummer" in result.detail
    assert state.posts == 0


def test_the_fakes_schema_refuses_what_memo_refuses(fake):
    url, state = fake
    message = build_message(letter(), sender_cvr=SENDER_CVR, sender_name="Aarhus Kommune")
    message.messageHeader.messageUUID = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"  # a version-1 UUID
    response = httpx.post(url + "service/KombiPostAfsend_1/memos", content=build_kombi_request(message))
    assert response.status_code == 400
    body = response.json()
    assert body["errorCode"] == "INVALID_MEMO" and "messageUUID" in str(body["errors"])
    response = httpx.post(
        url + "service/KombiPostAfsend_1/memos", content=b"<kombi_request><KombiValgKode>NemSMS"
    )
    assert response.status_code == 400 and response.json()["errorCode"] == "INVALID_XML"
    assert state.messages == []


def test_a_temporary_error_twice_then_delivered_once(fake):
    url, state = fake
    state.fail_next(2, status=503)
    ch = channel(url)
    results = [ch.send(letter()) for _ in range(3)]
    assert [r.status for r in results] == ["temporary_error", "temporary_error", "delivered"]
    assert "HTTP 503" in results[0].detail
    assert len({r.reference for r in results}) == 1
    assert len(state.messages) == 1
    assert [code for method, _, code in state.requests if method == "POST"] == [503, 503, 200]


def test_a_timeout_is_temporary_and_the_retry_never_makes_a_second_message(fake):
    url, state = fake
    state.timeout_next(1, seconds=10)
    ch = channel(url, timeout=0.5)
    started = time.monotonic()
    result = ch.send(letter())
    assert result.status == "temporary_error" and "0.5 sekunder" in result.detail
    assert time.monotonic() - started < 5
    state.wake()  # the stalled request now goes on and is accepted by the service after all
    retry = ch.send(letter())
    assert retry.status == "delivered" and retry.reference == result.reference
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with state.lock:
            if len(state.messages) + state.duplicates == 2:
                break
        time.sleep(0.02)
    assert (len(state.messages), state.duplicates) == (1, 1)


def test_no_connection_is_a_temporary_error():
    result = channel("http://127.0.0.1:9/", timeout=0.5).send(letter())
    assert result.status == "temporary_error" and result.detail == "Ingen forbindelse til Digital Post"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (202, "", "sent"),
        (401, "", "temporary_error"),
        (403, '{"title": "Forbidden"}', "rejected"),
        (404, "", "rejected"),
        (429, "", "temporary_error"),
        (500, "oops", "temporary_error"),
        (400, '{"title": "Recipient not registered for Digital Post", "status": 400}', "exempt"),
        (400, '{"title": "Bad Request", "errorCode": "MODTAGER_FRITAGET"}', "exempt"),
        (400, f'{{"title": "Bad Request", "detail": "recipientID {CPR} ugyldig"}}', "rejected"),
    ],
)
def test_each_answer_of_the_service_maps_to_a_delivery_status(status, body, expected):
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, text=body)

    ch = DigitalPostChannel(
        DigitalPostConfig(url="https://sp.example/", sender_cvr=SENDER_CVR, auth="none"),
        transport=httpx.MockTransport(answer),
    )
    result = ch.send(letter())
    assert result.status == expected
    assert result.extra["http_status"] == str(status)
    assert str(seen[0].url) == "https://sp.example/service/KombiPostAfsend_1/memos"
    no_cpr(result.detail, result.extra, result.reference)


# --- the registration check ---------------------------------------------------------------------------


def test_the_registration_check_says_registered_exempt_or_unknown(fake):
    url, state = fake
    state.exempt.add(OTHER_CPR)
    ch = channel(url)
    assert ch.is_registered(Recipient("Jens Hansen", cpr=CPR)) is True
    assert ch.is_registered(Recipient("Anna Jensen", cpr=OTHER_CPR)) is False
    assert ch.is_registered(Recipient("Firma ApS", cvr=CVR)) is True
    assert ch.is_registered(Recipient("Ingen numre")) is None
    state.fail_next(1, status=503)
    assert ch.is_registered(Recipient("Jens Hansen", cpr=CPR)) is None
    assert state.lookups == [("cpr", CPR), ("cpr", OTHER_CPR), ("cvr", CVR)]


def test_the_registration_check_is_unknown_on_a_timeout(fake):
    url, state = fake
    state.timeout_next(1, seconds=10)
    assert channel(url, timeout=0.3).is_registered(Recipient("Jens Hansen", cpr=CPR)) is None


# --- no CPR number in logs -----------------------------------------------------------------------------


def test_no_cpr_number_reaches_a_log_line(fake, caplog, monkeypatch):
    url, state = fake
    # Without the process-wide mask the CLI and the web app install, so this checks the channel's own care.
    monkeypatch.setattr(logging, "_logRecordFactory", logging.LogRecord)
    caplog.set_level(logging.DEBUG)
    ch = channel(url, timeout=0.5)
    ch.send(letter())
    state.exempt.add(OTHER_CPR)
    ch.send(letter(dispatch_id=2, cpr=OTHER_CPR, label=f"Til {CPR_DASHED}"))
    ch.send(letter(dispatch_id=3, main_document=Attachment("x.pdf", b"")))
    state.fail_next(1)
    ch.send(letter(dispatch_id=4))
    assert ch.is_registered(Recipient("Jens Hansen", cpr=CPR)) is True
    assert ch.is_registered(Recipient("Anna Jensen", cpr=OTHER_CPR)) is False
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "service/PostForespoerg_1/digitalpost?cprNumber=XXXXXX-XXXX" in text  # httpx's line, masked
    assert "forsendelse 2 -> exempt" in text
    no_cpr(text)


# --- settings ---------------------------------------------------------------------------------------------


def test_the_channel_is_built_from_the_settings_and_off_without_a_url(tmp_path):
    assert channel_from_settings(load_settings({})) is None
    cert = tmp_path / "system.pem"
    cert.write_text("not read until the first call")
    ch = channel_from_settings(
        load_settings(
            {
                "AKTFLOW_DIGITAL_POST_URL": "https://exttest.serviceplatformen.dk",
                "AKTFLOW_DIGITAL_POST_CERT": str(cert),
                "AKTFLOW_DIGITAL_POST_SENDER_CVR": SENDER_CVR,
                "AKTFLOW_DIGITAL_POST_SENDER_NAME": "Aarhus Kommune",
                "AKTFLOW_DIGITAL_POST_AUTH": "kombit-test",
                "AKTFLOW_DIGITAL_POST_TIMEOUT": "12.5",
            }
        )
    )
    assert ch is not None and ch.name == "digital_post"
    cfg = ch.config
    assert (cfg.url, cfg.sender_cvr, cfg.sender_name, cfg.cert, cfg.auth, cfg.timeout) == (
        "https://exttest.serviceplatformen.dk/",
        SENDER_CVR,
        "Aarhus Kommune",
        cert,
        "kombit-test",
        12.5,
    )


def test_incomplete_digital_post_settings_are_named_in_danish():
    with pytest.raises(SettingsError) as e:
        load_settings({"AKTFLOW_DIGITAL_POST_URL": "https://prod.serviceplatformen.dk/"})
    text = str(e.value)
    assert "AKTFLOW_DIGITAL_POST_SENDER_CVR" in text and "AKTFLOW_DIGITAL_POST_CERT" in text
    with pytest.raises(SettingsError) as e:
        load_settings({"AKTFLOW_DIGITAL_POST_SENDER_CVR": "1234"})
    assert "AKTFLOW_DIGITAL_POST_SENDER_CVR: skal være et CVR-nummer med 8 cifre" in str(e.value)
    ok = load_settings(
        {
            "AKTFLOW_DIGITAL_POST_URL": "http://127.0.0.1:8090/",
            "AKTFLOW_DIGITAL_POST_SENDER_CVR": SENDER_CVR,
            "AKTFLOW_DIGITAL_POST_AUTH": "none",
        }
    )
    assert ok.digital_post_cert is None


def test_a_failing_token_service_is_a_temporary_error_without_a_call(fake, tmp_path):
    url, state = fake
    cert = tmp_path / "system.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    result = channel(url, auth="kombit-test", cert=cert).send(letter())  # a broken certificate: no token
    assert result.status == "temporary_error" and "Adgangsbillet" in result.detail
    assert state.posts == 0


def test_sends_from_several_threads_make_one_message_each(fake):
    url, state = fake
    ch = channel(url)
    results: list[str] = []

    def send(n: int) -> None:
        results.append(ch.send(letter(dispatch_id=n)).status)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(100, 106)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["delivered"] * 6 and len(state.messages) == 6


# --- the client certificate ---------------------------------------------------------------------------


def _certificates(folder):
    """A CA, a server certificate for 127.0.0.1 and a client (system) certificate, as PEM files."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def pem_key(key):
        return key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("Test CA"))
        .issuer_name(name("Test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )

    def issue(cn, usage, san=None):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(cn))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        cert = builder.sign(ca_key, hashes.SHA256())
        return cert.public_bytes(serialization.Encoding.PEM) + pem_key(key)

    paths = {}
    for file, content in {
        "ca.pem": ca.public_bytes(serialization.Encoding.PEM),
        "server.pem": issue(
            "127.0.0.1",
            ExtendedKeyUsageOID.SERVER_AUTH,
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
        ),
        "system.pem": issue("aktflow system (Aarhus Kommune)", ExtendedKeyUsageOID.CLIENT_AUTH),
    }.items():
        (folder / file).write_bytes(content)
        paths[file] = folder / file
    return paths


def test_the_client_certificate_is_presented_over_tls(tmp_path):
    import ssl

    files = _certificates(tmp_path)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(files["server.pem"])
    server.load_verify_locations(files["ca.pem"])
    server.verify_mode = ssl.CERT_REQUIRED  # no certificate, no connection
    with running_fake(FakeState(), ssl_context=server) as (url, state):
        assert url.startswith("https://")
        with_cert = channel(url, cert=files["system.pem"], verify=str(files["ca.pem"]))
        assert with_cert.send(letter()).status == "delivered"
        assert with_cert.is_registered(Recipient("Jens Hansen", cpr=CPR)) is True
        [m] = state.messages
        assert m.client_cert is not None and "BEGIN CERTIFICATE" in m.client_cert
        without = channel(url, verify=str(files["ca.pem"]))
        refused = without.send(letter(dispatch_id=2))
        assert refused.status == "temporary_error" and refused.detail == "Ingen forbindelse til Digital Post"
        assert len(state.messages) == 1


def test_an_unreadable_certificate_is_named_and_nothing_is_sent(fake, tmp_path):
    url, state = fake
    result = channel(url, cert=tmp_path / "missing.pem").send(letter())
    assert result.status == "temporary_error" and "AKTFLOW_DIGITAL_POST_CERT" in result.detail
    assert state.posts == 0
    assert channel(url, cert=tmp_path / "missing.pem").is_registered(Recipient("J", cpr=CPR)) is None


@pytest.mark.parametrize(
    "answer, setup, sent, channel_status, http_status, code",
    [
        ("accepted", lambda s: None, {}, "delivered", 200, None),
        ("exempt", lambda s: s.exempt.add(CPR), {}, "exempt", 400, "RECIPIENT_EXEMPT"),
        (
            "invalid",
            lambda s: None,
            {"main_document": Attachment("tom.pdf", b"")},
            "rejected",
            400,
            "INVALID_MEMO",
        ),
        ("temporary", lambda s: s.fail_next(1, status=503), {}, "temporary_error", 503, "INJECTED"),
    ],
)
def test_the_fakes_four_answers_come_from_its_one_table(
    fake, answer, setup, sent, channel_status, http_status, code
):
    """The fake's answers (devtools/fake_digital_post.ANSWERS) as the channel reads them and on the wire."""
    from devtools.fake_digital_post import ANSWERS

    url, state = fake
    setup(state)
    result = channel(url).send(letter(**sent))
    assert result.status == channel_status
    assert [c for method, _, c in state.requests if method == "POST"] == [http_status]
    assert {a.kind for a in ANSWERS.values()} == {"accepted", "exempt", "invalid", "temporary"}
    if code is None:
        assert len(state.messages) == 1 and state.rejections == []
    else:
        assert state.messages == [] and result.extra.get("error_code") == code
        assert len(state.rejections) == (0 if answer == "temporary" else 1)
    no_cpr(result.detail, result.extra)
