"""Participation pages: invite municipalities, join with quantities, leave, freeze; tenders from needs."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from procurement.accounts.forms import ActionForm
from procurement.database import utcnow
from procurement.errors import DomainError
from procurement.extensions import db
from procurement.needs import services as need_services
from procurement.needs.models import JointTenderInvitation
from procurement.needs.permissions import can_view_invitation
from procurement.numbers import format_number
from procurement.tenders import participation
from procurement.tenders.blueprint import bp
from procurement.tenders.models import Participant, Tender
from procurement.tenders.participation_forms import (
    FromNeedsForm,
    FromProposalForm,
    InviteForm,
    JoinForm,
    join_form_class,
)
from procurement.tenders.permissions import (
    can_create_tender,
    can_create_tender_from_invitation,
    can_create_tender_from_need,
    can_manage_tender,
    can_participate,
    can_view_share,
    can_view_tender,
    participant_of,
)

try:  # the names of states and participant statuses (procurement/tenders/labels.py)
    from procurement.tenders.labels import PARTICIPANT_STATUS_LABELS, TENDER_STATUS_LABELS
except ImportError:  # pragma: no cover - until the labels module is part of the tree
    PARTICIPANT_STATUS_LABELS, TENDER_STATUS_LABELS = {}, {}


@bp.app_template_filter("quantity_text")
def quantity_text(value: Any) -> str:
    """A quantity in the page's language without trailing zeros (1.250,5)."""
    return "" if value is None else format_number(value, None)


@bp.app_context_processor
def tender_creation_rules() -> dict[str, object]:
    """What the needs pages ask to offer the "start a joint tender" buttons."""
    return {
        "can_create_tender_from_need": can_create_tender_from_need,
        "can_create_tender_from_invitation": can_create_tender_from_invitation,
        "can_create_tender": can_create_tender,
    }


def _tender_for(tender_id: int) -> Tender:
    """A tender the user may see internally; for everyone else it does not exist (404)."""
    tender = db.get_or_404(Tender, tender_id)
    if not can_view_tender(current_user, tender):
        abort(404)
    return tender


def _detail_url(tender: Tender) -> str:
    if "tenders.detail" in current_app.view_functions:
        return url_for("tenders.detail", tender_id=tender.id)
    return url_for("tenders.participants", tender_id=tender.id)


def _labels() -> dict[str, object]:
    return {
        "participant_status_labels": PARTICIPANT_STATUS_LABELS,
        "tender_status_labels": TENDER_STATUS_LABELS,
    }


def _tender_page(tender: Tender) -> str:
    """The tender's own page: the edit page when the core pages offer one."""
    for endpoint in ("tenders.edit_tender", "tenders.detail"):
        if endpoint in current_app.view_functions:
            return url_for(endpoint, tender_id=tender.id)
    return url_for("tenders.participants", tender_id=tender.id)


def _municipality_label(organisation: Any) -> str:
    """Name first, then town and AGS: typing the start of the name jumps to it in the list."""
    return f"{organisation.name} – {organisation.city} (AGS {organisation.ags})"


def _invite_form(tender: Tender, formdata: object = None) -> InviteForm:
    form = InviteForm(formdata=formdata) if formdata is not None else InviteForm()
    form.organisation_ids.choices = [
        (organisation.id, _municipality_label(organisation))
        for organisation in participation.invitable_municipalities(tender)
    ]
    return form


# --- the participants page -----------------------------------------------------------------------


@bp.get("/vergaben/<int:tender_id>/teilnehmer")
@login_required
def participants(tender_id: int) -> ResponseReturnValue:
    """Participants with status, quantities per lot and value share; the lead's invite form."""
    tender = _tender_for(tender_id)
    actions = participation.allowed_participation_actions(current_user, tender)
    total = participation.joined_total(tender)
    return render_template(
        "tenders/participants.html",
        tender=tender,
        rows=[
            {"share": share, "percent": participation.percent_of(share, total)}
            for share in participation.shares(tender)
        ],
        joined_total=total,
        lot_totals=participation.lot_totals(tender),
        actions=actions,
        invite_form=_invite_form(tender) if "invite" in actions else None,
        own=participant_of(current_user, tender),
        tender_url=_detail_url(tender),
        **_labels(),
    )


@bp.route("/vergaben/<int:tender_id>/einladen", methods=["GET", "POST"])
@login_required
def invite(tender_id: int) -> ResponseReturnValue:
    tender = _tender_for(tender_id)
    if not can_manage_tender(current_user, tender):
        abort(403)
    form = _invite_form(tender, request.form if request.method == "POST" else None)
    status = 200
    if form.validate_on_submit():
        try:
            invited = participation.invite_municipalities(
                current_user, tender, form.organisation_ids.data, utcnow(), form.message.data or ""
            )
        except DomainError as err:
            flash(err.message, "danger")
            status = err.status_code
        else:
            flash(
                _(
                    "Eingeladen: %(names)s. Ihre Vergabestellen sind per E-Mail benachrichtigt.",
                    names=", ".join(p.organisation.name for p in invited),
                ),
                "success",
            )
            return redirect(url_for("tenders.participants", tender_id=tender.id))
    elif form.errors:
        status = 422
    return render_template("tenders/invite.html", tender=tender, form=form, **_labels()), status


# --- joining -------------------------------------------------------------------------------------


def _prefill(participant: Participant, tender: Tender) -> dict[str, object]:
    lead = participant.organisation_id == tender.lead_organisation_id
    values: dict[str, object] = {
        "leitweg_id": participant.leitweg_id or participant.organisation.leitweg_id or "",
        "billing_name": participant.billing_name or participant.organisation.name,
        "billing_street": participant.billing_street or participant.organisation.street,
        "billing_postal_code": participant.billing_postal_code or participant.organisation.postal_code,
        "billing_city": participant.billing_city or participant.organisation.city,
        "contact_email": participant.contact_email
        or (tender.contact_email if lead else "")
        or current_user.email,
        "contact_phone": participant.contact_phone or (tender.contact_phone if lead else ""),
    }
    for row in participant.quantities:
        values[f"lot_{row.lot_id}"] = row.quantity
    return values


def _join_data(form: JoinForm) -> participation.JoinData:
    return participation.JoinData(
        quantities=form.quantities(),
        leitweg_id=form.leitweg_id.data or "",
        billing_name=form.billing_name.data or "",
        billing_street=form.billing_street.data or "",
        billing_postal_code=form.billing_postal_code.data or "",
        billing_city=form.billing_city.data or "",
        contact_email=form.contact_email.data or "",
        contact_phone=form.contact_phone.data or "",
        confirmed=bool(form.confirm.data),
    )


@bp.route("/vergaben/<int:tender_id>/teilnahme", methods=["GET", "POST"])
@login_required
def join(tender_id: int) -> ResponseReturnValue:
    """Join with quantities per lot, Leitweg-ID and billing address; later: change them."""
    tender = _tender_for(tender_id)
    participant = participant_of(current_user, tender)
    if participant is None or not can_participate(current_user, tender):
        abort(403)
    form_class = join_form_class(tender.lots)
    if request.method == "GET":
        form = form_class(data=_prefill(participant, tender))
    else:
        form = form_class()
    status = 200
    if form.validate_on_submit():
        try:
            participation.join_tender(current_user, tender, _join_data(form), utcnow())
        except DomainError as err:
            flash(err.message, "danger")
            status = err.status_code
        else:
            flash(
                _(
                    "Die Teilnahme Ihrer Kommune ist verbindlich bestätigt. Die federführende Stelle "
                    "ist benachrichtigt."
                ),
                "success",
            )
            return redirect(url_for("tenders.share", tender_id=tender.id))
    elif form.errors:
        status = 422
    return render_template(
        "tenders/join.html",
        tender=tender,
        participant=participant,
        form=form,
        may_join="join" in participation.allowed_participation_actions(current_user, tender),
        **_labels(),
    ), status


def _action(tender_id: int) -> Tender:
    tender = _tender_for(tender_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return tender


@bp.post("/vergaben/<int:tender_id>/teilnahme/austreten")
@login_required
def leave(tender_id: int) -> ResponseReturnValue:
    tender = _action(tender_id)
    participation.leave_tender(current_user, tender, utcnow())
    flash(_("Ihre Kommune ist aus der gemeinsamen Ausschreibung ausgestiegen."), "info")
    return redirect(url_for("tenders.participants", tender_id=tender.id))


@bp.post("/vergaben/<int:tender_id>/teilnahme/absagen")
@login_required
def decline(tender_id: int) -> ResponseReturnValue:
    tender = _action(tender_id)
    participation.decline_invitation(current_user, tender, utcnow())
    flash(_("Ihre Kommune hat die Einladung abgesagt."), "info")
    return redirect(url_for("tenders.participants", tender_id=tender.id))


@bp.post("/vergaben/<int:tender_id>/teilnehmer/festschreiben")
@login_required
def freeze(tender_id: int) -> ResponseReturnValue:
    tender = _action(tender_id)
    participation.freeze_participants(current_user, tender, utcnow())
    flash(
        _(
            "Die Teilnehmenden und ihre Mengen sind festgeschrieben; sie haben ihren Anteil "
            "per E-Mail erhalten."
        ),
        "success",
    )
    return redirect(url_for("tenders.participants", tender_id=tender.id))


@bp.post("/vergaben/<int:tender_id>/teilnehmer/oeffnen")
@login_required
def unfreeze(tender_id: int) -> ResponseReturnValue:
    tender = _action(tender_id)
    participation.unfreeze_participants(current_user, tender, utcnow())
    flash(_("Die Kommunen können ihre Teilnahme wieder ändern."), "success")
    return redirect(url_for("tenders.participants", tender_id=tender.id))


@bp.get("/vergaben/<int:tender_id>/anteil")
@login_required
def share(tender_id: int) -> ResponseReturnValue:
    """The share of the user's municipality: quantities, estimated value, Leitweg-ID, billing."""
    tender = _tender_for(tender_id)
    participant = participant_of(current_user, tender)
    if participant is None or not can_view_share(current_user, tender):
        abort(404)
    return render_template(
        "tenders/share.html",
        tender=tender,
        share=participation.share_of(participant),
        actions=participation.allowed_participation_actions(current_user, tender),
        **_labels(),
    )


# --- tenders made from needs ---------------------------------------------------------------------


def _created(tender: Tender) -> ResponseReturnValue:
    flash(
        _(
            "Die gemeinsame Ausschreibung „%(title)s“ ist als Entwurf angelegt. Die Kommunen der "
            "Bedarfe sind mit ihren Mengen eingeladen; bitte ergänzen Sie die Angaben und bestätigen "
            "Sie die Teilnahme Ihrer Kommune.",
            title=tender.title,
        ),
        "success",
    )
    return redirect(_tender_page(tender))


@bp.post("/vergaben/neu/aus-vorschlag")
@login_required
def create_from_proposal() -> ResponseReturnValue:
    if not can_create_tender(current_user):
        abort(403)
    form = FromProposalForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        key = (
            form.cpv_group.data,
            date.fromisoformat(form.window_from.data),
            date.fromisoformat(form.window_until.data),
        )
    except ValueError:
        abort(400)
    now = utcnow()
    proposal = need_services.find_proposal(current_user, key, now.date())
    return _created(participation.create_from_proposal(current_user, proposal, now))


@bp.post("/vergaben/neu/aus-bedarfen")
@login_required
def create_from_needs() -> ResponseReturnValue:
    if not can_create_tender(current_user):
        abort(403)
    form = FromNeedsForm()
    if not form.validate_on_submit():
        abort(400)
    return _created(participation.create_from_needs(current_user, form.need_ids.data, utcnow()))


@bp.post("/vergaben/neu/aus-einladung/<int:invitation_id>")
@login_required
def create_from_invitation(invitation_id: int) -> ResponseReturnValue:
    invitation = db.get_or_404(JointTenderInvitation, invitation_id)
    if not can_view_invitation(current_user, invitation):
        abort(404)
    if not can_create_tender_from_invitation(current_user, invitation):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _created(participation.create_from_invitation(current_user, invitation, utcnow()))
