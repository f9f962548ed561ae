"""Mail leaves through the outbox: never lost while the SMTP server is down."""

from __future__ import annotations

import logging

from sqlalchemy import select

from procurement.extensions import db
from procurement.mail.models import OutboxMail
from procurement.mail.services import MAX_ATTEMPTS, queue_mail, send_pending
from tests.conftest import free_port


class Recipient:
    name = "Erika Müller"
    email = "erika@birkenfelde.example"

    class organisation:  # noqa: N801 - stands in for the ORM relation in the template
        name = "Gemeinde Birkenfelde"


def queue(app, n: int = 1) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    with app.test_request_context():
        for i in range(n):
            queue_mail(
                f"person{i}@birkenfelde.example",
                "password_reset",
                "de",
                user=Recipient,
                link="http://localhost/password/reset/x",
                expires_at=datetime(2026, 11, 25, 13, 0, tzinfo=UTC),
            )
        db.session.commit()


def outbox(app) -> list[OutboxMail]:  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
        db.session.expunge_all()
        return list(rows)


def test_queued_mail_is_sent_over_smtp_in_the_recipients_language(app, mailbox):
    queue(app)
    with app.app_context():
        assert send_pending().sent == 1
    [message] = mailbox.to("person0@birkenfelde.example")
    assert message["Subject"] == "Passwort zurücksetzen"
    assert "Vergabe-Marktplatz" in message["From"]
    body = message.get_content()
    assert "Guten Tag Erika Müller," in body
    assert "25.11.26, 14:00" in body  # shown in Europe/Berlin
    assert outbox(app)[0].sent_at is not None


def test_mail_stays_queued_while_the_server_is_down(app, mailbox, monkeypatch):
    queue(app, 3)
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    with app.app_context():
        report = send_pending()
    assert (report.sent, report.failed) == (0, 1)
    mails = outbox(app)
    assert all(m.sent_at is None for m in mails)
    assert mails[0].attempts == 1 and mails[0].last_error.startswith("ConnectionRefusedError")
    assert [m.attempts for m in mails[1:]] == [0, 0]  # no point hammering a dead server

    monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0 and "3 sent, 0 failed" in result.output
    assert len(mailbox.messages) == 3
    assert outbox(app)[0].last_error is None


def test_send_pending_exits_non_zero_when_a_mail_fails(app, monkeypatch):
    queue(app)
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    result = app.test_cli_runner().invoke(args=["mail", "send-pending"])
    assert result.exit_code == 1 and "0 sent, 1 failed" in result.output


def test_mail_is_given_up_after_max_attempts(app, mailbox):
    queue(app)
    with app.app_context():
        db.session.execute(db.update(OutboxMail).values(attempts=MAX_ATTEMPTS))
        db.session.commit()
        assert send_pending().sent == 0
    assert mailbox.messages == []


def test_without_smtp_url_mail_is_written_to_the_log(app, mailbox, monkeypatch, caplog):
    queue(app)
    monkeypatch.setitem(app.config, "SMTP_URL", "")
    with caplog.at_level(logging.INFO, logger="procurement.mail.services"), app.app_context():
        assert send_pending().sent == 1
    assert "person0@birkenfelde.example" in caplog.text
    assert mailbox.messages == []


def test_subject_of_any_length_arrives_unchanged(app, mailbox):
    subjects = [
        "Einladung zur gemeinsamen Ausschreibung von Stadt Talheim an der Lauter",
        "Einladung zur gemeinsamen Beschaffung: Straßenbeleuchtung LED – Gemeinde Kleinmoorbach lädt ein",
    ]
    with app.app_context():
        for subject in subjects:
            db.session.add(OutboxMail(recipient="a@birkenfelde.example", subject=subject, body="x\n"))
        db.session.commit()
        assert send_pending().sent == 2
    assert [m["Subject"] for m in mailbox.messages] == subjects
