"""Accounts blueprint: registration, login, invitations, password reset, profile, members."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from procurement.accounts import services
from procurement.accounts.forms import (
    AcceptInvitationForm,
    ActionForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    MunicipalityForm,
    ProfileForm,
    ResetPasswordForm,
    RolesForm,
    VendorRegistrationForm,
)
from procurement.accounts.models import Organisation, OrganisationKind, Role, User
from procurement.accounts.permissions import (
    assignable_roles,
    can_create_municipality,
    can_list_organisations,
    can_manage_members,
    can_view_members,
)
from procurement.database import utcnow
from procurement.errors import DomainError
from procurement.extensions import db, limiter
from procurement.web import STATE_LABELS, TRIGGER_LABELS, safe_next
from workflows.account import ACCOUNT, UserStatus

bp = Blueprint("accounts", __name__)
T = TypeVar("T")

KIND_LABELS = {
    OrganisationKind.municipality: _l("Kommune"),
    OrganisationKind.vendor: _l("Unternehmen"),
    OrganisationKind.competence_centre: _l("Kompetenzzentrum"),
}
KIND_LABELS_PLURAL = {
    OrganisationKind.municipality: _l("Kommunen"),
    OrganisationKind.vendor: _l("Registrierte Unternehmen"),
    OrganisationKind.competence_centre: _l("Kompetenzzentrum"),
}
STATUS_LABELS = {
    UserStatus.invited: _l("eingeladen"),
    UserStatus.active: _l("aktiv"),
    UserStatus.disabled: _l("gesperrt"),
}
ROLE_LABELS = {
    Role.requester: _l("Bedarfsträger"),
    Role.officer: _l("Vergabestelle"),
    Role.vendor: _l("Bieter"),
    Role.auditor: _l("Rechnungsprüfung"),
    Role.curator: _l("Kuratierung (Kompetenzzentrum)"),
    Role.admin: _l("Administration"),
}


@bp.app_context_processor
def account_labels() -> dict[str, object]:
    return {
        "Role": Role,
        "role_labels": ROLE_LABELS,
        "kind_labels": KIND_LABELS,
        "kind_labels_plural": KIND_LABELS_PLURAL,
        "status_labels": STATUS_LABELS,
    }


def _form_data(cls: type[T], form: FlaskForm) -> T:
    """Build a service's input dataclass from the validated form fields of the same names."""
    return cls(**{field.name: form[field.name].data or "" for field in dataclasses.fields(cls)})


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("site.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, utcnow())
        except services.LoginFailed as err:
            form.password.errors = [err.message]
            return render_template("accounts/login.html", form=form), 200
        chosen_language = session.get("lang")
        session.clear()  # a fresh session on login (no fixation)
        login_user(user, remember=form.remember.data)
        session["lang"] = chosen_language or user.language
        flash(_("Willkommen, %(name)s.", name=user.name), "success")
        return redirect(safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    services.record_logout(current_user, utcnow())
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language
    flash(_("Sie sind abgemeldet."), "info")
    return redirect(url_for("site.index"))


@bp.route("/register", methods=["GET", "POST"])
def register() -> ResponseReturnValue:
    form = VendorRegistrationForm()
    if form.validate_on_submit():
        data = _form_data(services.VendorRegistration, form)
        try:
            user = services.register_vendor(data, utcnow())
        except DomainError as err:
            flash(err.message, "danger")
            return render_template("accounts/register.html", form=form), err.status_code
        return render_template("accounts/register_done.html", email=user.email)
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


@bp.route("/confirm/<token>")
def confirm_email(token: str) -> ResponseReturnValue:
    user = services.confirm_email(token, utcnow())
    flash(_("Ihre E-Mail-Adresse ist bestätigt. Sie können sich jetzt anmelden."), "success")
    return redirect(url_for("accounts.login", email=user.email))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    user = services.invitation_user(token, utcnow())
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        services.accept_invitation(token, form.password.data, utcnow())
        flash(_("Ihr Konto ist aktiviert. Bitte melden Sie sich an."), "success")
        return redirect(url_for("accounts.login"))
    return render_template(
        "accounts/accept_invitation.html", form=form, invited=user
    ), 422 if form.errors else 200


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, utcnow())
        flash(
            _(
                "Wenn zu dieser Adresse ein aktives Konto besteht, haben wir einen Link zum "
                "Zurücksetzen geschickt. Er ist zwei Stunden gültig."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    services.reset_link_user(token, utcnow())
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data, utcnow())
        logout_user()
        flash(_("Ihr Passwort ist geändert. Bitte melden Sie sich an."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 422 if form.errors else 200


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> ResponseReturnValue:
    form = ProfileForm(obj=current_user)
    password_form = ChangePasswordForm(prefix="pw")
    if form.submit.data and form.validate_on_submit():
        services.update_profile(current_user, form.name.data, form.language.data, utcnow())
        session["lang"] = current_user.language
        flash(_("Ihr Profil ist gespeichert."), "success")
        return redirect(url_for("accounts.profile"))
    if password_form.submit.data and password_form.validate_on_submit():
        services.change_password(
            current_user, password_form.current_password.data, password_form.password.data, utcnow()
        )
        # the session token rotated: renew this session, the others end
        login_user(current_user)
        flash(_("Ihr Passwort ist geändert."), "success")
        return redirect(url_for("accounts.profile"))
    status = 422 if form.errors or password_form.errors else 200
    return render_template("accounts/profile.html", form=form, password_form=password_form), status


@bp.route("/organisations")
@login_required
def organisations() -> ResponseReturnValue:
    if not can_list_organisations(current_user):
        abort(403)
    return render_template(
        "accounts/organisations.html",
        grouped=services.organisations_by_kind(),
        can_create=can_create_municipality(current_user),
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
def new_municipality() -> ResponseReturnValue:
    if not can_create_municipality(current_user):
        abort(403)
    form = MunicipalityForm()
    if form.validate_on_submit():
        data = _form_data(services.MunicipalityData, form)
        organisation = services.create_municipality(current_user, data, utcnow())
        flash(_("Die Kommune %(name)s ist angelegt.", name=organisation.name), "success")
        return redirect(url_for("accounts.organisation", organisation_id=organisation.id))
    return render_template("accounts/municipality_form.html", form=form), 422 if form.errors else 200


def _organisation_for(organisation_id: int) -> Organisation:
    organisation = db.get_or_404(Organisation, organisation_id)
    if not can_view_members(current_user, organisation):
        abort(403)
    return organisation


@bp.route("/organisations/<int:organisation_id>")
@login_required
def organisation(organisation_id: int) -> ResponseReturnValue:
    organisation = _organisation_for(organisation_id)
    return render_template(
        "accounts/organisation.html",
        organisation=organisation,
        can_manage=can_manage_members(current_user, organisation),
    )


def _role_choices(organisation: Organisation) -> list[SelectChoice]:
    return [
        SelectChoice(role.value, str(ROLE_LABELS[role]))
        for role in assignable_roles(current_user, organisation)
    ]


@bp.route("/organisations/<int:organisation_id>/invite", methods=["GET", "POST"])
@login_required
def invite(organisation_id: int) -> ResponseReturnValue:
    organisation = _organisation_for(organisation_id)
    if not can_manage_members(current_user, organisation):
        abort(403)
    form = InviteForm()
    form.roles.choices = _role_choices(organisation)
    if form.validate_on_submit():
        try:
            user = services.invite_user(
                current_user,
                organisation,
                form.email.data,
                form.name.data,
                {Role(value) for value in form.roles.data},
                utcnow(),
            )
        except DomainError as err:
            flash(err.message, "danger")
            return render_template(
                "accounts/invite.html", form=form, organisation=organisation
            ), err.status_code
        flash(_("Die Einladung an %(email)s ist unterwegs.", email=user.email), "success")
        return redirect(url_for("accounts.organisation", organisation_id=organisation.id))
    return render_template(
        "accounts/invite.html", form=form, organisation=organisation
    ), 422 if form.errors else 200


def _member(organisation_id: int, user_id: int) -> User:
    organisation = _organisation_for(organisation_id)
    user = db.get_or_404(User, user_id)
    if user.organisation_id != organisation.id or not can_manage_members(current_user, organisation):
        abort(404 if user.organisation_id != organisation.id else 403)
    return user


# trigger -> (service, button label, button style, success message)
_MEMBER_ACTIONS = {
    "reinvite": (
        services.reinvite_user,
        _l("Einladung erneut senden"),
        "outline-primary",
        _l("Eine neue Einladung an %(name)s ist unterwegs."),
    ),
    "enable": (
        services.enable_user,
        _l("Konto entsperren"),
        "outline-primary",
        _l("Das Konto von %(name)s ist wieder aktiv."),
    ),
    "disable": (
        services.disable_user,
        _l("Konto sperren"),
        "danger",
        _l("Das Konto von %(name)s ist gesperrt."),
    ),
}


STATE_LABELS.update(STATUS_LABELS)
TRIGGER_LABELS.update({(ACCOUNT.name, trigger): entry[1] for trigger, entry in _MEMBER_ACTIONS.items()})
TRIGGER_LABELS[ACCOUNT.name, "activate"] = _l("Konto aktivieren")


@bp.route("/organisations/<int:organisation_id>/members/<int:user_id>", methods=["GET", "POST"])
@login_required
def member(organisation_id: int, user_id: int) -> ResponseReturnValue:
    user = _member(organisation_id, user_id)
    form = RolesForm(data={"roles": [role.value for role in user.roles]} if request.method == "GET" else None)
    form.roles.choices = _role_choices(user.organisation)
    if form.validate_on_submit():
        services.change_roles(current_user, user, {Role(v) for v in form.roles.data}, utcnow())
        flash(_("Die Rollen von %(name)s sind gespeichert.", name=user.name), "success")
        return redirect(url_for("accounts.organisation", organisation_id=organisation_id))
    member_actions = [
        (trigger, _MEMBER_ACTIONS[trigger][1], _MEMBER_ACTIONS[trigger][2])
        for trigger in ACCOUNT.allowed_triggers(user, utcnow())
        if trigger in _MEMBER_ACTIONS
    ]
    return render_template(
        "accounts/member.html", user=user, form=form, action_form=ActionForm(), member_actions=member_actions
    ), 422 if form.errors else 200


@bp.route("/organisations/<int:organisation_id>/members/<int:user_id>/<action>", methods=["POST"])
@login_required
def member_action(organisation_id: int, user_id: int, action: str) -> ResponseReturnValue:
    if action not in _MEMBER_ACTIONS:
        abort(404)
    user = _member(organisation_id, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    service, _label, _style, message = _MEMBER_ACTIONS[action]
    service(current_user, user, utcnow())
    flash(str(message) % {"name": user.name}, "success")
    return redirect(url_for("accounts.organisation", organisation_id=organisation_id))
