"""The auditor's workspace (/pruefung), the audit grants of a procedure (/vergaben/<id>/pruefrechte)
and the Kompetenzzentrum's overview (/kompetenzzentrum/uebersicht).

Who may do what is `procurement.records.permissions`. The workspace only reads; the grants page
is for the lead's officers (a procedure someone may not read at all is a 404, not a 403).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from babel.numbers import format_currency, format_decimal
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.routing import BuildError
from wtforms import SelectChoice

from procurement.accounts.models import Organisation, User
from procurement.database import utcnow
from procurement.extensions import db
from procurement.records import grants as grant_service
from procurement.records.blueprint import bp
from procurement.records.models import AuditGrant
from procurement.records.overview import Series, bar_chart, overview
from procurement.records.permissions import (
    can_grant_audit,
    can_read_record,
    can_use_workspace,
    can_view_overview,
)
from procurement.records.workspace import Filters, SortKey, ValueBasis, workspace_page
from procurement.records.workspace_forms import GrantForm, RevokeForm, WorkspaceFilterForm
from procurement.reference.deadlines import Procedure
from procurement.tenders.models import Tender
from procurement.tenders.permissions import can_view_tender
from workflows.tender import TenderStatus

# the record's pages, built by the other records views; a link falls back to the URL they will have
_RECORD_FALLBACKS = {
    "records.record": "/vergaben/{id}/akte",
    "records.vermerk_pdf": "/vergaben/{id}/vergabevermerk.pdf",
    "records.akte_zip": "/vergaben/{id}/vergabeakte.zip",
}


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global()
def record_url(endpoint: str, tender_id: int) -> Optional[str]:
    """The URL of a record page of a procedure (None if that page does not exist)."""
    try:
        return url_for(endpoint, tender_id=tender_id)
    except BuildError:
        fallback = _RECORD_FALLBACKS.get(endpoint)
        return fallback.format(id=tender_id) if fallback and endpoint == "records.record" else None


@bp.app_template_global()
def may_grant_audit(tender: Tender) -> bool:
    """Whether the signed-in user may grant auditors access (the link on the tender page)."""
    return can_grant_audit(current_user, tender)


def _filters(form: WorkspaceFilterForm) -> Filters:
    """The filters the query string names; a field with an error is left out (and shown)."""
    form.validate()

    def ok(name: str) -> bool:
        field = getattr(form, name)
        return not field.errors and field.data not in (None, "")

    year = int(form.jahr.data) if ok("jahr") and str(form.jahr.data).isdigit() else None
    try:
        sort = SortKey(form.sortierung.data)
    except ValueError:
        sort = SortKey.date_desc
    try:
        basis = ValueBasis(form.wertbasis.data)
    except ValueError:
        basis = ValueBasis.awarded
    procedure = Procedure(form.verfahren.data) if ok("verfahren") else None
    status = TenderStatus(form.status.data) if ok("status") else None
    return Filters(
        year=year,
        value_min=Decimal(form.wert_min.data) if ok("wert_min") else None,
        value_max=Decimal(form.wert_max.data) if ok("wert_max") else None,
        value_basis=basis,
        procedure=procedure,
        cpv=form.cpv.data.strip() if ok("cpv") else "",
        status=status,
        sort=sort,
        page=form.seite.data if ok("seite") else 1,
    )


@bp.get("/pruefung")
@login_required
def workspace() -> ResponseReturnValue:
    """The procedures the auditor may read (after award or cancellation), filtered and paged."""
    if not can_use_workspace(current_user):
        abort(403)
    form = WorkspaceFilterForm(request.args)
    filters = _filters(form)
    page = workspace_page(current_user, filters)
    form.jahr.choices = [SelectChoice("", _("alle"))] + [SelectChoice(str(y), str(y)) for y in page.years]
    args = {key: value for key, value in request.args.items() if key not in ("seite", "submit") and value}
    return _private(
        Response(
            render_template(
                "records/workspace.html",
                form=form,
                page=page,
                filters=filters,
                page_args=args,
                ValueBasis=ValueBasis,
            )
        )
    )


# --- grants ---------------------------------------------------------------------------------


def _tender_for_granting(tender_id: int) -> Tender:
    tender = db.get_or_404(Tender, tender_id)
    if not can_grant_audit(current_user, tender):
        abort(403 if can_view_tender(current_user, tender) or can_read_record(current_user, tender) else 404)
    return tender


def _grant_form(tender: Tender) -> GrantForm:
    form = GrantForm(prefix="grant")
    form.organisation_id.choices = [
        SelectChoice(org.id, org.name) for org in grant_service.grantable_organisations(tender)
    ]
    return form


def _render_grants(tender: Tender, form: GrantForm, status: int = 200) -> Response:
    grants = grant_service.grants_of(tender)
    revokers = {
        user.id: user
        for user in db.session.scalars(
            select(User).where(User.id.in_([g.revoked_by_id for g in grants if g.revoked_by_id]))
        )
    }
    revoke_forms = {g.id: RevokeForm(prefix=f"revoke{g.id}", grant_id=g.id) for g in grants if g.active}
    response = Response(
        render_template(
            "records/grants.html",
            tender=tender,
            grants=grants,
            revokers=revokers,
            form=form,
            revoke_forms=revoke_forms,
        ),
        status=status,
    )
    return _private(response)


@bp.route("/vergaben/<int:tender_id>/pruefrechte", methods=["GET", "POST"])
@login_required
def grants(tender_id: int) -> ResponseReturnValue:
    """The lead's officers grant other organisations' auditors access, and revoke it."""
    tender = _tender_for_granting(tender_id)
    form = _grant_form(tender)
    if request.method == "GET":
        return _render_grants(tender, form)
    revoke_key = next(
        (key for key in request.form if key.startswith("revoke") and key.endswith("-grant_id")), None
    )
    now = utcnow()
    try:
        if revoke_key is not None:
            revoke = RevokeForm(prefix=revoke_key.removesuffix("-grant_id"))
            if not revoke.validate_on_submit() or not str(revoke.grant_id.data).isdigit():
                abort(400)
            grant = db.session.get(AuditGrant, int(revoke.grant_id.data))
            if grant is None or grant.tender_id != tender.id:
                abort(404)
            grant_service.revoke_audit(current_user, tender, grant, now)
            flash(_("Das Prüfrecht von %(name)s ist entzogen.", name=grant.organisation.name), "success")
        else:
            if not form.validate_on_submit():
                if form.errors.get("csrf_token"):
                    abort(400)
                return _render_grants(tender, form, 422)
            organisation = db.get_or_404(Organisation, form.organisation_id.data)
            grant_service.grant_audit(current_user, tender, organisation, now)
            flash(_("%(name)s hat jetzt ein Prüfrecht für diese Vergabe.", name=organisation.name), "success")
    except grant_service.GrantError as error:
        db.session.rollback()
        flash(str(error), "danger")
        tender = _tender_for_granting(tender_id)
        return _render_grants(tender, _grant_form(tender), error.status)
    db.session.commit()
    return redirect(url_for("records.grants", tender_id=tender.id))


# --- the Kompetenzzentrum's overview ---------------------------------------------------------


def _money(value: object) -> str:
    return format_currency(
        Decimal(str(value)), "EUR", format="#,##0\xa0¤", currency_digits=False, locale=get_locale()
    )


@bp.get("/kompetenzzentrum/uebersicht", endpoint="overview")
@login_required
def overview_page() -> ResponseReturnValue:
    """Procedures per year, joint against single, participants, estimated against awarded values."""
    if not can_view_overview(current_user):
        abort(403)
    figures = overview()
    years = [str(y.year) for y in figures.years]
    procedures_chart = bar_chart(
        "chart-procedures",
        _("Vergaben je Jahr"),
        _("Abgeschlossene Vergaben je Jahr, gemeinsam und einzeln; die Zahlen stehen in der Tabelle."),
        years,
        [
            Series(_("gemeinsam (ab 2 Kommunen)"), [y.joint for y in figures.years], "#0b5ed7"),
            Series(_("einzeln"), [y.single for y in figures.years], "#6c757d"),
        ],
        lambda value: format_decimal(value, format="#,##0"),
    )
    sizes = list(figures.participants)
    participants_chart = bar_chart(
        "chart-participants",
        _("Teilnehmende Kommunen je gemeinsamer Vergabe"),
        _("Wie viele gemeinsame Vergaben wie viele teilnehmende Kommunen hatten."),
        [str(size) for size in sizes],
        [Series(_("gemeinsame Vergaben"), [figures.participants[s] for s in sizes], "#0b5ed7")],
        lambda value: format_decimal(value, format="#,##0"),
    )
    values_chart = bar_chart(
        "chart-values",
        _("Geschätzte und vergebene Auftragswerte je Jahr"),
        _("Summe der geschätzten Auftragswerte gegen die Summe der Zuschlagswerte der vergebenen Verfahren."),
        years,
        [
            Series(_("geschätzt"), [y.estimated for y in figures.years], "#6c757d"),
            Series(_("vergeben"), [y.awarded for y in figures.years], "#198754"),
        ],
        _money,
    )
    return _private(
        Response(
            render_template(
                "records/overview.html",
                figures=figures,
                procedures_chart=procedures_chart,
                participants_chart=participants_chart,
                values_chart=values_chart,
            )
        )
    )
