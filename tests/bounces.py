"""Sample bounces for the tests, written after the shapes real mail servers send (RFC 3464 reports from
Postfix and Exchange, a delay report, qmail's and Exim's non-standard texts, a hosted service's report
that keeps only the headers). ``dispatch_id`` is put where aktflow's e-mail channel puts it.

Names, addresses and the CPR-like number are made up.
"""

from __future__ import annotations


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


def original_headers(dispatch_id: int, *, with_header: bool = True) -> str:
    lines = [
        "From: aktindsigt@eksempel.dk",
        "To: mette@example.dk",
        f"Subject: Afgørelse om aktindsigt – sag 15.17.12-A53-{dispatch_id}-26",
        f"Message-ID: <aktflow-dispatch-{dispatch_id}-1@eksempel.dk>",
    ]
    if with_header:
        lines.append(f"X-Aktflow-Dispatch: {dispatch_id}")
    return "\n".join(lines)


def postfix_report(dispatch_id: int, *, action: str = "failed", status: str = "5.1.1") -> bytes:
    """RFC 3464: multipart/report with a delivery-status part and the original message attached."""
    return _crlf(
        f"""Return-Path: <>
From: MAILER-DAEMON@mx.eksempel.dk (Mail Delivery System)
To: aktindsigt@eksempel.dk
Subject: Undelivered Mail Returned to Sender
Message-ID: <20261201101500.ABC123@mx.eksempel.dk>
Date: Tue, 1 Dec 2026 11:15:00 +0100
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.eksempel.dk.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.eksempel.dk
Arrival-Date: Tue, 1 Dec 2026 11:14:58 +0100

Final-Recipient: rfc822; mette@example.dk
Original-Recipient: rfc822;mette@example.dk
Action: {action}
Status: {status}
Remote-MTA: dns; mail.example.dk
Diagnostic-Code: smtp; 550 {status} <mette@example.dk>: Recipient address rejected: User unknown

--B1
Content-Type: message/rfc822

{original_headers(dispatch_id)}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hermed brev fra kommunen.

--B1--
"""
    )


def exchange_headers_only(dispatch_id: int) -> bytes:
    """RFC 3464 with only the original's headers (text/rfc822-headers), no X-header: the Message-ID."""
    return _crlf(
        f"""From: Microsoft Outlook <postmaster@example.dk>
To: aktindsigt@eksempel.dk
Subject: Undeliverable: Afgørelse om aktindsigt
Message-ID: <bounce-77@example.dk>
Date: Tue, 1 Dec 2026 11:20:00 +0100
MIME-Version: 1.0
Content-Type: multipart/report; report-type="delivery-status"; boundary="B2"

--B2
Content-Type: text/plain; charset=utf-8

Delivery has failed to these recipients or groups: mette@example.dk
The recipient's mailbox is full and can't accept messages now.

--B2
Content-Type: message/delivery-status

Reporting-MTA: dns;EX01.example.dk

Final-recipient: RFC822; mette@example.dk
Action: failed
Status: 5.2.2
Diagnostic-code: smtp;554 5.2.2 mailbox full; CPR 120385-1237

--B2
Content-Type: text/rfc822-headers

{original_headers(dispatch_id, with_header=False)}

--B2--
"""
    )


def qmail_failure_notice(dispatch_id: int) -> bytes:
    """qmail's non-standard text: the original's headers quoted in the body."""
    return _crlf(
        f"""From: MAILER-DAEMON@mail.example.dk
To: aktindsigt@eksempel.dk
Subject: failure notice
Message-ID: <qmail-1@mail.example.dk>
Date: Tue, 1 Dec 2026 11:30:00 +0100

Hi. This is the qmail-send program at mail.example.dk.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<mette@example.dk>:
550 sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

Return-Path: <aktindsigt@eksempel.dk>
{original_headers(dispatch_id)}

Hermed brev fra kommunen.
"""
    )


def exim_mail_delivery_failed(dispatch_id: int) -> bytes:
    """Exim's text, the original named only by its Message-ID in the quoted headers."""
    return _crlf(
        f"""Return-path: <>
From: Mail Delivery System <Mailer-Daemon@smtp.example.dk>
To: aktindsigt@eksempel.dk
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1exim-0001@smtp.example.dk>
Date: Tue, 1 Dec 2026 11:40:00 +0100

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  mette@example.dk
    host mail.example.dk [192.0.2.7]
    SMTP error from remote mail server after RCPT TO:<mette@example.dk>:
    550 5.1.1 User unknown

------ This is a copy of the message, including all the headers. ------

{original_headers(dispatch_id, with_header=False)}
"""
    )


def ordinary_reply(dispatch_id: int) -> bytes:
    """A person's answer quoting aktflow's header: not a bounce."""
    return _crlf(
        f"""From: Mette Hansen <mette@example.dk>
To: aktindsigt@eksempel.dk
Subject: Returneret vare - spørgsmål til afgørelsen
Message-ID: <svar-1@example.dk>
In-Reply-To: <aktflow-dispatch-{dispatch_id}-1@eksempel.dk>
Date: Tue, 1 Dec 2026 12:00:00 +0100

Tak for afgørelsen. Jeg har et spørgsmål.

> X-Aktflow-Dispatch: {dispatch_id}
"""
    )
