"""The API token page of the profile: create (shown once), list, revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from procurement.accounts.forms import ActionForm
from procurement.api import tokens
from procurement.api.forms import TokenForm
from procurement.database import utcnow

bp = Blueprint("api", __name__)


def _page(form: TokenForm, new_token: str | None = None, status: int = 200) -> ResponseReturnValue:
    response = render_template(
        "accounts/api_tokens.html",
        form=form,
        revoke_form=ActionForm(),
        tokens=tokens.organisation_tokens(current_user),
        new_token=new_token,
    )
    # the page may carry a new plain token: never keep it in a cache
    return response, status, {"Cache-Control": "no-store"}


@bp.route("/profile/api-tokens", methods=["GET", "POST"])
@login_required
def tokens_page() -> ResponseReturnValue:
    if not tokens.can_manage_tokens(current_user):
        abort(403)
    form = TokenForm()
    if form.validate_on_submit():
        _token, plain = tokens.create_token(current_user, form.name.data, form.access.data, now=utcnow())
        # shown on this response only: not flashed (the session cookie is signed, not secret)
        return _page(TokenForm(formdata=None), new_token=plain, status=201)
    return _page(form, status=422 if form.errors else 200)


@bp.post("/profile/api-tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> ResponseReturnValue:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    token = tokens.revoke_token(current_user, token_id, now=utcnow())
    flash(_("Der API-Token „%(name)s“ ist widerrufen.", name=token.name), "success")
    return redirect(url_for("api.tokens_page"))
