"""Public pages: start page, language switch, health check."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, session
from flask.typing import ResponseReturnValue
from flask_login import current_user

from procurement.extensions import db, limiter
from procurement.site.forms import LanguageForm
from procurement.web import safe_next

bp = Blueprint("site", __name__)


@bp.route("/")
def index() -> ResponseReturnValue:
    return render_template("site/index.html")


@bp.route("/language", methods=["POST"])
def set_language() -> ResponseReturnValue:
    form = LanguageForm()
    if not form.validate_on_submit() or form.language.data not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = form.language.data
    if current_user.is_authenticated:
        current_user.language = form.language.data
    return redirect(safe_next(form.next.data))


@bp.route("/healthz")
@limiter.exempt
def healthz() -> ResponseReturnValue:
    """Liveness for load balancers; also the hello-world baseline of `make bench`."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.route("/readyz")
@limiter.exempt
def readyz() -> ResponseReturnValue:
    """Readiness: the database answers."""
    db.session.execute(db.text("SELECT 1"))
    return "ready", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
