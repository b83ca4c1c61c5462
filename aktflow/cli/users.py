"""``aktflow users``: users, roles, passwords and API tokens."""

from __future__ import annotations

import click

from .base import Group, echo, emit, open_db
from .options import as_option, json_option


@click.group("users", cls=Group)
def users() -> None:
    """Users and roles."""


@users.command("add")
@click.argument("username")
@click.option("--role", required=True, help="caseworker | legal | manager | admin")
@click.option("--password", required=True)
@click.option("--name", default=None, help="Full name shown in letters and the UI")
@json_option
def users_add(username: str, role: str, password: str, name: str | None, as_json: bool) -> None:
    """Add a user (the server's shell is trusted: no --as; the password policy: 12 characters or more, not a
    common password)."""
    from aktflow.users import add_user
    from aktflow.vocabulary import SYSTEM_ACTOR

    u = add_user(open_db(), username, actor=SYSTEM_ACTOR, role=role, password=password, name=name)
    emit(
        {"id": u.id, "username": u.username, "role": u.role, "name": u.name},
        as_json,
        f"bruger {u.username} ({u.role}) oprettet",
    )


@users.command("token")
@click.argument("username")
@click.option("--name", default=None, help="What the token is for, e.g. selvbetjening")
@click.option("--days", default=90, show_default=True, help="Days until the token expires (1–366)")
def users_token(username: str, name: str | None, days: int) -> None:
    """Print a new API bearer token for USERNAME (shown once; only its hash is stored; it expires)."""
    from aktflow.tokens import issue_token
    from aktflow.vocabulary import SYSTEM_ACTOR

    echo(issue_token(open_db(), username, name=name, actor=SYSTEM_ACTOR, days=days))


_STATUS = {"active": "aktiv", "expired": "udløbet", "revoked": "tilbagekaldt"}


@users.command("tokens")
@click.argument("username", required=False)
@json_option
def users_tokens(username: str | None, as_json: bool) -> None:
    """List the API tokens (never the tokens themselves), optionally of USERNAME: id, user, name, status,
    created, expires, last used."""
    from aktflow.tokens import list_tokens

    rows = list_tokens(open_db(), username)
    lines = [
        f"{r['id']:>5} {r['username']:<16} {(r['name'] or '-'):<24} {_STATUS[r['status']]:<12} "
        f"oprettet {r['created_at']}  udløber {r['expires_at'] or 'ikke'}  "
        f"sidst brugt {r['last_used_at'] or 'aldrig'}"
        for r in rows
    ]
    emit(rows, as_json, "\n".join(lines) if lines else "ingen API-nøgler")


@users.command("revoke-token")
@click.argument("token_or_id")
def users_revoke_token(token_or_id: str) -> None:
    """Revoke an API token, given its id (from ``aktflow users tokens``) or the token itself."""
    from aktflow.tokens import revoke
    from aktflow.vocabulary import SYSTEM_ACTOR

    token_id = revoke(open_db(), token_or_id, actor=SYSTEM_ACTOR)
    echo(f"API-nøgle {token_id} er tilbagekaldt")


@users.command("set-role")
@click.argument("username")
@click.argument("role")
@as_option("An administrator")
def users_set_role(username: str, role: str, actor: str) -> None:
    """Change a user's role (their open sessions end)."""
    from aktflow.users import change_role

    r = change_role(open_db(), actor=actor, username=username, role=role)
    echo(f"{username}: {r['old']} → {r['new']}")


@users.command("deactivate")
@click.argument("username")
@as_option("An administrator")
def users_deactivate(username: str, actor: str) -> None:
    """Deactivate a user (sessions end; their cases stay and can be reassigned)."""
    from aktflow.users import set_active

    r = set_active(open_db(), actor=actor, username=username, active=False)
    echo(f"{username} er deaktiveret; {r['open_cases']} åbne sager skal fordeles")


@users.command("password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@as_option("An administrator")
def users_password(username: str, password: str, actor: str) -> None:
    """Set a user's password (12 characters or more, not a common password; their open sessions end)."""
    from aktflow.users import set_password

    set_password(open_db(), actor=actor, username=username, password=password)
    echo(f"adgangskoden for {username} er ændret")


@users.command("unlock")
@click.argument("username")
@as_option("An administrator")
def users_unlock(username: str, actor: str) -> None:
    """Lift USERNAME's login lock (after too many failed logins) at once."""
    from aktflow.login_throttle import unlock

    n = unlock(open_db(), username, actor=actor)
    echo(f"login-spærringen for {username} er ophævet ({n} forsøg glemt)")


@users.command("list")
@json_option
def users_list(as_json: bool) -> None:
    """List users."""
    from aktflow.queries.users import user_list

    rows = user_list(open_db())
    emit(rows, as_json, "\n".join(f"{r['username']:<16} {r['role']:<11} {r['name']}" for r in rows))
