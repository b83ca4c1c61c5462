"""Reading bounces (aktflow/mail_in/bounce.py) from sample delivery status notifications (tests/bounces.py)."""

from __future__ import annotations

import pytest

from aktflow.mail_in.bounce import read_bounce
from tests import bounces, mailbuild


@pytest.mark.parametrize(
    "sample, status, words",
    [
        (bounces.postfix_report, "5.1.1", "User unknown"),
        (bounces.exchange_headers_only, "5.2.2", "mailbox full"),
        (bounces.qmail_failure_notice, "5.1.1", "no mailbox here"),
        (bounces.exim_mail_delivery_failed, "5.1.1", "User unknown"),
    ],
)
def test_each_shape_of_bounce_names_its_dispatch_and_the_servers_reason(sample, status, words):
    bounce = read_bounce(sample(4711))
    assert bounce is not None
    assert bounce.dispatch_ids == (4711,)
    assert bounce.failed is True
    assert bounce.status == status
    assert words in bounce.reason and bounce.reason.startswith("Mailserveren returnerede e-mailen")


def test_a_delay_report_is_a_bounce_that_is_not_a_failure():
    bounce = read_bounce(bounces.postfix_report(12, action="delayed", status="4.4.1"))
    assert bounce is not None and bounce.dispatch_ids == (12,) and bounce.failed is False


def test_the_servers_diagnostic_never_carries_a_cpr_number():
    bounce = read_bounce(bounces.exchange_headers_only(5))
    assert bounce is not None
    assert "120385-1237" not in bounce.reason and "1203851237" not in bounce.reason


@pytest.mark.parametrize(
    "raw",
    [
        bounces.ordinary_reply(4711),
        mailbuild.eml(),
        mailbuild.eml(subject="Undelivered Mail Returned to Sender", sender="Jens <jens@example.dk>"),
        b"\x00\xff not a mail at all",
    ],
)
def test_an_ordinary_mail_is_not_a_bounce_even_when_it_quotes_the_dispatch(raw):
    assert read_bounce(raw) is None


def test_a_bounce_for_mail_aktflow_never_sent_names_no_dispatch():
    raw = (
        bounces.postfix_report(1)
        .replace(b"aktflow-dispatch-1-1", b"something-else")
        .replace(b"X-Aktflow-Dispatch: 1", b"X-Other: 1")
    )
    bounce = read_bounce(raw)
    assert bounce is not None and bounce.dispatch_ids == () and bounce.failed
