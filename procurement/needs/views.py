"""Needs blueprint: needs, bundling proposals, invitations, the municipality dashboard."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal
from typing import Optional

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_currency, format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from procurement.accounts.forms import ActionForm
from procurement.database import utcnow
from procurement.errors import DomainError
from procurement.extensions import db
from procurement.marketplace.models import PilotProject, Solution
from procurement.needs import services
from procurement.needs.bundling import Proposal
from procurement.needs.forms import InviteForm, NeedForm
from procurement.needs.labels import NEED_ACTIONS, NEED_STATUS_LABELS, NEED_TRIGGER_LABELS, RESPONSE_LABELS
from procurement.needs.models import JointTenderInvitation, Need
from procurement.needs.permissions import (
    can_create_need,
    can_edit_need,
    can_invite,
    can_respond_to_invitation,
    can_see_proposals,
    can_use_dashboard,
    can_view_invitation,
    can_view_need,
)
from procurement.reference.validators import vocabulary
from procurement.web import STATE_LABELS, TRIGGER_LABELS
from workflows.need import NEED, NeedStatus

bp = Blueprint("needs", __name__)

STATE_LABELS.update(NEED_STATUS_LABELS)
TRIGGER_LABELS.update({(NEED.name, trigger): label for trigger, label in NEED_TRIGGER_LABELS.items()})


def cpv_label(code: str) -> str:
    entry = vocabulary().get(code)
    if entry is None:
        return ""
    return entry.label_en if str(get_locale()) == "en" else entry.label_de


def cpv_group_label(group: str) -> str:
    """The name of a CPV group (its code with trailing zeros), if the vocabulary has it."""
    entry = vocabulary().by_stem.get(group.ljust(8, "0"))
    if entry is None:
        return ""
    return entry.label_en if str(get_locale()) == "en" else entry.label_de


def proposal_url(proposal: Proposal) -> str:
    return url_for(
        "needs.proposal",
        cpv_group=proposal.cpv_group,
        window_from=proposal.window_from.isoformat(),
        window_until=proposal.window_until.isoformat(),
    )


@bp.app_template_filter("eur")
def eur(value: Optional[Decimal]) -> str:
    """An amount in euros in the page's language (216.000,00 €)."""
    return "" if value is None else format_currency(value, "EUR")


def quantity(value: Optional[Decimal]) -> str:
    """A quantity in the page's language, without trailing zeros (1.250,5)."""
    return "" if value is None else format_decimal(value, format="#,##0.###")


def _marketplace_url(endpoint: str, **values: object) -> Optional[str]:
    """The page of a marketplace entry, if the marketplace offers one."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def pilot_project_url(project: PilotProject) -> Optional[str]:
    return _marketplace_url("marketplace.pilot_project", project_id=project.id)


def solution_url(solution: Solution) -> Optional[str]:
    return _marketplace_url("marketplace.solution", solution_id=solution.id)


@bp.context_processor
def need_labels() -> dict[str, object]:
    return {
        "need_status_labels": NEED_STATUS_LABELS,
        "need_actions": NEED_ACTIONS,
        "response_labels": RESPONSE_LABELS,
        "cpv_label": cpv_label,
        "cpv_group_label": cpv_group_label,
        "proposal_url": proposal_url,
        "pilot_project_url": pilot_project_url,
        "quantity": quantity,
        "responses": services.invitation_responses,
        "today": utcnow().date(),
    }


def _form_data(form: NeedForm) -> services.NeedData:
    return services.NeedData(
        **{
            f.name: form[f.name].data if form[f.name].data is not None else ""
            for f in dataclasses.fields(services.NeedData)
        }
    )


def _id_arg(name: str) -> Optional[int]:
    raw = request.args.get(name)
    if raw is None:
        return None
    if not raw.isdigit():
        abort(404)
    return int(raw)


def _need_for(need_id: int) -> Need:
    """Load a need the user may see; others' needs do not exist for them (404, not 403)."""
    need = db.get_or_404(Need, need_id)
    if not can_view_need(current_user, need):
        abort(404)
    return need


@bp.route("/needs/new", methods=["GET", "POST"])
@login_required
def new_need() -> ResponseReturnValue:
    """Draft a need; ``?solution=ID`` or ``?pilot=ID`` pre-fills it (Nachnutzung)."""
    if not can_create_need(current_user):
        abort(403)
    source = services.published_source(_id_arg("solution"), _id_arg("pilot"))
    template = services.reuse_template(current_user, source) if source is not None else None
    now = utcnow()
    if request.method == "GET":
        values = dict(template.values) if template else {}
        values.setdefault("nuts_code", current_user.organisation.nuts_code or "")
        form = NeedForm(data=values, today=now.date())
    else:
        form = NeedForm(today=now.date())
    if form.validate_on_submit():
        try:
            need = services.create_need(current_user, _form_data(form), now, source=source)
        except DomainError as err:
            flash(err.message, "danger")
            return render_template(
                "needs/form.html", form=form, need=None, template=template
            ), err.status_code
        flash(_("Der Bedarf „%(title)s“ ist als Entwurf gespeichert.", title=need.title), "success")
        return redirect(url_for("needs.need", need_id=need.id))
    return render_template(
        "needs/form.html", form=form, need=None, template=template
    ), 422 if form.errors else 200


@bp.route("/needs/<int:need_id>")
@login_required
def need(need_id: int) -> ResponseReturnValue:
    need = _need_for(need_id)
    now = utcnow()
    proposals = None
    if can_see_proposals(current_user) and need.status is NeedStatus.open:
        proposals = [
            p
            for p in services.proposals_for(current_user, now.date(), need.cpv_group)
            if need.id in {n.id for n in p.needs}
        ]
    source = None
    if need.source_solution_id is not None:
        solution = db.session.get(Solution, need.source_solution_id)
        source = {"label": _("Lösung „%(title)s“", title=solution.title), "url": solution_url(solution)}
    elif need.source_pilot_project_id is not None:
        project = db.session.get(PilotProject, need.source_pilot_project_id)
        source = {
            "label": _(
                "Modellprojekt „%(title)s“ von %(organisation)s",
                title=project.title,
                organisation=project.organisation.name,
            ),
            "url": pilot_project_url(project),
        }
    return render_template(
        "needs/detail.html",
        need=need,
        source=source,
        actions=services.allowed_need_actions(current_user, need, now),
        action_form=ActionForm(),
        can_edit=can_edit_need(current_user, need),
        proposals=proposals,
    )


@bp.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
@login_required
def edit_need(need_id: int) -> ResponseReturnValue:
    need = _need_for(need_id)
    if not can_edit_need(current_user, need):
        if need.status is not NeedStatus.draft:
            flash(_("Nur Entwürfe können bearbeitet werden. Nehmen Sie den Bedarf erst zurück."), "warning")
            return redirect(url_for("needs.need", need_id=need.id))
        abort(403)
    now = utcnow()
    form = NeedForm(obj=need if request.method == "GET" else None, today=now.date())
    if form.validate_on_submit():
        try:
            services.update_need(current_user, need, _form_data(form), now)
        except DomainError as err:
            flash(err.message, "danger")
            return render_template("needs/form.html", form=form, need=need, template=None), err.status_code
        flash(_("Der Bedarf ist gespeichert."), "success")
        return redirect(url_for("needs.need", need_id=need.id))
    return render_template(
        "needs/form.html", form=form, need=need, template=None
    ), 422 if form.errors else 200


@bp.route("/needs/<int:need_id>/<any(open, reopen, withdraw):action>", methods=["POST"])
@login_required
def need_action(need_id: int, action: str) -> ResponseReturnValue:
    need = _need_for(need_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.change_need_status(current_user, need, action, utcnow())
    flash(str(NEED_ACTIONS[action][2]), "success")
    return redirect(url_for("needs.need", need_id=need.id))


def _proposal_key(cpv_group: str, window_from: str, window_until: str) -> tuple[str, date, date]:
    if not re.fullmatch(r"[0-9]{5}", cpv_group):
        abort(404)
    try:
        return (cpv_group, date.fromisoformat(window_from), date.fromisoformat(window_until))
    except ValueError:
        abort(404)


@bp.route("/needs/proposals/<cpv_group>/<window_from>/<window_until>", methods=["GET", "POST"])
@login_required
def proposal(cpv_group: str, window_from: str, window_until: str) -> ResponseReturnValue:
    """A bundling proposal and the form to invite its municipalities to a joint tender."""
    if not can_see_proposals(current_user):
        abort(403)
    now = utcnow()
    found = services.find_proposal(
        current_user, _proposal_key(cpv_group, window_from, window_until), now.date()
    )
    form = InviteForm(data={"need_ids": [n.id for n in found.needs]} if request.method == "GET" else None)
    form.need_ids.choices = [(n.id, n.title) for n in found.needs]
    if can_invite(current_user) and form.validate_on_submit():
        try:
            invitation = services.invite_to_joint_tender(
                current_user, set(form.need_ids.data), form.message.data, now
            )
        except DomainError as err:
            flash(err.message, "danger")
            return render_template("needs/proposal.html", proposal=found, form=form), err.status_code
        flash(
            _("Die Einladung ist verschickt an die Vergabestellen der beteiligten Kommunen."),
            "success",
        )
        return redirect(url_for("needs.invitation", invitation_id=invitation.id))
    return render_template("needs/proposal.html", proposal=found, form=form), 422 if form.errors else 200


def _invitation_for(invitation_id: int) -> JointTenderInvitation:
    invitation = db.get_or_404(JointTenderInvitation, invitation_id)
    if not can_view_invitation(current_user, invitation):
        abort(404)
    return invitation


@bp.route("/needs/invitations/<int:invitation_id>")
@login_required
def invitation(invitation_id: int) -> ResponseReturnValue:
    invitation = _invitation_for(invitation_id)
    can_respond = can_respond_to_invitation(current_user, invitation) and any(
        r.organisation_id == current_user.organisation_id and r.response.value == "pending"
        for r in invitation.recipients
    )
    threshold = services.threshold_in_force(invitation.created_at.date())
    return render_template(
        "needs/invitation.html",
        invitation=invitation,
        responses=services.invitation_responses(invitation),
        can_respond=can_respond,
        threshold=threshold,
        action_form=ActionForm(),
    )


@bp.route("/needs/invitations/<int:invitation_id>/<any(accept, decline):answer>", methods=["POST"])
@login_required
def respond(invitation_id: int, answer: str) -> ResponseReturnValue:
    invitation = _invitation_for(invitation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.respond_to_invitation(current_user, invitation, answer == "accept", utcnow())
    if answer == "accept":
        flash(_("Ihre Kommune hat zugesagt. Die einladende Vergabestelle ist benachrichtigt."), "success")
    else:
        flash(_("Ihre Kommune hat abgesagt. Die einladende Vergabestelle ist benachrichtigt."), "info")
    return redirect(url_for("needs.invitation", invitation_id=invitation.id))


@bp.route("/dashboard")
@login_required
def dashboard() -> ResponseReturnValue:
    """The municipality's needs, proposals that concern it, invitations, pilot projects nearby."""
    if not can_use_dashboard(current_user):
        abort(403)
    now = utcnow()
    board = services.dashboard(current_user, now)
    actions = {
        need.id: services.allowed_need_actions(current_user, need, now)
        for _status, needs in board.needs_by_status
        for need in needs
    }
    return render_template(
        "needs/dashboard.html",
        board=board,
        actions=actions,
        action_form=ActionForm(),
        can_create=can_create_need(current_user),
        can_edit=lambda need: can_edit_need(current_user, need),
    )
