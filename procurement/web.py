"""Request-wide behaviour: locale, login loading, one commit per request, errors, headers."""

from __future__ import annotations

import logging
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from procurement.accounts.models import User
from procurement.errors import DomainError
from procurement.extensions import db, login_manager
from workflows.machine import InvalidTransition

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


# Translated names of workflow states and of triggers (by workflow name and trigger) for
# messages; each domain registers its own.
STATE_LABELS: dict[Enum, object] = {}
TRIGGER_LABELS: dict[tuple[str, str], object] = {}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    wanted = session.get("lang")
    if wanted in languages:
        return wanted
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    user = db.session.scalar(select(User).where(User.session_token == session_token))
    return user if user is not None and user.is_active else None


class DatabaseId(IntegerConverter):
    """The ``<int:...>`` of every route: at most 2**31 - 1 (an INTEGER column); a larger id is
    not found (404) instead of a PostgreSQL server error comparing an INTEGER with it. The
    API's OpenAPI description names the maximum, so clients and Schemathesis know it."""

    def __init__(
        self, map: Any, fixed_digits: int = 0, min: Any = None, max: Any = 2**31 - 1, signed: bool = False
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def transition_message(err: InvalidTransition) -> str:
    """What a refused move of a state machine says to people: the guard's message, or "not in
    this state", with the trigger and the state named in the reader's language."""
    params = {
        "trigger": str(TRIGGER_LABELS.get((err.workflow, err.trigger), err.trigger)),
        "state": str(STATE_LABELS.get(err.state, err.state.value)),
    }
    return _(err.message) % params


def external_url(endpoint: str, **values: object) -> str:
    """An absolute link for mails and notices: ``PUBLIC_BASE_URL`` + the endpoint's path."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def safe_next(target: str | None) -> str:
    """Return ``target`` if it is a path on this site, else the start page (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("site.index")


def _error_page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("errors/error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"

    @login_manager.unauthorized_handler
    def unauthorized():  # type: ignore[no-untyped-def]
        flash(_("Bitte melden Sie sich an, um diese Seite zu sehen."), "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))

    @app.context_processor
    def inject_locale() -> dict[str, object]:
        return {"current_locale": str(get_locale())}

    @app.after_request
    def finish_request(response: Response) -> Response:
        # Services flush; the request commits once, and only when it succeeded.
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        if g.get("mail_queued") and current_app.config["MAIL_SEND_AFTER_REQUEST"]:
            from procurement.mail.services import send_pending

            send_pending()
            # e.g. the §134 GWB letters count as sent once the outbox delivered them
            for hook in g.get("after_mail_sent", ()):
                hook()
                db.session.commit()
        _security_headers(response)
        return response

    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        return _error_page(err.status_code, _("Das hat nicht geklappt"), err.message)

    @app.errorhandler(InvalidTransition)
    def invalid_transition(err: InvalidTransition):  # type: ignore[no-untyped-def]
        db.session.rollback()
        return _error_page(409, _("Aktion nicht möglich"), transition_message(err))

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(err: StaleDataError):  # type: ignore[no-untyped-def]
        # A version column refused the write: someone else changed the same record first.
        db.session.rollback()
        return _error_page(
            409,
            _("Inzwischen geändert"),
            _(
                "Jemand anderes hat diesen Datensatz gerade geändert. Ihre Änderung wurde nicht "
                "gespeichert. Bitte laden Sie die Seite neu und prüfen Sie den aktuellen Stand."
            ),
        )

    @app.errorhandler(CSRFError)
    def csrf_error(err: CSRFError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        return _error_page(
            400,
            _("Formular abgelaufen"),
            _(
                "Das Formular ist abgelaufen oder unvollständig (Sicherheitsprüfung). Es wurde "
                "nichts gespeichert. Bitte laden Sie die Seite neu und senden Sie es erneut."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):  # type: ignore[no-untyped-def]
        db.session.rollback()
        messages = {
            400: (
                _("Ungültige Anfrage"),
                _("Die Anfrage war unvollständig oder fehlerhaft. Es wurde nichts gespeichert."),
            ),
            403: (_("Kein Zugriff"), _("Sie haben keine Berechtigung für diese Seite.")),
            404: (_("Seite nicht gefunden"), _("Diese Seite gibt es nicht (mehr).")),
            405: (_("Nicht erlaubt"), _("Diese Aktion ist so nicht möglich.")),
            413: (_("Zu groß"), _("Die gesendeten Daten sind zu groß. Es wurde nichts gespeichert.")),
            429: (
                _("Zu viele Versuche"),
                _(
                    "Zu viele Versuche in kurzer Zeit. Bitte warten Sie eine Minute und "
                    "versuchen Sie es dann erneut."
                ),
            ),
        }
        code = err.code or 500
        title, message = messages.get(code, (_("Fehler"), _("Es ist ein Fehler aufgetreten.")))
        response = _error_page(code, title, message)
        if code == 429:
            return response[0], 429, {"Retry-After": "60"}
        return response


def _security_headers(response: Response) -> None:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["APP_ENV"] == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint and request.endpoint.startswith("accounts."):
        headers.setdefault("Cache-Control", "no-store")
