"""Commands for running and developing aktflow: ``workflow``, ``demo``, ``serve`` and ``fake-sbsys``."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from aktflow import states

from .base import echo, emit, fail, open_db


@click.command("workflow")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "json", "dot", "svg"]),
    default="mermaid",
    show_default=True,
    help="dot: Graphviz source; svg: laid out by Graphviz (needs the 'dot' program)",
)
@click.option(
    "--write-static",
    is_flag=True,
    help="Write the diagram the web UI shows (web/static/workflow.dot and workflow.svg; needs Graphviz)",
)
def workflow(fmt: str, write_static: bool) -> None:
    """Print the workflow (states and triggers) from its one definition, or draw its diagram."""
    if write_static:
        from importlib import resources

        from aktflow.states import diagram

        static = resources.files("web").joinpath("static")
        source = diagram.dot_source()
        svg = _render_workflow(source)
        for name, text in (("workflow.dot", source), ("workflow.svg", svg)):
            path = static.joinpath(name)
            with open(str(path), "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            echo(f"skrev {path}", err=True)
    elif fmt == "json":
        emit(states.as_json(), True)
    elif fmt == "dot":
        from aktflow.states import diagram

        click.echo(diagram.dot_source(), nl=False)  # the definition only: no case data
    elif fmt == "svg":
        from aktflow.states import diagram

        click.echo(_render_workflow(diagram.dot_source()), nl=False)  # the definition only: no case data
    else:
        click.echo(states.as_mermaid(), nl=False)  # the definition only: no case data


def _render_workflow(source: str) -> str:
    from aktflow.states import diagram

    try:
        return diagram.render_svg(source)
    except diagram.GraphvizMissing as e:
        fail(f"{e}; installér Graphviz (fx apt-get install graphviz) eller brug --format dot", 1)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only if the database has no users yet (first start)")
@click.option(
    "--reset",
    is_flag=True,
    help="Delete the embedded SQLite database first and start afresh (never another database)",
)
def demo(if_empty: bool, reset: bool) -> None:
    """Load demo users (password 'demo') and demo cases; with --reset, on a new embedded database."""
    from aktflow.demo import load_demo

    if reset:
        _reset_embedded_database()
    n = load_demo(open_db(), if_empty=if_empty)
    if n is None:
        echo("demodata findes allerede", err=True)
    else:
        echo(
            f"demodata indlæst: {n} sager; brugere sagsbehandler, jurist, leder, admin (adgangskode: demo)",
            err=True,
        )


def _reset_embedded_database() -> None:
    """Delete the embedded SQLite database and create it again at the newest schema."""
    from aktflow.config import load_settings
    from aktflow.db import upgrade
    from aktflow.demo import remove_embedded_database
    from aktflow.errors import AktflowError

    url = load_settings().resolved_database_url()
    open_db().dispose()  # no connection left open on the file
    try:
        path = remove_embedded_database(url)
    except AktflowError as e:
        fail(e.detail, 2)
    upgrade(url, "head")
    echo(f"databasen er nulstillet: {path.name}", err=True)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the web UI (for production, run web:create_app() under gunicorn)."""
    from web import create_app

    app = create_app()
    for line in missing_parts():
        echo(f"bemærk: {line}", err=True)
    from aktflow.audit import key_notice

    echo(f"bemærk: {key_notice()}", err=True)
    echo(f"aktflow kører på http://{host}:{port}/", err=True)
    app.run(host=host, port=port, threaded=True, use_reloader=False)


def missing_parts() -> list[str]:
    """The optional parts this machine lacks, each as a Danish line saying what works without it and how
    to add it (``aktflow serve`` prints them at start; aktflow runs without any of them)."""
    import shutil

    from aktflow.case_letters import pdf_available
    from aktflow.extraction.ocr import LANGUAGE, tesseract

    lines = []
    program = tesseract()
    if program is None:
        lines.append(
            "Tesseract mangler: scannede sider og billeder markeres 'skal læses manuelt' "
            "(apt install tesseract-ocr tesseract-ocr-dan)"
        )
    else:
        import subprocess

        try:
            langs = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=10)
            has_danish = LANGUAGE in langs.stdout.split()
        except (OSError, subprocess.TimeoutExpired):
            has_danish = False
        if not has_danish:
            lines.append(
                "Tesseracts danske sprogdata mangler: OCR af scanninger virker ikke "
                "(apt install tesseract-ocr-dan)"
            )
    if not pdf_available():
        lines.append(
            "LibreOffice mangler: breve hentes som Word-filer, ikke som PDF (apt install libreoffice-writer)"
        )
    if shutil.which("dot") is None:
        lines.append(
            "Graphviz mangler: arbejdsgangens diagram vises som det er tegnet på forhånd (apt install graphviz)"
        )
    return lines


@click.command("fake-sbsys")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8089, show_default=True, type=int)
def fake_sbsys(host: str, port: int) -> None:
    """Run a local fake SBSYS (development only, from the source tree): prints the settings to export."""
    load_fake_sbsys().serve_forever(host, port, seed_demo=True)


# The fake is a test double in the source tree (devtools/fake_sbsys.py), not part of the installed package:
# the folder beside the ``aktflow`` package (this file is aktflow/cli/dev.py).
FAKE_SBSYS_SOURCE = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "devtools", "fake_sbsys.py"
)


def load_fake_sbsys(path: str | None = None) -> Any:
    """The module ``devtools/fake_sbsys.py`` loaded from the source tree beside the ``aktflow`` package.

    Found in a checkout and in an editable install (``make venv``); loaded by file, so an unrelated
    installed package named ``devtools`` cannot shadow it. Raises :class:`click.ClickException` (exit
    code 1, a Danish message) when aktflow was installed without the source tree.
    """
    import importlib.util

    path = path or FAKE_SBSYS_SOURCE
    if not os.path.isfile(path):
        raise click.ClickException(
            "aktflow fake-sbsys er et udviklingsværktøj og findes kun i aktflows kildetræ "
            "(devtools/fake_sbsys.py); det følger ikke med den installerede pakke"
        )
    name = "devtools.fake_sbsys"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module
