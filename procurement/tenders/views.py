"""Officers' pages of a tender: create, edit, lots, criteria, advisor, publish, cancel."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from typing import Any, Optional

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError
from wtforms.fields.choices import SelectChoice

from procurement.accounts.forms import ActionForm
from procurement.database import utcnow
from procurement.errors import Conflict, DomainError
from procurement.extensions import db
from procurement.reference.deadlines import Procedure, find_rule
from procurement.tenders import advisor, services
from procurement.tenders.blueprint import bp
from procurement.tenders.forms import CancelForm, CriteriaForm, LotForm, ProcedureForm, TenderForm
from procurement.tenders.labels import (
    CANCELLATION_REASON_LABELS,
    CONTRACT_NATURE_LABELS,
    CRITERION_KIND_LABELS,
    PARTICIPANT_STATUS_LABELS,
    PROCEDURE_LABELS,
    SCORING_METHOD_LABELS,
    TENDER_ACTIONS,
    TENDER_STATUS_LABELS,
)
from procurement.tenders.models import (
    CancellationReason,
    ContractNature,
    CriterionKind,
    Lot,
    ScoringMethod,
    Tender,
)
from procurement.tenders.permissions import (
    can_create_tender,
    can_list_tenders,
    can_manage_tender,
    can_view_tender,
)
from workflows.tender import CANCELLABLE, CRITERIA_EDITABLE, LOTS_EDITABLE

EMPTY_CRITERION_ROWS = 3


def optional_url(endpoint: str, **values: Any) -> Optional[str]:
    """The URL of a page another part of the tender module offers, if it is there yet."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def quantity(value: Optional[Decimal]) -> str:
    """A quantity in the page's language, without trailing zeros (1.250,5)."""
    return "" if value is None else format_decimal(value, format="#,##0.###")


@bp.context_processor
def tender_labels() -> dict[str, object]:
    return {
        "tender_status_labels": TENDER_STATUS_LABELS,
        "tender_actions": TENDER_ACTIONS,
        "contract_nature_labels": CONTRACT_NATURE_LABELS,
        "criterion_kind_labels": CRITERION_KIND_LABELS,
        "scoring_method_labels": SCORING_METHOD_LABELS,
        "procedure_labels": PROCEDURE_LABELS,
        "participant_status_labels": PARTICIPANT_STATUS_LABELS,
        "cancellation_reason_labels": CANCELLATION_REASON_LABELS,
        "tender_quantity": quantity,
        "optional_url": optional_url,
    }


def _tender_for(tender_id: int) -> Tender:
    """A tender the user may see internally; for everyone else it does not exist (404)."""
    tender = db.session.get(Tender, tender_id)
    if tender is None or not can_view_tender(current_user, tender):
        abort(404)
    return tender


def _managed(tender_id: int) -> Tender:
    tender = _tender_for(tender_id)
    if not can_manage_tender(current_user, tender):
        abort(403)
    return tender


def _lot_of(tender: Tender, lot_id: int) -> Lot:
    lot = next((lot for lot in tender.lots if lot.id == lot_id), None)
    if lot is None:
        abort(404)
    return lot


# --- list ------------------------------------------------------------------------------------


@bp.get("/vergaben/")
@login_required
def my_tenders() -> ResponseReturnValue:
    """The tenders the user's municipality leads or takes part in, by status."""
    if not can_list_tenders(current_user):
        abort(403)
    return render_template(
        "tenders/my_tenders.html",
        groups=services.tenders_for(current_user),
        can_create=can_create_tender(current_user),
    )


# --- the tender ------------------------------------------------------------------------------


def _tender_data(form: TenderForm) -> services.TenderData:
    values: dict[str, Any] = {}
    for item in fields(services.TenderData):
        value = form[item.name].data
        values[item.name] = "" if value is None and item.name != "planned_publication_date" else value
    values["contract_nature"] = ContractNature(form.contract_nature.data)
    return services.TenderData(**values)


def _tender_values(tender: Tender) -> dict[str, Any]:
    values = {item.name: getattr(tender, item.name) for item in fields(services.TenderData)}
    values["contract_nature"] = tender.contract_nature.value
    return values


def _new_tender_defaults() -> dict[str, Any]:
    organisation = current_user.organisation
    review_body = services.review_body_for(organisation)
    return {
        "contact_email": organisation.email or current_user.email,
        "nuts_code": organisation.nuts_code or "",
        "place_of_performance": organisation.city,
        "duration_months": 12,
        "bid_validity_months": 3,
        "review_body_name": review_body.name if review_body else "",
        "review_body_city": review_body.city if review_body else "",
    }


def _render_tender_form(form: TenderForm, tender: Optional[Tender], status: int = 200) -> ResponseReturnValue:
    organisation = tender.lead_organisation if tender else current_user.organisation
    return (
        render_template(
            "tenders/form.html",
            form=form,
            tender=tender,
            review_body=services.review_body_for(organisation),
        ),
        status,
    )


@bp.route("/vergaben/neu", methods=["GET", "POST"])
@login_required
def new_tender() -> ResponseReturnValue:
    """Start a tender from scratch; the user's municipality becomes the lead authority."""
    if not can_create_tender(current_user):
        abort(403)
    form = TenderForm(data=_new_tender_defaults() if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            tender = services.create_tender(current_user, _tender_data(form), utcnow())
        except DomainError as err:
            flash(err.message, "danger")
            return _render_tender_form(form, None, err.status_code)
        flash(_("Die Ausschreibung „%(title)s“ ist als Entwurf angelegt.", title=tender.title), "success")
        return redirect(url_for("tenders.detail", tender_id=tender.id))
    return _render_tender_form(form, None, 422 if form.errors else 200)


@bp.route("/vergaben/<int:tender_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def edit_tender(tender_id: int) -> ResponseReturnValue:
    tender = _managed(tender_id)
    form = TenderForm(data=_tender_values(tender) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_tender(current_user, tender, _tender_data(form), utcnow())
        except DomainError as err:
            flash(err.message, "danger")
            return _render_tender_form(form, tender, err.status_code)
        flash(_("Die Ausschreibung ist gespeichert."), "success")
        return redirect(url_for("tenders.detail", tender_id=tender.id))
    return _render_tender_form(form, tender, 422 if form.errors else 200)


@bp.get("/vergaben/<int:tender_id>")
@login_required
def detail(tender_id: int) -> ResponseReturnValue:
    tender = _tender_for(tender_id)
    now = utcnow()
    services.refresh_tender(tender, now)
    manager = can_manage_tender(current_user, tender)
    return render_template(
        "tenders/detail.html",
        tender=tender,
        manager=manager,
        actions=services.tender_actions(current_user, tender, now),
        action_form=ActionForm(),
        lots_editable=manager and tender.status in LOTS_EDITABLE,
        criteria_editable=manager and tender.status in CRITERIA_EDITABLE,
        procedure_editable=manager and tender.status in services.PROCEDURE_STATES,
        editable=manager and tender.status in services.PROCEDURE_STATES and tender.published_at is None,
        cancellable=manager and tender.status in CANCELLABLE,
        participants_url=optional_url("tenders.participants", tender_id=tender.id),
        documents_url=optional_url("tenders.documents", tender_id=tender.id),
        notice_url=optional_url("tenders.notice_preview", tender_id=tender.id),
    )


# --- lots ------------------------------------------------------------------------------------


def _lot_data(form: LotForm) -> services.LotData:
    return services.LotData(
        title=form.title.data or "",
        description=form.description.data or "",
        cpv_code=form.cpv_code.data or "",
        unit=form.unit.data or "",
        unit_price=form.unit_price.data,
        nuts_code=form.nuts_code.data or "",
        place_of_performance=form.place_of_performance.data or "",
        options_value=form.options_value.data if form.options_value.data is not None else Decimal(0),
    )


def _lots_closed(tender: Tender) -> Optional[ResponseReturnValue]:
    if tender.status in LOTS_EDITABLE:
        return None
    flash(
        _("Lose können nur geändert werden, solange die Teilnehmenden noch nicht festgeschrieben sind."),
        "warning",
    )
    return redirect(url_for("tenders.detail", tender_id=tender.id))


@bp.route("/vergaben/<int:tender_id>/lose/neu", methods=["GET", "POST"])
@login_required
def new_lot(tender_id: int) -> ResponseReturnValue:
    tender = _managed(tender_id)
    if request.method == "GET" and (closed := _lots_closed(tender)) is not None:
        return closed
    defaults = {
        "cpv_code": tender.cpv_code,
        "nuts_code": tender.nuts_code,
        "place_of_performance": tender.place_of_performance,
    }
    form = LotForm(data=defaults if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            lot = services.add_lot(current_user, tender, _lot_data(form), utcnow())
        except DomainError as err:
            flash(err.message, "danger")
            return render_template(
                "tenders/lot_form.html", form=form, tender=tender, lot=None
            ), err.status_code
        flash(_("Los %(number)d ist angelegt.", number=lot.number), "success")
        return redirect(url_for("tenders.detail", tender_id=tender.id, _anchor="h-lots"))
    return render_template("tenders/lot_form.html", form=form, tender=tender, lot=None), (
        422 if form.errors else 200
    )


@bp.route("/vergaben/<int:tender_id>/lose/<int:lot_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def edit_lot(tender_id: int, lot_id: int) -> ResponseReturnValue:
    tender = _managed(tender_id)
    lot = _lot_of(tender, lot_id)
    if request.method == "GET" and (closed := _lots_closed(tender)) is not None:
        return closed
    form = LotForm(obj=lot if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_lot(current_user, lot, _lot_data(form), utcnow())
        except DomainError as err:
            flash(err.message, "danger")
            return render_template(
                "tenders/lot_form.html", form=form, tender=tender, lot=lot
            ), err.status_code
        flash(_("Los %(number)d ist gespeichert.", number=lot.number), "success")
        return redirect(url_for("tenders.detail", tender_id=tender.id, _anchor="h-lots"))
    return render_template("tenders/lot_form.html", form=form, tender=tender, lot=lot), (
        422 if form.errors else 200
    )


@bp.post("/vergaben/<int:tender_id>/lose/<int:lot_id>/loeschen")
@login_required
def delete_lot(tender_id: int, lot_id: int) -> ResponseReturnValue:
    tender = _managed(tender_id)
    lot = _lot_of(tender, lot_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    number = lot.number
    services.delete_lot(current_user, lot, utcnow())
    flash(_("Los %(number)d ist gelöscht.", number=number), "success")
    return redirect(url_for("tenders.detail", tender_id=tender.id, _anchor="h-lots"))


# --- award criteria --------------------------------------------------------------------------


def _criteria_data(form: CriteriaForm) -> list[services.CriterionData]:
    return [
        services.CriterionData(
            kind=CriterionKind(row.kind.data),
            name=row.name.data or "",
            weight=row.weight.data,
            scoring_method=ScoringMethod(row.scoring_method.data),
            description=row.description.data or "",
        )
        for row in form.filled_rows()
    ]


def _criteria_form(tender: Tender) -> CriteriaForm:
    if request.method == "POST":
        return CriteriaForm()
    rows: list[dict[str, Any]] = [
        {
            "kind": criterion.kind.value,
            "name": criterion.name,
            "description": criterion.description,
            "weight": criterion.weight,
            "scoring_method": criterion.scoring_method.value,
        }
        for criterion in tender.criteria
    ]
    if not rows:
        rows = [{"kind": "price", "name": _("Preis"), "scoring_method": "lowest_price_ratio"}]
    blanks = min(EMPTY_CRITERION_ROWS, services.MAX_CRITERIA - len(rows))
    return CriteriaForm(data={"criteria": rows + [{}] * blanks})


@bp.route("/vergaben/<int:tender_id>/kriterien", methods=["GET", "POST"])
@login_required
def criteria(tender_id: int) -> ResponseReturnValue:
    """The award criteria with their weights (§58 VgV), all in one form."""
    tender = _managed(tender_id)
    editable = tender.status in CRITERIA_EDITABLE and tender.published_at is None
    if request.method == "POST":
        # §58 VgV: after publication nothing about the criteria changes, whatever is posted.
        services.ensure_criteria_editable(tender)
    form = _criteria_form(tender)
    if editable and form.validate_on_submit():
        try:
            services.set_criteria(current_user, tender, _criteria_data(form), utcnow())
        except DomainError as err:
            flash(err.message, "danger")
            return render_template(
                "tenders/criteria.html", form=form, tender=tender, editable=editable
            ), err.status_code
        flash(_("Die Zuschlagskriterien sind gespeichert."), "success")
        return redirect(url_for("tenders.detail", tender_id=tender.id, _anchor="h-criteria"))
    return render_template("tenders/criteria.html", form=form, tender=tender, editable=editable), (
        422 if form.errors else 200
    )


# --- value and procedure ---------------------------------------------------------------------


@bp.route("/vergaben/<int:tender_id>/verfahren", methods=["GET", "POST"])
@login_required
def procedure(tender_id: int) -> ResponseReturnValue:
    """The advisor: estimated value, threshold, procedure, small lots, bid deadline (§§3, 15 VgV)."""
    tender = _managed(tender_id)
    now = utcnow()
    editable = tender.status in services.PROCEDURE_STATES
    day = services.planned_publication_day(tender, now)
    advice = services.advice_for(tender, day)
    allowed = advice.allowed_procedures()
    deadlines = [
        {
            "procedure": item,
            "earliest": advisor.earliest_bid_deadline(item, day),
            "proposed": advisor.proposed_bid_deadline(item, day),
            "rule": find_rule(item, day),
        }
        for item in allowed
    ]
    if request.method == "GET":
        chosen = tender.procedure if tender.procedure in allowed else advice.procedure
        deadline = tender.bid_deadline or advisor.proposed_bid_deadline(chosen, day)
        local = deadline.astimezone(advisor.BERLIN) if deadline else None
        form = ProcedureForm(
            data={
                "procedure": chosen.value,
                "use_small_lots": tender.use_small_lots and bool(advice.small_lots),
                "deadline_date": local.date() if local else None,
                "deadline_time": local.time().replace(tzinfo=None) if local else None,
            }
        )
    else:
        form = ProcedureForm()
    form.procedure.choices = [SelectChoice(item.value, PROCEDURE_LABELS[item]) for item in allowed]
    status = 200
    if request.method == "POST":
        if not editable:
            raise Conflict(_("Verfahren und Angebotsfrist stehen nach der Veröffentlichung fest."))
        if form.validate_on_submit():
            bid_deadline = form.bid_deadline()
            assert bid_deadline is not None
            try:
                warning = services.choose_procedure(
                    current_user,
                    tender,
                    Procedure(form.procedure.data),
                    bid_deadline,
                    bool(form.use_small_lots.data) and bool(advice.small_lots),
                    now,
                )
            except DomainError as err:
                flash(err.message, "danger")
                status = err.status_code
            else:
                if warning:
                    flash(warning, "warning")
                flash(_("Verfahren und Angebotsfrist sind gespeichert."), "success")
                return redirect(url_for("tenders.detail", tender_id=tender.id, _anchor="h-procedure"))
        else:
            status = 422
    return render_template(
        "tenders/procedure.html",
        tender=tender,
        form=form,
        editable=editable,
        advice=advice,
        reasons=advisor.explain(advice),
        deadlines=deadlines,
        day=day,
    ), status


# --- state changes ---------------------------------------------------------------------------


@bp.post("/vergaben/<int:tender_id>/aktion/<trigger>")
@login_required
def action(tender_id: int, trigger: str) -> ResponseReturnValue:
    """One button per trigger: collect, back to draft, freeze, unfreeze, publish."""
    tender = _tender_for(tender_id)
    if trigger not in TENDER_ACTIONS:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.change_tender_status(current_user, tender, trigger, utcnow())
    flash(str(TENDER_ACTIONS[trigger][2]), "success")
    return redirect(url_for("tenders.detail", tender_id=tender.id))


@bp.route("/vergaben/<int:tender_id>/aufheben", methods=["GET", "POST"])
@login_required
def cancel(tender_id: int) -> ResponseReturnValue:
    """Aufhebung (§63 VgV): a reason from the legal list and an explanation for everyone."""
    tender = _managed(tender_id)
    now = utcnow()
    services.check_can_fire(tender, "cancel", now)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            services.cancel_tender(
                current_user, tender, CancellationReason(form.reason.data), form.text.data or "", now
            )
        except DomainError as err:
            flash(err.message, "danger")
            return render_template("tenders/cancel.html", form=form, tender=tender), err.status_code
        flash(_("Die Ausschreibung ist aufgehoben. Alle Beteiligten sind benachrichtigt."), "success")
        return redirect(url_for("tenders.detail", tender_id=tender.id))
    return render_template("tenders/cancel.html", form=form, tender=tender), 422 if form.errors else 200
