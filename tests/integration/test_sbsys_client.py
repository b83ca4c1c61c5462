"""Contract tests: the SBSYS client against the fake SBSYS server on loopback (no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import socket
import threading

import pytest

from aktflow import clock
from aktflow.archive.sbsys_client import SbsysClient, SbsysConfig, SbsysConfigError, SbsysError
from aktflow.config import load_settings
from aktflow.errors import AktflowError
from aktflow.screening import redact_cpr
from devtools.fake_sbsys import FakeState, create_fake_sbsys, running_fake

CPR = "0101901234"  # a valid date: redact_cpr treats it as a CPR number
CPR_DASHED = "010190-1234"
YY = f"{clock.today().year % 100:02d}"


def _config(base_url: str, token_url: str, state: FakeState, **overrides) -> SbsysConfig:
    values = dict(
        base_url=base_url,
        token_url=token_url,
        client_id=state.client_id,
        client_secret=state.client_secret,
        template_id="1",
        templates={"15": "7", "15.17": "8", "81.00.00": "9"},
        timeout=5.0,
    )
    values.update(overrides)
    return SbsysConfig(**values)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake():
    with running_fake() as (base_url, token_url, state):
        yield base_url, token_url, state


@pytest.fixture
def sbsys(fake):
    base_url, token_url, state = fake
    client = SbsysClient(_config(base_url, token_url, state))
    yield client, state
    client.close()


def _api_calls(state: FakeState) -> list[tuple[str, str, int]]:
    with state.lock:
        return [r for r in state.requests if "/api/" in r[1]]


# --- Tokens --------------------------------------------------------------------------------------------


def test_token_is_fetched_once_and_reused_across_calls(sbsys):
    client, state = sbsys
    state.add_user("sagsbehandler", "Sara")
    assert client.find_user("sagsbehandler") is not None
    assert client.find_user("ukendt") is None
    assert len(client.status_list()) == 4
    assert len(state.token_requests) == 1
    form = state.token_requests[0]
    assert form == {
        "grant_type": "client_credentials",
        "client_id": "aktflow",
        "client_secret": "fake-secret",
    }
    assert [status for _, _, status in _api_calls(state)] == [200, 200, 200]


def test_concurrent_first_calls_share_one_token(sbsys):
    client, state = sbsys
    state.delay(0.05)  # widen the window in which threads race for the token
    errors: list[BaseException] = []

    def call():
        try:
            client.status_list()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(state.token_requests) == 1
    assert len(_api_calls(state)) == 8


def test_password_grant_when_username_is_configured(fake):
    base_url, token_url, state = fake
    state.username, state.password = "svc-aktflow", "pw"
    with SbsysClient(_config(base_url, token_url, state, username="svc-aktflow", password="pw")) as client:
        client.status_list()
    assert state.token_requests[0]["grant_type"] == "password"
    assert state.token_requests[0]["username"] == "svc-aktflow"
    assert state.token_requests[0]["password"] == "pw"


def test_token_is_refreshed_shortly_before_it_expires(fake):
    base_url, token_url, state = fake
    state.expires_in = 300
    clock = Clock()
    with SbsysClient(_config(base_url, token_url, state), clock=clock) as client:
        client.status_list()
        clock.now += 269  # 31 s left: still good
        client.status_list()
        assert len(state.token_requests) == 1
        clock.now += 2  # 29 s left: inside the 30 s margin
        client.status_list()
        assert len(state.token_requests) == 2
        clock.now += 10
        client.status_list()
        assert len(state.token_requests) == 2
    assert [s for _, _, s in _api_calls(state)] == [200] * 4


def test_a_401_refreshes_the_token_once_and_repeats_the_call(sbsys):
    client, state = sbsys
    client.status_list()
    state.expire_tokens()
    assert len(client.status_list()) == 4
    assert len(state.token_requests) == 2
    assert [s for _, _, s in _api_calls(state)] == [200, 401, 200]


def test_a_second_401_is_a_retryable_error_without_more_refreshes(sbsys):
    client, state = sbsys
    client.status_list()
    state.fail_next(2, status=401)
    with pytest.raises(SbsysError) as err:
        client.status_list()
    assert err.value.status == 401
    assert err.value.retryable is True
    assert len(state.token_requests) == 2
    assert [s for _, _, s in _api_calls(state)] == [200, 401, 401]


def test_token_endpoint_outage_is_retryable_and_the_next_call_logs_in(sbsys):
    client, state = sbsys
    state.fail_next_token(1, status=503)
    with pytest.raises(SbsysError) as err:
        client.status_list()
    assert err.value.retryable is True and err.value.status == 503
    assert _api_calls(state) == []
    assert len(client.status_list()) == 4
    assert len(state.token_requests) == 2


def test_wrong_client_secret_is_not_retryable_and_says_why(fake):
    base_url, token_url, state = fake
    with SbsysClient(_config(base_url, token_url, state, client_secret="forkert")) as client:
        with pytest.raises(SbsysError) as err:
            client.status_list()
    assert err.value.status == 401
    assert err.value.retryable is False
    assert "invalid_client" in err.value.message
    assert "forkert" not in err.value.message


# --- Cases ---------------------------------------------------------------------------------------------


def test_create_case_for_a_person_uses_the_longest_template_prefix_and_a53(sbsys):
    client, state = sbsys
    pid = state.add_person(CPR_DASHED, "Mette Hansen")
    uid = state.add_user("sagsbehandler", "Sara Sagsbehandler")

    party_id = client.find_person(CPR)
    assert party_id == str(pid)
    caseworker = client.find_user("sagsbehandler")
    assert caseworker == str(uid)
    template = client.config.template_for("15.17.12")
    assert template == "8"

    case = client.create_case(
        title="Aktindsigt i sagen om dagtilbuddet Solsikken",
        template_id=template,
        caseworker_id=caseworker,
        party=(party_id, "Person"),
        emne="15.17.12",
        facet="A53",
    )
    assert state.case_requests[-1] == {
        "SagsTitel": "Aktindsigt i sagen om dagtilbuddet Solsikken",
        "SkabelonId": 8,
        "SagsBehandlerID": uid,
        "PrimaryPart": {"PartId": pid, "PartType": "Person"},
        "Parts": [{"PartId": pid, "PartType": "Person"}],
        "EmneplanNummer": "15.17.12",
        "Facet": "A53",
    }
    assert case["Nummer"] == f"15.17.12-A53-1-{YY}"
    assert case["SagsNummer"]["Facet"]["Nummer"] == "A53"
    assert case["Behandler"]["Id"] == uid

    second = client.create_case(
        title="Endnu en anmodning",
        template_id=template,
        caseworker_id=None,
        party=None,
        emne="15.17.12",
        facet="A53",
    )
    assert second["Nummer"] == f"15.17.12-A53-2-{YY}"
    assert second["Id"] != case["Id"]


def test_create_case_for_a_firm_and_without_party_or_caseworker(sbsys):
    client, state = sbsys
    fid = state.add_firm("12345678", "Firma ApS")
    party_id = client.find_company("12345678")
    assert party_id == str(fid)
    assert client.find_company("87654321") is None

    firm_case = client.create_case(
        title="Vandforsyningens takster",
        template_id=client.config.template_for("13.02.00"),
        caseworker_id=None,
        party=(party_id, "Firma"),
        emne="13.02.00",
        facet="A53",
    )
    body = state.case_requests[-1]
    assert body["PrimaryPart"] == {"PartId": fid, "PartType": "Firma"}
    assert body["SkabelonId"] == 1  # no prefix for 13: the default template
    assert "SagsBehandlerID" not in body
    assert firm_case["Nummer"] == f"13.02.00-A53-1-{YY}"

    client.create_case(
        title="Borgmesterens kalender",
        template_id=client.config.template_for("00.01.10"),
        caseworker_id=None,
        party=None,
        emne="00.01.10",
        facet="A53",
    )
    body = state.case_requests[-1]
    assert "PrimaryPart" not in body and "Parts" not in body
    assert body["EmneplanNummer"] == "00.01.10" and body["Facet"] == "A53"


def test_template_for_prefers_the_longest_matching_prefix():
    cfg = SbsysConfig(
        base_url="http://x/",
        token_url="http://x/token",
        client_id="c",
        client_secret="s",
        template_id="1",
        templates={"15": 7, "15.17": 8, "81.00.00": 9},
    )
    assert cfg.template_for("15.17.12") == "8"
    assert cfg.template_for("15.17.00") == "8"
    assert cfg.template_for("15.20.01") == "7"
    assert cfg.template_for("81.00.00") == "9"
    assert cfg.template_for("81.01.00") == "1"
    assert cfg.template_for("01.15.17") == "1"  # "15" is a prefix of groups, not of any substring
    hash(cfg)  # frozen and hashable, even with the template map

    no_default = dataclasses.replace(cfg, template_id=None)
    with pytest.raises(SbsysConfigError, match="AKTFLOW_SBSYS_TEMPLATES"):
        no_default.template_for("02.34.02")
    with pytest.raises(SbsysConfigError, match="AKTFLOW_SBSYS_TEMPLATES"):
        dataclasses.replace(cfg, templates={"15.1": 3})


def test_get_and_search_cases(sbsys):
    client, state = sbsys
    case = client.create_case(
        title="Byggesagen for Havnevej 12",
        template_id="1",
        caseworker_id=None,
        party=None,
        emne="02.34.02",
        facet="A53",
    )
    assert client.get_case(case["Id"])["Nummer"] == case["Nummer"]
    assert [c["Id"] for c in client.search_cases(Nummer=case["Nummer"])] == [case["Id"]]
    assert [c["Id"] for c in client.search_cases(SagsTitel="Byggesagen for Havnevej 12")] == [case["Id"]]
    assert client.search_cases(Nummer="99.99.99-A53-1-26") == []
    with pytest.raises(SbsysError) as err:
        client.get_case(999999)
    assert err.value.status == 404 and err.value.retryable is False


def test_unknown_template_is_a_permanent_error_with_sbsys_message(sbsys):
    client, state = sbsys
    state.add_template(1, "Aktindsigt")
    with pytest.raises(SbsysError) as err:
        client.create_case(
            title="T", template_id="99", caseworker_id=None, party=None, emne="15.17.12", facet="A53"
        )
    assert err.value.status == 400
    assert err.value.retryable is False
    assert "Sagsskabelon 99 findes ikke" in err.value.message


# --- Documents, status, reminders ----------------------------------------------------------------------


def test_journalise_sends_json_and_file_parts_and_the_exact_bytes(sbsys):
    client, state = sbsys
    case = client.create_case(
        title="Sag", template_id="1", caseworker_id=None, party=None, emne="15.17.12", facet="A53"
    )
    content = bytes(range(256)) * 50 + b"\r\n--boundary-lookalike--\r\n"
    result = client.journalise(
        case_id=str(case["Id"]),
        name="Afgørelse om aktindsigt",
        description="Afgørelse sendt til ansøger",
        filename="Afgørelse.docx",
        content=content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    assert result["Id"]
    (doc,) = state.documents
    assert doc.content == content
    assert doc.meta == {
        "SagID": case["Id"],
        "DokumentNavn": "Afgørelse om aktindsigt",
        "Beskrivelse": "Afgørelse sendt til ansøger",
        "OmfattetAfAktindsigt": True,
    }
    assert doc.json_content_type == "application/json"
    assert doc.filename == "Afgørelse.docx"
    assert doc.content_type.startswith("application/vnd.openxmlformats")
    assert doc.case_id == case["Id"]


def test_journalise_on_a_missing_case_is_a_permanent_error(sbsys):
    client, _ = sbsys
    with pytest.raises(SbsysError) as err:
        client.journalise(
            case_id=424242,
            name="Brev",
            description="",
            filename="b.pdf",
            content=b"%PDF",
            content_type="application/pdf",
        )
    assert err.value.status == 404 and err.value.retryable is False


def test_set_status_and_add_reminder_are_recorded(sbsys):
    client, state = sbsys
    case = client.create_case(
        title="Sag", template_id="1", caseworker_id=None, party=None, emne="15.17.12", facet="A53"
    )
    statuses = {s["Navn"]: s["Id"] for s in client.status_list()}
    client.set_status(case["Id"], statuses["Afsluttet"], "Afgørelse sendt")
    assert state.status_changes == [
        {"case_id": case["Id"], "SagsStatusID": statuses["Afsluttet"], "Kommentar": "Afgørelse sendt"}
    ]
    assert client.get_case(case["Id"])["SagsStatus"]["Navn"] == "Afsluttet"

    reminder = client.add_reminder(
        case_id=case["Id"],
        name="Frist for afgørelse",
        description="7 arbejdsdage",
        deadline=dt.date(2026, 3, 12),
    )
    assert reminder["Id"]
    (recorded,) = state.reminders
    assert recorded["SagId"] == case["Id"]
    assert recorded["Navn"] == "Frist for afgørelse"
    assert recorded["Beskrivelse"] == "7 arbejdsdage"
    assert recorded["HarDeadline"] is True
    assert recorded["Deadline"].startswith("2026-03-12")


# --- Failures ------------------------------------------------------------------------------------------


def test_503_is_retryable(sbsys):
    client, state = sbsys
    state.fail_next(1, status=503)
    with pytest.raises(SbsysError) as err:
        client.status_list()
    assert err.value.status == 503 and err.value.retryable is True
    assert isinstance(err.value, AktflowError)
    assert len(client.status_list()) == 4  # the fault is over


def test_429_is_retryable_and_carries_retry_after(sbsys):
    client, state = sbsys
    state.fail_next(1, status=429)
    with pytest.raises(SbsysError) as err:
        client.status_list()
    assert err.value.status == 429 and err.value.retryable is True
    assert err.value.retry_after == 1.0


def test_timeout_is_retryable(fake):
    base_url, token_url, state = fake
    with SbsysClient(_config(base_url, token_url, state, timeout=0.3)) as client:
        client.status_list()
        state.timeout_next(1, seconds=3)
        with pytest.raises(SbsysError) as err:
            client.status_list()
        assert err.value.status is None and err.value.retryable is True
        state.wake()
        assert len(client.status_list()) == 4


def test_nothing_listening_is_retryable(fake):
    _, _, state = fake
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with SbsysClient(_config(f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/token", state)) as client:
        with pytest.raises(SbsysError) as err:
            client.status_list()
    assert err.value.status is None and err.value.retryable is True


def test_400_is_permanent_and_carries_sbsys_message(sbsys):
    client, state = sbsys
    state.fail_next(1, status=400, message="SagsTitel er for lang")
    with pytest.raises(SbsysError) as err:
        client.status_list()
    assert err.value.status == 400
    assert err.value.retryable is False
    assert "SagsTitel er for lang" in str(err.value)


def test_long_server_message_is_truncated(sbsys):
    client, state = sbsys
    state.fail_next(1, status=400, message="Fejl " + "x" * 2000)
    with pytest.raises(SbsysError) as err:
        client.status_list()
    assert len(err.value.message) < 400
    assert "Fejl xxx" in err.value.message


def test_cpr_number_in_sbsys_message_is_redacted(sbsys):
    client, state = sbsys
    state.fail_next(1, status=400, message=f"Part med CPR {CPR_DASHED} er død; opret sagen uden part")
    with pytest.raises(SbsysError) as err:
        client.create_case(
            title="Sag",
            template_id="1",
            caseworker_id=None,
            party=("1001", "Person"),
            emne="15.17.12",
            facet="A53",
        )
    text = str(err.value)
    assert err.value.retryable is False
    assert "XXXXXX-XXXX" in text
    assert "010190" not in text and CPR not in text
    assert "opret sagen uden part" in text


def test_the_cpr_number_searched_for_is_masked_even_where_screening_would_not_see_it(sbsys):
    client, state = sbsys
    state.fail_next(1, status=400, message=f"Ugyldig parameter cpr{CPR}")  # glued to a word
    with pytest.raises(SbsysError) as err:
        client.find_person(CPR)
    assert CPR not in str(err.value)
    assert "XXXXXX-XXXX" in str(err.value)


def test_no_cpr_digits_in_the_logs_of_a_whole_run(fake, caplog):
    base_url, token_url, state = fake
    caplog.set_level(logging.DEBUG)
    state.add_person(CPR, "Mette Hansen")
    state.add_user("sagsbehandler", "Sara")
    with SbsysClient(_config(base_url, token_url, state, timeout=0.5)) as client:
        party = client.find_person(CPR_DASHED)
        case = client.create_case(
            title=f"Aktindsigt for {CPR_DASHED}",
            template_id=client.config.template_for("15.17.12"),
            caseworker_id=client.find_user("sagsbehandler"),
            party=(party, "Person"),
            emne="15.17.12",
            facet="A53",
        )
        client.journalise(
            case_id=case["Id"],
            name=f"Brev til {CPR_DASHED}",
            description=f"CPR {CPR}",
            filename=f"brev-{CPR}.txt",
            content=f"Kære borger ({CPR_DASHED})".encode(),
            content_type="text/plain",
        )
        client.add_reminder(case_id=case["Id"], name="Frist", description=CPR, deadline=dt.date(2026, 1, 5))
        state.expire_tokens()
        client.set_status(case["Id"], 3, f"Afsluttet for {CPR_DASHED}")
        state.fail_next(1, status=400, message=f"CPR {CPR_DASHED} er ugyldigt")
        with pytest.raises(SbsysError):
            client.find_person(CPR)
        state.timeout_next(1, seconds=2)
        with pytest.raises(SbsysError):
            client.find_person(CPR)
        state.wake()
    text = caplog.text
    assert "SBSYS POST api/person/search -> 200" in text  # method, path and status are logged
    assert "api/dokument/journaliser -> 200" in text
    assert re.search(r"-> 200 \(\d+ ms\)", text)
    assert "010190" not in text and CPR not in text
    assert redact_cpr(text) == text


# --- Configuration -------------------------------------------------------------------------------------

ENV = {
    "AKTFLOW_SBSYS_BASE_URL": "https://sbsys.example.dk/sbsysapi",
    "AKTFLOW_SBSYS_TOKEN_URL": "https://login.example.dk/realms/sbsys/protocol/openid-connect/token",
    "AKTFLOW_SBSYS_CLIENT_ID": "aktflow",
    "AKTFLOW_SBSYS_CLIENT_SECRET": "s3cret",
    "AKTFLOW_SBSYS_TEMPLATE_ID": "11",
    "AKTFLOW_SBSYS_TEMPLATES": '{"15": 12, "15.17": "13"}',
}


def _from_env(environ=None) -> SbsysConfig:
    """The SBSYS settings as the composition root reads them (raises AktflowError naming the variable)."""
    return load_settings(environ).sbsys_config()


def test_config_from_env(monkeypatch):
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AKTFLOW_SBSYS_USERNAME", raising=False)
    monkeypatch.delenv("AKTFLOW_SBSYS_PASSWORD", raising=False)
    monkeypatch.delenv("AKTFLOW_SBSYS_TIMEOUT", raising=False)
    cfg = _from_env()
    assert cfg.base_url == ENV["AKTFLOW_SBSYS_BASE_URL"]
    assert cfg.client_secret == "s3cret" and "s3cret" not in repr(cfg)
    assert cfg.grant_type == "client_credentials"
    assert cfg.timeout == 15.0
    assert cfg.template_for("15.17.12") == "13"
    assert cfg.template_for("15.01.00") == "12"
    assert cfg.template_for("81.00.00") == "11"

    env = dict(ENV, AKTFLOW_SBSYS_USERNAME="svc", AKTFLOW_SBSYS_PASSWORD="pw", AKTFLOW_SBSYS_TIMEOUT="2.5")
    cfg = _from_env(env)
    assert (cfg.grant_type, cfg.username, cfg.password, cfg.timeout) == ("password", "svc", "pw", 2.5)
    assert SbsysClient(cfg).url("api/sag/template") == "https://sbsys.example.dk/sbsysapi/api/sag/template"


@pytest.mark.parametrize(
    "missing",
    [
        "AKTFLOW_SBSYS_BASE_URL",
        "AKTFLOW_SBSYS_TOKEN_URL",
        "AKTFLOW_SBSYS_CLIENT_ID",
        "AKTFLOW_SBSYS_CLIENT_SECRET",
    ],
)
def test_missing_setting_names_the_variable(missing):
    env = {k: v for k, v in ENV.items() if k != missing}
    with pytest.raises(SbsysConfigError) as err:
        _from_env(env)
    assert missing in err.value.message
    assert isinstance(err.value, AktflowError)
    assert "\n" not in err.value.message


def test_template_settings_are_required_and_checked():
    env = {k: v for k, v in ENV.items() if not k.startswith("AKTFLOW_SBSYS_TEMPLATE")}
    with pytest.raises(SbsysConfigError, match="AKTFLOW_SBSYS_TEMPLATE_ID"):
        _from_env(env)
    only_map = dict(env, AKTFLOW_SBSYS_TEMPLATES='{"15": 3}')
    assert _from_env(only_map).template_for("15.17.12") == "3"
    with pytest.raises(AktflowError, match="AKTFLOW_SBSYS_TEMPLATES"):
        _from_env(dict(ENV, AKTFLOW_SBSYS_TEMPLATES="15=3"))
    with pytest.raises(AktflowError, match="AKTFLOW_SBSYS_TEMPLATES"):
        _from_env(dict(ENV, AKTFLOW_SBSYS_TEMPLATES='["15"]'))


def test_bad_timeout_and_half_a_login_name_the_variable():
    with pytest.raises(AktflowError, match="AKTFLOW_SBSYS_TIMEOUT"):
        _from_env(dict(ENV, AKTFLOW_SBSYS_TIMEOUT="soon"))
    with pytest.raises(AktflowError, match="AKTFLOW_SBSYS_TIMEOUT"):
        _from_env(dict(ENV, AKTFLOW_SBSYS_TIMEOUT="0"))
    with pytest.raises(SbsysConfigError, match="AKTFLOW_SBSYS_PASSWORD"):
        _from_env(dict(ENV, AKTFLOW_SBSYS_USERNAME="svc"))


@pytest.mark.parametrize("api_root", ["", "/sbsysapi"])
@pytest.mark.parametrize("trailing_slash", [True, False])
def test_base_url_with_and_without_trailing_slash(api_root, trailing_slash):
    with running_fake(api_root=api_root) as (base_url, token_url, state):
        base = base_url if trailing_slash else base_url.rstrip("/")
        assert base.endswith("/") is trailing_slash
        with SbsysClient(_config(base, token_url, state)) as client:
            case = client.create_case(
                title="Sag", template_id="1", caseworker_id=None, party=None, emne="15.17.12", facet="A53"
            )
            assert client.get_case(case["Id"])["Id"] == case["Id"]
        assert ("POST", f"{api_root}/api/sag/template", 200) in state.requests


def test_fake_refuses_api_calls_without_a_valid_token():
    app = create_fake_sbsys(FakeState())
    client = app.test_client()
    assert client.get("/api/sag/sagStatusList").status_code == 401
    assert client.get("/api/sag/sagStatusList", headers={"Authorization": "Bearer nope"}).status_code == 401
    token = client.post(
        "/token",
        data={"grant_type": "client_credentials", "client_id": "aktflow", "client_secret": "fake-secret"},
    ).get_json()
    assert token["expires_in"] == 300
    ok = client.get("/api/sag/sagStatusList", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert ok.status_code == 200
