"""The settings (aktflow.config) and the composition root (aktflow.bootstrap)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from aktflow import bootstrap
from aktflow.archive.local import LocalArchive
from aktflow.archive.sbsys import SbsysArchive
from aktflow.config import Settings, SettingsError, env_name, load_settings
from aktflow.outbox import DeliveryError

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {env_name(f) for f in Settings.model_fields}
NAME = re.compile(r"AKTFLOW_[A-Z0-9]+(?:_[A-Z0-9]+)*(?![A-Z0-9_])")  # not a family such as AKTFLOW_SBSYS_*
SBSYS = {
    "AKTFLOW_ARCHIVE": "sbsys",
    "AKTFLOW_SBSYS_BASE_URL": "https://sbsys.example.dk/api/",
    "AKTFLOW_SBSYS_TOKEN_URL": "https://sso.example.dk/token",
    "AKTFLOW_SBSYS_CLIENT_ID": "aktflow",
    "AKTFLOW_SBSYS_CLIENT_SECRET": "hemmelig-nøgle",
    "AKTFLOW_SBSYS_TEMPLATE_ID": "7",
}


def _product_files():
    for package in ("aktflow", "web", "letters"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "testing" not in path.relative_to(ROOT).parts:  # the test suite's own helpers
                yield path


def _problems(environ: dict[str, str]) -> list[str]:
    with pytest.raises(SettingsError) as err:
        load_settings(environ)
    return err.value.problems


# --- every variable is a setting, and documented ------------------------------------------------------


def test_every_variable_the_product_names_is_a_setting():
    named = set()
    for path in _product_files():
        named |= {n for n in NAME.findall(path.read_text()) if not n.startswith("AKTFLOW_TEST")}
    assert named, "the scan found nothing: the pattern is wrong"
    assert named - SETTINGS == set(), "read outside the settings object"


def test_only_the_settings_read_the_environment():
    readers = []
    for path in _product_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                if isinstance(node.value, ast.Name) and node.value.id == "os":
                    readers.append(str(path.relative_to(ROOT)))
    assert sorted(set(readers)) == ["aktflow/config.py"]


def _documented(text: str) -> set[str]:
    """The variables in the first column of the document's tables."""
    names = set()
    for line in text.splitlines():
        if line.startswith("|"):
            names |= set(NAME.findall(line.split("|")[1]))
    return {n for n in names if not n.startswith("AKTFLOW_TEST")}


@pytest.mark.parametrize("doc", ["README.md", "docs/deployment.md"])
def test_the_configuration_tables_list_exactly_the_settings(doc):
    documented = _documented((ROOT / doc).read_text())
    assert SETTINGS - documented == set(), "settings missing from the tables"
    assert documented - SETTINGS == set(), "documented but not a setting"


def test_every_setting_has_a_description():
    assert [f for f, info in Settings.model_fields.items() if not info.description] == []


# --- values ---------------------------------------------------------------------------------------------


def test_defaults_and_typed_values():
    s = load_settings({})
    assert (s.archive, s.max_upload, s.secure_cookies, s.proxy_hops, s.debug) == (
        "local",
        25 * 1024 * 1024,
        False,
        0,
        False,
    )
    assert s.resolved_database_url().startswith("sqlite:///") and s.secret_key is None
    s = load_settings(
        {
            "AKTFLOW_MAX_UPLOAD": " 1024 ",
            "AKTFLOW_SECURE_COOKIES": "1",
            "AKTFLOW_PROXY_HOPS": "2",
            "AKTFLOW_DATABASE_URL": "postgresql+psycopg://a:b@db/aktflow",
            "AKTFLOW_INSTANCE": "/srv/aktflow",
            "AKTFLOW_TEST_DBS": "sqlite",  # test-only variables are not settings
            "PATH": "/usr/bin",
        }
    )
    assert (s.max_upload, s.secure_cookies, s.proxy_hops) == (1024, True, 2)
    assert s.resolved_database_url() == "postgresql+psycopg://a:b@db/aktflow"
    assert str(s.instance_dir()) == "/srv/aktflow"


def test_empty_values_count_as_unset():
    s = load_settings({"AKTFLOW_MAX_UPLOAD": "", "AKTFLOW_ARCHIVE": " ", "AKTFLOW_TRUSTED_HEADER": ""})
    assert (s.max_upload, s.archive, s.trusted_header) == (25 * 1024 * 1024, "local", None)


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("AKTFLOW_MAX_UPLOAD", "25MB", "helt tal"),
        ("AKTFLOW_MAX_UPLOAD", "0", "større end 0"),
        ("AKTFLOW_PROXY_HOPS", "-1", "mindst 0"),
        ("AKTFLOW_SECURE_COOKIES", "ja", "1 eller 0"),
        ("AKTFLOW_DEBUG", "måske", "1 eller 0"),
        ("AKTFLOW_ARCHIVE", "sbsys2", "local"),
        ("AKTFLOW_SBSYS_TIMEOUT", "snart", "et tal"),
        ("AKTFLOW_SBSYS_TIMEOUT", "0", "større end 0"),
        ("AKTFLOW_SBSYS_TEMPLATES", "15=3", "JSON-objekt"),
        ("AKTFLOW_TRUSTED_PROXIES", "10.0.4.0/28, proxy.kommune.dk", "IP-adresse"),
        ("AKTFLOW_DATABASE_URL", "min database", "database-URL"),
    ],
)
def test_a_bad_value_is_one_danish_line_naming_the_variable(name, value, words):
    (line,) = _problems({name: value})
    assert line.startswith(f"{name}: ") and words in line and "\n" not in line


def test_every_bad_value_is_reported_at_once():
    lines = _problems({"AKTFLOW_MAX_UPLOAD": "stor", "AKTFLOW_PROXY_HOPS": "x", "AKTFLOW_ARCHIVE": "arkiv"})
    assert sorted(line.split(":")[0] for line in lines) == [
        "AKTFLOW_ARCHIVE",
        "AKTFLOW_MAX_UPLOAD",
        "AKTFLOW_PROXY_HOPS",
    ]


def test_secrets_and_database_urls_are_never_echoed():
    (line,) = _problems({"AKTFLOW_DATABASE_URL": "postgresql://aktflow:Kodeord1@db:port/aktflow"})
    assert "Kodeord1" not in line and line.startswith("AKTFLOW_DATABASE_URL")
    s = load_settings(
        {**SBSYS, "AKTFLOW_SECRET_KEY": "nøglen", "AKTFLOW_DATABASE_URL": "sqlite:///x?pw=Kode"}
    )
    assert "nøglen" not in repr(s) and "hemmelig-nøgle" not in repr(s) and "Kode" not in repr(s)


def test_settings_that_belong_together():
    (line,) = _problems({"AKTFLOW_TRUSTED_HEADER": "X-Remote-User"})
    assert "AKTFLOW_TRUSTED_PROXIES" in line
    assert load_settings({"AKTFLOW_TRUSTED_HEADER": "X-Remote-User", "AKTFLOW_TRUSTED_PROXIES": "10.0.4.10"})
    # SBSYS chosen as archive: its settings must be complete, and the line names what is missing.
    (line,) = _problems({k: v for k, v in SBSYS.items() if k != "AKTFLOW_SBSYS_TOKEN_URL"})
    assert "AKTFLOW_SBSYS_TOKEN_URL" in line and "hemmelig" not in line
    (line,) = _problems({**SBSYS, "AKTFLOW_SBSYS_USERNAME": "svc"})
    assert "AKTFLOW_SBSYS_PASSWORD" in line
    # ... but they are not required while the archive is the embedded one.
    assert load_settings({"AKTFLOW_SBSYS_BASE_URL": "https://x"}).archive == "local"


# --- start-up ------------------------------------------------------------------------------------------


def test_the_command_line_refuses_bad_settings_with_one_line_each(runner, monkeypatch):
    from aktflow.cli import cli

    monkeypatch.setenv("AKTFLOW_MAX_UPLOAD", "mange")
    monkeypatch.setenv("AKTFLOW_PROXY_HOPS", "nul")
    result = runner.invoke(cli, ["workflow", "--format", "json"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "fejl: AKTFLOW_MAX_UPLOAD: skal være et helt tal, ikke 'mange'",
        "fejl: AKTFLOW_PROXY_HOPS: skal være et helt tal, ikke 'nul'",
    ]
    assert "Traceback" not in result.output


def test_the_web_app_refuses_bad_settings_with_one_line_each(monkeypatch, capsys):
    from web import create_app

    monkeypatch.setenv("AKTFLOW_ARCHIVE", "sbsys")
    with pytest.raises(SystemExit) as exit_:
        create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": "sqlite://"})
    assert exit_.value.code == 4  # gunicorn's "App failed to load": its master stops
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("aktflow: fejl i indstillingerne: SBSYS er ikke sat op: mangler AKTFLOW_SBSYS_")


def test_the_web_app_takes_its_settings_from_the_settings_object(monkeypatch, tmp_path):
    from web import create_app

    monkeypatch.setenv("AKTFLOW_MAX_UPLOAD", "4096")
    monkeypatch.setenv("AKTFLOW_TRUSTED_HEADER", "X-Remote-User")
    monkeypatch.setenv("AKTFLOW_TRUSTED_PROXIES", "10.0.4.0/28")
    monkeypatch.setenv("AKTFLOW_SECRET_KEY", "fra-miljøet")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    assert app.config["MAX_CONTENT_LENGTH"] == 4096 and app.config["SECRET_KEY"] == "fra-miljøet"
    assert app.config["TRUSTED_HEADER"] == "X-Remote-User"
    services = app.extensions["aktflow"]
    assert services is bootstrap.current() and services.db is app.extensions["aktflow_db"]
    assert services.settings.max_upload == 4096
    services.db.dispose()


# --- the composition root ------------------------------------------------------------------------------


def test_the_embedded_archive_needs_no_delivery(tmp_path):
    services = bootstrap.build(load_settings({"AKTFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}))
    assert isinstance(services.archive, LocalArchive) and services.archive.defer_letters is False
    assert services.inline_delivery is False
    # Letters deferred under another archive still render; stored files are read by the screening worker;
    # release packages are made and letters sent by the worker.
    assert set(services.handlers) == {"make_letter", "screen_document", "make_package", "dispatch"}


def test_the_sbsys_archive_is_built_once_with_its_settings(tmp_path):
    settings = load_settings({**SBSYS, "AKTFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    services = bootstrap.build(settings)
    archive = services.archive
    assert isinstance(archive, SbsysArchive) and archive.defer_letters is True
    assert archive.config.template_for("81.00.00") == "7" and archive.config.client_secret == "hemmelig-nøgle"
    assert archive.client is archive.client  # one client, one token cache
    # One routing table: the adapter delivers its own kinds, the application renders deferred letters.
    assert set(archive.outbox_handlers()) == {
        "create_case",
        "journalise",
        "journalise_package",
        "set_status",
        "reminder",
    }
    assert set(services.handlers) == {
        "create_case",
        "journalise",
        "journalise_package",
        "set_status",
        "reminder",
        "make_letter",
        "dispatch",
        "screen_document",
        "make_package",
    }
    assert services.inline_delivery is True
    archive.close()


def test_current_is_built_once_and_install_replaces_it(monkeypatch, tmp_path):
    monkeypatch.setenv("AKTFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    first = bootstrap.current()
    monkeypatch.setenv("AKTFLOW_MAX_UPLOAD", "1000")
    assert bootstrap.current() is first and first.settings.max_upload == 25 * 1024 * 1024
    other = bootstrap.install(bootstrap.build())
    assert bootstrap.current() is other and other.settings.max_upload == 1000

    from aktflow.documents import max_bytes

    assert max_bytes() == 1000
    bootstrap.reset()
    monkeypatch.delenv("AKTFLOW_MAX_UPLOAD")
    assert bootstrap.current() is not other and max_bytes() == 25 * 1024 * 1024


def test_an_item_nobody_delivers_fails_for_good(tmp_path):
    from aktflow.models import OutboxItem

    services = bootstrap.build(load_settings({"AKTFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}))
    with pytest.raises(DeliveryError) as err:
        services.deliver(services.db, OutboxItem(kind="create_case", payload={}))
    assert err.value.retryable is False and "create_case" in err.value.message


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
    return names


def test_the_archive_port_and_adapters_do_not_reach_into_the_application():
    archive = ROOT / "aktflow" / "archive"
    # The port holds no adapter factory: it imports none of its adapters.
    assert not {".local", ".sbsys", "aktflow.archive.sbsys"} & _imports(archive / "__init__.py")
    for adapter in ("local.py", "sbsys.py"):
        imported = _imports(archive / adapter)
        assert not any("case_letters" in m or "service" in m or "bootstrap" in m for m in imported)
    # No capability probed off the port: the service and the letters on cases use the Protocol's attributes.
    for module in ("case_letters.py", "service.py", "outbox_delivery.py"):
        assert 'getattr(ctx.archive, "defer_letters"' not in (ROOT / "aktflow" / module).read_text()
