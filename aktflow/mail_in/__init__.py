"""Requests in by e-mail (docs/mail-intake.md): read a mail, take it in as a new case or a reply, poll the
aktindsigt mailbox.

- :mod:`.parse`: an .eml or .msg file into a :class:`~.parse.Mail`, within the limits;
- :mod:`.proposal`: the KLE emne proposed from the mail's text;
- :mod:`.intake`: :func:`~.intake.take_in`, the use case (new case, reply, once per Message-ID);
- :mod:`.mailbox`: the IMAP poller (``aktflow intake poll``).
"""

from __future__ import annotations

from .intake import MailIntake, take_in
from .parse import Mail, parse_mail

__all__ = ["Mail", "MailIntake", "parse_mail", "take_in"]
