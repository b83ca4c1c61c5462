"""What the installed package holds: the test doubles stay in the source tree (devtools/), not in the wheel."""

from __future__ import annotations

import tomllib
from pathlib import Path

import click
import pytest
from setuptools import find_packages

from aktflow import cli
from aktflow.cli import dev

ROOT = Path(__file__).resolve().parent.parent.parent
DOUBLES = ("fake_sbsys", "pgcluster")


def wheel_modules() -> set[str]:
    """Every module and package the wheel installs, found as setuptools finds them from pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    find = config["tool"]["setuptools"]["packages"]["find"]
    packages = find_packages(where=str(ROOT), include=find["include"], exclude=find.get("exclude", ()))
    modules = set(packages)
    for package in packages:
        folder = ROOT.joinpath(*package.split("."))
        modules.update(f"{package}.{f.stem}" for f in folder.glob("*.py") if f.stem != "__init__")
    return modules


def test_the_wheel_holds_the_product_and_not_the_test_doubles():
    modules = wheel_modules()
    assert {"aktflow", "aktflow.states", "aktflow.archive", "web", "letters", "migrations"} <= modules
    assert "aktflow.archive.sbsys_client" in modules
    shipped_doubles = sorted(m for m in modules if m.rsplit(".", 1)[-1] in DOUBLES)
    assert shipped_doubles == []
    top_level = {m.split(".", 1)[0] for m in modules}
    assert top_level == {"aktflow", "web", "letters", "migrations"}


def test_the_doubles_live_in_the_source_tree():
    for name in DOUBLES:
        assert (ROOT / "devtools" / f"{name}.py").is_file()


def test_fake_sbsys_command_loads_the_fake_from_the_source_tree():
    module = dev.load_fake_sbsys()
    assert callable(module.serve_forever)
    assert module.FakeState().client_id == module.DEMO_CLIENT_ID


def test_fake_sbsys_command_says_it_needs_the_source_tree_when_installed_without_it(
    runner, monkeypatch, tmp_path
):
    with pytest.raises(click.ClickException, match="udviklingsværktøj"):
        dev.load_fake_sbsys(str(tmp_path / "devtools" / "fake_sbsys.py"))

    monkeypatch.setattr(dev, "FAKE_SBSYS_SOURCE", str(tmp_path / "devtools" / "fake_sbsys.py"))
    result = runner.invoke(cli.cli, ["fake-sbsys", "--port", "0"])
    assert result.exit_code == 1
    assert "findes kun i aktflows kildetræ" in result.output
    assert "Traceback" not in result.output
