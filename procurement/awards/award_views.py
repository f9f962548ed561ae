"""The award pages: /vergaben/<id>/zuschlag (per lot: proposal, §134 letters, challenge,
Zuschlag, cancellation) and the vendor's letters (/informationsschreiben).

The lead's officers act; the participants' officers and requesters read the award once it is
proposed; auditors read after it is final. Members of the tender without access get 403,
everyone else 404 (they do not learn that the tender exists internally).
"""

from __future__ import annotations

from typing import Any, Optional

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from procurement.accounts.forms import ActionForm
from procurement.accounts.models import Role
from procurement.awards import award as service
from procurement.awards import letters as letter_service
from procurement.awards import notice as award_notice
from procurement.awards.award_forms import (
    CancelLotForm,
    ChallengeForm,
    FinaliseForm,
    LettersForm,
    ProposeForm,
    ResolveForm,
)
from procurement.awards.blueprint import bp
from procurement.awards.models import InformationLetter
from procurement.awards.permissions import (
    AWARDED_STATES,
    can_manage_award,
    can_view_award,
    can_view_evaluation,
    can_view_tender_contracts,
)
from procurement.database import utcnow
from procurement.errors import Conflict
from procurement.extensions import db
from procurement.tenders.labels import CANCELLATION_REASON_LABELS
from procurement.tenders.models import CancellationReason, Tender
from procurement.tenders.permissions import can_view_tender


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global()
def award_links(tender: Tender) -> dict[str, bool]:
    """Which evaluation and award pages the current user reaches from the tender page."""
    return {
        "evaluation": can_view_evaluation(current_user, tender),
        "award": can_view_evaluation(current_user, tender) or can_view_award(current_user, tender),
        "contracts": tender.status in AWARDED_STATES and can_view_tender_contracts(current_user, tender),
    }


def _tender_for_reading(tender_id: int) -> Tender:
    tender = db.get_or_404(Tender, tender_id)
    if not (can_view_evaluation(current_user, tender) or can_view_award(current_user, tender)):
        abort(403 if can_view_tender(current_user, tender) else 404)
    return tender


def _tender_for_managing(tender_id: int) -> Tender:
    tender = db.get_or_404(Tender, tender_id)
    if not can_manage_award(current_user, tender):
        abort(403 if can_view_tender(current_user, tender) else 404)
    return tender


def _propose_form(view: service.LotView) -> ProposeForm:
    form = ProposeForm(formdata=None, prefix=f"lot{view.lot.id}-propose")
    ranking = view.readiness.result.ranking if view.readiness else None
    names = (
        {offer.bid_id: offer.bid.organisation.name for offer in view.readiness.result.offers}
        if view.readiness
        else {}
    )
    form.bid_id.choices = (
        [
            SelectChoice(row.bid_id, f"{names.get(row.bid_id, row.bid_id)} ({row.total} Punkte)")
            for row in ranking.first_ranked
        ]
        if ranking is not None
        else []
    )
    if view.award is not None:
        form.version.data = str(view.award.version)
        form.bid_id.data = view.award.bid_id
        form.reasons.data = view.award.reasons
    return form


def _forms(view: service.LotView) -> dict[str, Any]:
    version = str(view.award.version) if view.award is not None else ""
    prefix = f"lot{view.lot.id}"
    forms: dict[str, Any] = {}
    if "propose" in view.actions:
        forms["propose"] = _propose_form(view)
    for name, kind in (
        ("letters", LettersForm),
        ("finalise", FinaliseForm),
        ("challenge", ChallengeForm),
        ("resolve", ResolveForm),
        ("cancel", CancelLotForm),
    ):
        if name in view.actions:
            form = kind(formdata=None, prefix=f"{prefix}-{name}")
            form.version.data = version
            forms[name] = form
    return forms


def _render(tender: Tender, failed: Optional[tuple[int, str, Any]] = None, status: int = 200) -> Response:
    now = utcnow()
    manager = can_manage_award(current_user, tender)
    with_ranking = can_view_evaluation(current_user, tender)
    views = service.award_overview(current_user, tender, now, with_ranking)
    forms = {view.lot.id: _forms(view) if manager else {} for view in views}
    if failed is not None:
        lot_id, name, form = failed
        forms.setdefault(lot_id, {})[name] = form
    response = Response(
        render_template(
            "awards/award_overview.html",
            tender=tender,
            views=views,
            forms=forms,
            manager=manager,
            with_ranking=with_ranking,
            status_labels=service.AWARD_STATUS_LABELS,
            cancellation_labels=CANCELLATION_REASON_LABELS,
            now=now,
            award_notice=award_notice.issued_award_notice(tender),
            award_notice_due=manager and tender.status in AWARDED_STATES,
            notice_form=ActionForm(prefix="notice"),
        ),
        status=status,
    )
    return _private(response)


@bp.get("/vergaben/<int:tender_id>/zuschlag")
@login_required
def award_overview(tender_id: int) -> ResponseReturnValue:
    """Per lot: the award and its state; for the lead's officers the ranking and the actions."""
    return _render(_tender_for_reading(tender_id))


def _back(tender: Tender) -> ResponseReturnValue:
    return redirect(url_for("awards.award_overview", tender_id=tender.id))


@bp.post("/vergaben/<int:tender_id>/zuschlag/bekanntmachung")
@login_required
def issue_award_notice(tender_id: int) -> ResponseReturnValue:
    """Issue the award notice again after it failed at the Zuschlag (e.g. a vendor's size was
    missing): the Zuschlag stands, the notice is due within 30 days (§39 VgV)."""
    tender = _tender_for_managing(tender_id)
    if not ActionForm(prefix="notice").validate_on_submit():
        abort(400)
    if tender.status not in AWARDED_STATES:
        raise Conflict(_("Die Vergabebekanntmachung folgt dem Zuschlag aller Lose."))
    award_notice.issue_award_notice(current_user, tender, utcnow())
    flash(_("Die Vergabebekanntmachung ist erstellt."), "success")
    return _back(tender)


class _FormRefused(Exception):
    """A lot action's form did not validate; ``response`` is the answer (400 or the page, 422)."""

    def __init__(self, response: ResponseReturnValue) -> None:
        self.response = response


def _lot_action(
    tender_id: int, lot_id: int, form_class: type, name: str, prepare: Any = None
) -> tuple[Tender, Any, Any]:
    """The tender (lead officers only), the lot and the validated form of a lot action.

    A missing CSRF token is 400; any other invalid form comes back on the award page (422) with
    its errors. Forms of a button only (no fields of their own) are 400 either way.
    """
    tender = _tender_for_managing(tender_id)
    lot = service.lot_of(tender, lot_id)
    form = form_class(prefix=f"lot{lot.id}-{name}")
    if name == "propose":
        # any bid of the lot passes the form; the service decides whether it may win (rank 1)
        form.bid_id.choices = [
            SelectChoice(offer.bid_id, str(offer.bid_id)) for offer in service.lot_offers(lot)
        ]
    if not form.validate_on_submit():
        if form.errors.get("csrf_token") or name in _BUTTON_FORMS:
            abort(400)
        raise _FormRefused(_render(tender, (lot.id, name, form), 422))
    return tender, lot, form


_BUTTON_FORMS = frozenset({"letters", "finalise"})


def _offer_choices(form: ProposeForm, lot: Any) -> None:
    # any bid of the lot passes the form; the service decides whether it may win (rank 1)
    form.bid_id.choices = [SelectChoice(offer.bid_id, str(offer.bid_id)) for offer in service.lot_offers(lot)]


@bp.errorhandler(_FormRefused)
def _form_refused(err: _FormRefused) -> ResponseReturnValue:
    return err.response


@bp.post("/vergaben/<int:tender_id>/zuschlag/lose/<int:lot_id>/vorschlag")
@login_required
def propose_award(tender_id: int, lot_id: int) -> ResponseReturnValue:
    tender, lot, form = _lot_action(tender_id, lot_id, ProposeForm, "propose", _offer_choices)
    service.propose_award(
        current_user,
        tender,
        lot,
        form.bid_id.data,
        form.reasons.data or "",
        utcnow(),
        tie_reason=form.tie_reason.data or "",
        version=form.version_number,
    )
    flash(_("Der Zuschlagsvorschlag für Los %(number)s ist gespeichert.", number=lot.number), "success")
    return _back(tender)


@bp.post("/vergaben/<int:tender_id>/zuschlag/lose/<int:lot_id>/information")
@login_required
def send_letters(tender_id: int, lot_id: int) -> ResponseReturnValue:
    tender, lot, form = _lot_action(tender_id, lot_id, LettersForm, "letters")
    award = service.send_letters(current_user, tender, lot, utcnow(), version=form.version_number)
    if award.unsuccessful_bidders:
        flash(
            _(
                "Die Information nach § 134 GWB an %(count)s Bieter ist geschrieben und wird versandt. "
                "Die Wartefrist beginnt mit dem Versand.",
                count=award.unsuccessful_bidders,
            ),
            "success",
        )
    else:
        flash(_("Es gibt keinen nicht berücksichtigten Bieter: der Zuschlag kann erteilt werden."), "success")
    return _back(tender)


@bp.post("/vergaben/<int:tender_id>/zuschlag/lose/<int:lot_id>/nachpruefung")
@login_required
def challenge_lot(tender_id: int, lot_id: int) -> ResponseReturnValue:
    tender, lot, form = _lot_action(tender_id, lot_id, ChallengeForm, "challenge")
    service.challenge_lot(
        current_user, tender, lot, form.note.data or "", utcnow(), version=form.version_number
    )
    flash(
        _("Das Nachprüfungsverfahren ist eingetragen: Los %(number)s ist gesperrt.", number=lot.number),
        "success",
    )
    return _back(tender)


@bp.post("/vergaben/<int:tender_id>/zuschlag/lose/<int:lot_id>/nachpruefung/entscheidung")
@login_required
def resolve_challenge(tender_id: int, lot_id: int) -> ResponseReturnValue:
    tender, lot, form = _lot_action(tender_id, lot_id, ResolveForm, "resolve")
    service.resolve_challenge(
        current_user,
        tender,
        lot,
        form.outcome.data == "new_evaluation",
        form.note.data or "",
        utcnow(),
        period_end=form.period_end.data,
        version=form.version_number,
    )
    flash(_("Die Entscheidung ist eingetragen."), "success")
    return _back(tender)


@bp.post("/vergaben/<int:tender_id>/zuschlag/lose/<int:lot_id>/erteilen")
@login_required
def finalise_lot(tender_id: int, lot_id: int) -> ResponseReturnValue:
    tender, lot, form = _lot_action(tender_id, lot_id, FinaliseForm, "finalise")
    service.finalise_lot(current_user, tender, lot, utcnow(), version=form.version_number)
    flash(_("Der Zuschlag für Los %(number)s ist erteilt.", number=lot.number), "success")
    return _back(tender)


@bp.post("/vergaben/<int:tender_id>/zuschlag/lose/<int:lot_id>/aufhebung")
@login_required
def cancel_lot(tender_id: int, lot_id: int) -> ResponseReturnValue:
    tender, lot, form = _lot_action(tender_id, lot_id, CancelLotForm, "cancel")
    service.cancel_lot(
        current_user,
        tender,
        lot,
        CancellationReason(form.reason.data),
        form.text.data or "",
        utcnow(),
        version=form.version_number,
    )
    flash(_("Los %(number)s ist aufgehoben.", number=lot.number), "success")
    if tender.status.value == "cancelled":
        return redirect(url_for("tenders.detail", tender_id=tender.id))
    return _back(tender)


# --- the vendor's letters -------------------------------------------------------------------------


@bp.get("/informationsschreiben")
@login_required
def my_letters() -> ResponseReturnValue:
    """The §134 GWB letters addressed to the vendor's organisation (only its own)."""
    if not current_user.has_role(Role.vendor):
        abort(404)
    letters = letter_service.letters_for(current_user)
    return _private(Response(render_template("awards/letters.html", letters=letters)))


@bp.get("/informationsschreiben/<int:letter_id>.pdf")
@login_required
def letter_pdf(letter_id: int) -> ResponseReturnValue:
    """The stored letter as written (checked against its SHA-256)."""
    letter = db.session.get(InformationLetter, letter_id)
    pdf = letter_service.letter_pdf(current_user, letter, utcnow())
    response = Response(pdf, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=f"information-134-gwb-{letter_id}.pdf")
    return _private(response)
