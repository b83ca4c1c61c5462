"""``aktflow intake``: requests that arrive by e-mail (docs/mail-intake.md).

``intake mail FILE`` takes one .eml or .msg file in; ``intake poll`` reads the aktindsigt mailbox
(``AKTFLOW_IMAP_URL``) once or every ``--interval`` seconds; ``intake poll --status`` lists the mails that
could not be taken in.
"""

from __future__ import annotations

import click

from aktflow.errors import ValidationError

from .base import Group, echo, emit, open_db
from .options import InputFile, InputFileType, as_option, json_option


@click.group("intake", cls=Group)
def intake() -> None:
    """Requests in by e-mail: import a mail, poll the mailbox."""


def _mail_max() -> int:
    from aktflow.documents import max_bytes

    return max_bytes()


@intake.command("mail")
@click.argument("file", metavar="FILE", type=InputFileType("file", _mail_max))
@as_option("The caseworker who registers the request")
@click.option("--basis", default=None, help="Legal basis of a new case: ofl (default), fvl, mol or gdpr.")
@click.option("--emne", default=None, help="KLE emne NN.NN.NN; default: proposed from the mail's text.")
@json_option
def intake_mail(file: InputFile, actor: str, basis: str | None, emne: str | None, as_json: bool) -> None:
    """Take in one e-mail (.eml or .msg): a new case, or a reply added to its open case."""
    from aktflow.mail_in import take_in

    result = take_in(open_db(), file.name, file.read(), actor=actor, source="cli", basis=basis, emne=emne)
    number = result.sagsnummer or f"#{result.case_id}"
    text = {
        "case": f"ny sag {number} oprettet af e-mailen (KLE {result.emne})",
        "reply": f"e-mailen er lagt på sag {number}"
        + (" (præcisering modtaget)" if result.clarification else ""),
        "known": f"e-mailen er allerede modtaget: sag {number}",
        "bounce": f"returmeddelelse for en forsendelse i sag {number}",
    }[result.outcome]
    emit(result.to_dict(), as_json, "\n".join([text, *result.notes]))


@intake.command("poll")
@click.option(
    "--as", "actor", default=None, help="The caseworker who registers the requests (not for --status)."
)
@click.option("--once", is_flag=True, help="One round, then stop.")
@click.option("--interval", type=click.FloatRange(min=1), default=None, help="Seconds between rounds.")
@click.option("--status", "status", is_flag=True, help="List the mails that could not be taken in.")
@json_option
def intake_poll(actor: str | None, once: bool, interval: float | None, status: bool, as_json: bool) -> None:
    """Read the aktindsigt mailbox (AKTFLOW_IMAP_URL): each new mail becomes a case once."""
    from aktflow import bootstrap
    from aktflow.mail_in.mailbox import MailboxError, PollResult, poll_forever, poll_once
    from aktflow.queries.mail_intake import mail_failures

    db = open_db()
    if status:
        rows = mail_failures(db)
        emit(
            rows,
            as_json,
            "\n".join(
                f"{r['last_attempt']}  {r['attempts']} forsøg  {r['subject'] or r['message_id']}: {r['error']}"
                for r in rows
            )
            or "ingen e-mails venter",
        )
        return
    if not actor:
        raise ValidationError("actor", "angiv --as BRUGER: den sagsbehandler, der registrerer anmodningerne")
    if once:
        result = poll_once(db, actor=actor)
        emit(result.to_dict(), as_json, _summary(result))
        return

    def report(outcome: PollResult | MailboxError) -> None:
        if isinstance(outcome, MailboxError):
            echo(f"fejl: {outcome.message}", err=True)
        elif as_json:
            emit(outcome.to_dict(), True)
        elif outcome.taken_in or outcome.failed:
            echo(_summary(outcome))

    seconds = interval or bootstrap.current().settings.imap_interval
    try:
        poll_forever(db, actor=actor, interval=seconds, report=report)
    except KeyboardInterrupt:
        echo("stoppet")


def _summary(result) -> str:
    lines = [
        f"modtaget: {len(result.taken_in)}, fejlet: {len(result.failed)}",
        *(
            f"  {t['uid']}: {t['outcome']} sag {t['sagsnummer'] or t['case_id'] or '-'}"
            for t in result.taken_in
        ),
        *(f"  {f['uid']}: {f['error']}" for f in result.failed),
    ]
    return "\n".join(lines)
