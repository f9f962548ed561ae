"""Queue mail in the outbox (same transaction as the change) and send it over SMTP."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from flask import current_app, g, render_template
from flask_babel import force_locale
from sqlalchemy import select

from procurement.database import utcnow
from procurement.extensions import db
from procurement.mail.models import OutboxMail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
SMTP_POLICY = policy.SMTP.clone(max_line_length=998)


def queue_mail(recipient: str, template: str, language: str = "de", **context: object) -> OutboxMail:
    """Render ``templates/mail/<template>.txt`` in ``language`` and put it in the outbox.

    :param template: the first line of the rendered template is the subject, the rest the body
    """
    with force_locale(language):
        subject, _, body = render_template(f"mail/{template}.txt", **context).partition("\n")
    mail = OutboxMail(recipient=recipient, subject=subject.strip(), body=body.strip() + "\n")
    db.session.add(mail)
    db.session.flush()
    g.mail_queued = True
    return mail


@dataclass(frozen=True)
class SendReport:
    sent: int
    failed: int


def _connect(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port
    if parts.scheme == "smtps":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port or 465, timeout=10, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port or 25, timeout=10)
        if parts.scheme == "smtp+starttls":
            smtp.starttls(context=ssl.create_default_context())
    if parts.username:
        smtp.login(unquote(parts.username), unquote(parts.password or ""))
    return smtp


def _message(mail: OutboxMail) -> EmailMessage:
    # Folding a plain-ASCII subject of 70-78 characters right after "Subject:" makes readers
    # show it with a leading space; RFC 5322 allows lines up to 998 characters.
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="vergabe-marktplatz")
    message.set_content(mail.body)
    return message


def send_pending(limit: int = 100) -> SendReport:
    """Send queued mail; a mail stays queued (attempts counted) while the server refuses it.

    Commits after each mail, so a crash never sends one twice.
    """
    pending = db.session.scalars(
        select(OutboxMail)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMail.id)
        .limit(limit)
    ).all()
    if not pending:
        return SendReport(0, 0)
    url = current_app.config["SMTP_URL"]
    sent = failed = 0
    smtp = None
    try:
        for mail in pending:
            mail.attempts += 1
            try:
                if url:
                    smtp = smtp or _connect(url)
                    smtp.send_message(_message(mail))
                else:
                    log.info("mail to %s (SMTP_URL unset): %s\n%s", mail.recipient, mail.subject, mail.body)
            except (OSError, smtplib.SMTPException) as err:
                mail.last_error = f"{type(err).__name__}: {err}"
                failed += 1
                log.warning("mail %s to %s not sent: %s", mail.id, mail.recipient, mail.last_error)
                db.session.commit()
                if smtp is None:
                    break  # the server is unreachable: keep the rest for the next run
                continue
            mail.sent_at = utcnow()
            mail.last_error = None
            sent += 1
            db.session.commit()
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return SendReport(sent, failed)
