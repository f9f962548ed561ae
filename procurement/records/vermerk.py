"""The Vergabevermerk (procurement record, §8 VgV): the whole procedure read from the database into
plain dataclasses, section by section, for the PDF (`vermerk_pdf`) and the record page alike.

Every section answers one item of §8(2) VgV or of the record's list (see domain.md "Records"):
nothing is typed in for the Vermerk, it is generated from the procedure's rows and its audit
entries at any time. Items the platform cannot know (reasons for not dividing into lots,
conflicts of interest, subcontracting) come from the officers' notes of that topic, else the
section says "nicht angegeben" / "nicht bekannt". Prices of bids appear only after the opening
(§55 VgV): before it, the database holds none in clear anyway (offers are made at the opening).

Texts are German source strings (`_()`): the PDF is built under ``force_locale("de")``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional, Union
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.numbers import format_currency as babel_currency
from babel.numbers import format_decimal as babel_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from procurement.accounts.models import User
from procurement.audit.models import AuditEntry
from procurement.awards.award import EXCLUSION_GROUND_LABELS
from procurement.awards.models import (
    Award,
    BidReview,
    Contract,
    DocumentRequest,
    InformationLetter,
    Offer,
)
from procurement.awards.ranking import rank
from procurement.bids.labels import BID_STATUS_LABELS
from procurement.bids.models import Bid, Opening
from procurement.extensions import db
from procurement.invoices.models import Invoice, InvoiceKind
from procurement.records.chain import tender_entries
from procurement.records.models import RecordNote
from procurement.tenders.labels import (
    CANCELLATION_REASON_LABELS,
    CONTRACT_NATURE_LABELS,
    CRITERION_KIND_LABELS,
    PARTICIPANT_STATUS_LABELS,
    PROCEDURE_LABELS,
    SCORING_METHOD_LABELS,
    TENDER_STATUS_LABELS,
)
from procurement.tenders.models import Tender
from procurement.tenders.services import advice_for, berlin_today
from workflows.award import AwardStatus
from workflows.bid import BidStatus
from workflows.tender import TenderStatus

BERLIN = ZoneInfo("Europe/Berlin")

# note topics: the officer picks one; the text is stored with the topic's prefix, so the note
# stays one plain text (never edited) and lands in the section it answers
NOTE_TOPICS = ("general", "lots", "conflicts", "subcontracting")
TOPIC_PREFIXES = {
    "lots": "Losaufteilung: ",
    "conflicts": "Interessenkonflikt: ",
    "subcontracting": "Unteraufträge: ",
}

# prices are known to the lead from the opening on (§55 VgV)
PRICES_KNOWN = frozenset(
    {
        TenderStatus.evaluation,
        TenderStatus.award_proposed,
        TenderStatus.standstill,
        TenderStatus.awarded,
        TenderStatus.contracted,
        TenderStatus.closed,
    }
)

Cell = str


@dataclass(frozen=True)
class Table:
    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    widths: tuple[float, ...] = ()  # shares of the width, for the PDF


@dataclass(frozen=True)
class Para:
    text: str
    source: str = ""  # the § it rests on, printed after the text


Block = Union[Para, Table]


@dataclass(frozen=True)
class Section:
    key: str  # stable id (anchor on the page, checked by tests)
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ChainHead:
    seq: int
    hash: str
    occurred_at: datetime


@dataclass(frozen=True)
class Vermerk:
    """Everything the Vergabevermerk states, in order."""

    tender_id: int
    title: str
    authority: str
    reference: str
    procedure_uuid: str
    status: str
    head: Optional[ChainHead]  # the audit chain's newest entry when the Vermerk was generated
    facts: tuple[tuple[str, str], ...]  # the title page
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def text(self) -> str:
        """All texts in reading order (what the PDF prints, without page furniture)."""
        parts = [self.title, self.authority, self.reference, self.procedure_uuid]
        parts += [f"{label}: {value}" for label, value in self.facts]
        for section in self.sections:
            parts.append(section.title)
            for block in section.blocks:
                if isinstance(block, Para):
                    parts.append(block.text + (f" ({block.source})" if block.source else ""))
                else:
                    parts.append(block.caption)
                    parts += [" | ".join(row) for row in (block.header, *block.rows)]
        return "\n".join(part for part in parts if part)


# --- formatting ----------------------------------------------------------------------------------


def _locale() -> str:
    return str(get_locale() or "de")


def when(moment: Optional[datetime]) -> str:
    if moment is None:
        return "–"
    return babel_datetime(moment.astimezone(BERLIN), "dd.MM.yyyy, HH:mm", locale=_locale()) + " Uhr"


def day(value: Optional[Union[date, datetime]]) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.astimezone(BERLIN).date()
    return babel_date(value, "dd.MM.yyyy", locale=_locale())


def eur(amount: Optional[Decimal]) -> str:
    if amount is None:
        return "–"
    return babel_currency(amount, "EUR", locale=_locale())


def number(amount: Decimal) -> str:
    return babel_decimal(amount.normalize() if amount == amount.to_integral() else amount, locale=_locale())


def _name(user_id: Optional[int], users: dict[int, str]) -> str:
    if user_id is None:
        return _("System")
    if user_id not in users:
        user = db.session.get(User, user_id)
        users[user_id] = user.name if user is not None else f"#{user_id}"
    return users[user_id]


# --- stages from the audit entries -----------------------------------------------------------------

STAGE_ACTIONS = {
    "tender.created": _l("Vergabeverfahren angelegt"),
    "tender.start_collecting": _l("Beteiligung der Kommunen eröffnet"),
    "tender.back_to_draft": _l("Zurück zum Entwurf"),
    "tender.freeze": _l("Teilnehmende festgeschrieben, Auftragswert geschätzt"),
    "tender.unfreeze": _l("Festschreibung aufgehoben"),
    "tender.procedure_chosen": _l("Verfahrensart gewählt"),
    "tender.publish": _l("Bekanntmachung veröffentlicht"),
    "tender.deadline_extended": _l("Angebotsfrist verlängert"),
    "tender.question_asked": _l("Bieterfrage eingegangen"),
    "tender.question_answered": _l("Bieterfrage beantwortet"),
    "tender.close_submission": _l("Angebotsfrist abgelaufen"),
    "opening.confirmed": _l("Öffnung bestätigt"),
    "tender.open_bids": _l("Angebote geöffnet (§ 55 VgV)"),
    "opening.record_stored": _l("Öffnungsprotokoll erstellt"),
    "bid.admit": _l("Angebot zugelassen"),
    "bid.exclude": _l("Angebot ausgeschlossen"),
    "award.proposed": _l("Zuschlag vorgeschlagen"),
    "tender.propose_award": _l("Alle Lose zum Zuschlag vorgeschlagen"),
    "tender.withdraw_proposal": _l("Vorschlag zurückgenommen"),
    "award.letters_written": _l("Informationsschreiben (§ 134 GWB) erstellt"),
    "award.letters_delivered": _l("Informationsschreiben (§ 134 GWB) versandt"),
    "award.notify": _l("Wartefrist begonnen (§ 134 Abs. 2 GWB)"),
    "tender.start_standstill": _l("Wartefrist für alle Lose"),
    "award.challenge": _l("Nachprüfung beantragt"),
    "award.resolve_to_proposed": _l("Nachprüfung: neue Wertung"),
    "tender.reconsider": _l("Erneute Prüfung"),
    "award.finalise": _l("Zuschlag erteilt"),
    "award.cancel": _l("Los aufgehoben"),
    "contract.concluded": _l("Verträge geschlossen"),
    "tender.award": _l("Zuschlag für alle Lose erteilt"),
    "tender.conclude": _l("Verträge für alle Teilnehmenden geschlossen"),
    "tender.close": _l("Verfahren abgeschlossen"),
    "tender.cancel": _l("Vergabeverfahren aufgehoben (§ 63 VgV)"),
    "tender.award_notice_issued": _l("Vergabebekanntmachung erstellt"),
    "record.note_added": _l("Vermerk ergänzt"),
}


def _after(entry: AuditEntry) -> dict[str, Any]:
    try:
        value = json.loads(entry.after) if entry.after else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _stages(
    tender: Tender, lots: dict[int, int], users: dict[int, str]
) -> tuple[list[tuple[str, ...]], Optional[ChainHead]]:
    rows: list[tuple[str, ...]] = []
    head: Optional[ChainHead] = None
    for entry in tender_entries(tender.id):
        label = STAGE_ACTIONS.get(entry.action)
        if label is None:
            continue
        after = _after(entry)
        detail = ""
        if "lot_id" in after and after["lot_id"] in lots:
            detail = _("Los %(number)s", number=lots[after["lot_id"]])
        if entry.action == "tender.close_submission" and after.get("bid_deadline"):
            detail = _("Frist: %(when)s", when=when(datetime.fromisoformat(after["bid_deadline"])))
        if entry.action == "award.notify" and after.get("standstill_ends_at"):
            detail = ", ".join(
                part
                for part in (
                    detail,
                    _(
                        "Wartefrist bis %(when)s",
                        when=when(datetime.fromisoformat(after["standstill_ends_at"])),
                    ),
                )
                if part
            )
        rows.append((when(entry.occurred_at), str(label), detail, _name(entry.actor_id, users)))
    last = db.session.execute(
        select(AuditEntry.seq, AuditEntry.hash, AuditEntry.occurred_at)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
    if last is not None:
        head = ChainHead(last.seq, last.hash, last.occurred_at)
    return rows, head


# --- the sections ------------------------------------------------------------------------------------


def _notes(tender: Tender) -> list[RecordNote]:
    return list(
        db.session.scalars(
            select(RecordNote)
            .where(RecordNote.tender_id == tender.id)
            .order_by(RecordNote.created_at, RecordNote.id)
        )
    )


def _topic_notes(notes: Iterable[RecordNote], topic: str) -> list[Para]:
    prefix = TOPIC_PREFIXES[topic]
    return [
        Para(
            _(
                "Vermerk vom %(when)s (%(author)s): %(text)s",
                when=when(n.created_at),
                author=n.author.name,
                text=n.text[len(prefix) :],
            )
        )
        for n in notes
        if n.text.startswith(prefix)
    ]


def _value_section(tender: Tender) -> Section:
    blocks: list[Block] = []
    publication = tender.published_at or tender.frozen_at
    advice = advice_for(
        tender, berlin_today(publication) if publication else tender.created_at.astimezone(BERLIN).date()
    )
    if tender.estimated_value is not None:
        blocks.append(
            Para(
                _(
                    "Geschätzter Auftragswert (festgeschrieben): %(value)s netto.",
                    value=eur(tender.estimated_value),
                ),
                "§ 3 VgV",
            )
        )
    else:
        blocks.append(
            Para(
                _(
                    "Geschätzter Auftragswert (aus den Mengen der teilnehmenden Kommunen und den geschätzten "
                    "Einzelpreisen berechnet): %(value)s netto.",
                    value=eur(advice.total),
                ),
                "§ 3 Abs. 1 und 7 VgV",
            )
        )
    threshold = (
        tender.threshold_value
        if tender.threshold_value is not None
        else (advice.threshold.value if advice.threshold is not None else None)
    )
    if threshold is not None:
        value = tender.estimated_value if tender.estimated_value is not None else advice.total
        decision = (
            _("Der Wert erreicht den EU-Schwellenwert: EU-Vergaberecht (GWB Teil 4, VgV).")
            if value >= threshold
            else _("Der Wert liegt unter dem EU-Schwellenwert: nationales Haushaltsvergaberecht (UVgO).")
        )
        blocks.append(
            Para(
                _("EU-Schwellenwert: %(value)s. %(decision)s", value=eur(threshold), decision=decision),
                "§ 106 GWB",
            )
        )
    else:
        blocks.append(
            Para(_("Kein EU-Schwellenwert für den Tag der Veröffentlichung hinterlegt."), "§ 106 GWB")
        )
    procedure = str(PROCEDURE_LABELS[tender.procedure]) if tender.procedure else _("nicht gewählt")
    blocks.append(Para(_("Gewählte Verfahrensart: %(procedure)s.", procedure=procedure)))
    blocks.append(
        Para(
            _(
                "Vorschlag des Verfahrensberaters: %(procedure)s.",
                procedure=str(PROCEDURE_LABELS[advice.procedure]),
            )
        )
    )
    from procurement.tenders.advisor import explain

    for sentence, source in explain(advice):
        blocks.append(Para(sentence, source))
    if tender.use_small_lots:
        blocks.append(Para(_("Die Kleinlosregel wurde angewendet."), "§ 3 Abs. 9 VgV"))
    return Section("value", _("Auftragswert und Wahl des Verfahrens"), tuple(blocks))


def _lots_section(tender: Tender, notes: list[RecordNote]) -> Section:
    rows = tuple(
        (str(lot.number), lot.title, lot.cpv_code, lot.unit, eur(lot.unit_price), eur(lot.options_value))
        for lot in tender.lots
    )
    blocks: list[Block] = [
        Table(
            (_("Los"), _("Bezeichnung"), _("CPV"), _("Einheit"), _("Einzelpreis (geschätzt)"), _("Optionen")),
            rows,
            widths=(0.07, 0.35, 0.15, 0.1, 0.18, 0.15),
        )
    ]
    reasons = _topic_notes(notes, "lots")
    if len(tender.lots) > 1:
        blocks.append(
            Para(
                _("Die Leistung ist in %(count)s Lose aufgeteilt.", count=len(tender.lots)), "§ 97 Abs. 4 GWB"
            )
        )
    else:
        blocks.append(
            Para(
                _("Gründe für die Nichtaufteilung in Lose:")
                + " "
                + ("" if reasons else _("nicht angegeben")),
                "§ 97 Abs. 4 GWB, § 8 Abs. 2 Nr. 8 VgV",
            )
        )
    blocks.extend(reasons)
    return Section("lots", _("Lose"), tuple(blocks))


def _participants_section(tender: Tender) -> Section:
    header = (_("Kommune"), _("Status"), *(_("Los %(number)s", number=lot.number) for lot in tender.lots))
    rows = []
    totals = [Decimal(0)] * len(tender.lots)
    for participant in tender.participants:
        quantities = [participant.quantity_for(lot) for lot in tender.lots]
        for index, quantity in enumerate(quantities):
            totals[index] += quantity
        rows.append(
            (
                participant.organisation.name
                + (
                    " " + _("(federführend)")
                    if participant.organisation_id == tender.lead_organisation_id
                    else ""
                ),
                str(PARTICIPANT_STATUS_LABELS[participant.status]),
                *(f"{number(q)} {lot.unit}" for q, lot in zip(quantities, tender.lots, strict=True)),
            )
        )
    sums = (f"{number(t)} {lot.unit}" for t, lot in zip(totals, tender.lots, strict=True))
    rows.append((_("Summe"), "", *sums))
    return Section(
        "participants",
        _("Teilnehmende Kommunen und Mengen"),
        (
            Para(
                _(
                    "Gemeinsame Beschaffung: Die federführende Stelle führt das Verfahren im Namen aller "
                    "Teilnehmenden; jede bleibt für ihren Teil verantwortlich."
                ),
                "§ 4 VgV",
            ),
            Table(header, tuple(rows)),
        ),
    )


def _documents_section(tender: Tender) -> Section:
    rows = tuple(
        (doc.title, str(doc.version), when(doc.uploaded_at), doc.change_note or "–", doc.sha256)
        for doc in sorted(tender.documents, key=lambda d: (d.series_id, d.version))
    )
    criteria = tuple(
        (
            str(c.position),
            c.name,
            str(CRITERION_KIND_LABELS[c.kind]),
            f"{number(c.weight)} %",
            str(SCORING_METHOD_LABELS[c.scoring_method]),
        )
        for c in tender.criteria
    )
    blocks: list[Block] = []
    blocks.append(
        Table(
            (_("Dokument"), _("Version"), _("Hochgeladen"), _("Änderung"), _("SHA-256")),
            rows,
            widths=(0.22, 0.08, 0.17, 0.18, 0.35),
        )
        if rows
        else Para(_("Keine Vergabeunterlagen."))
    )
    blocks.append(
        Table(
            (_("Nr."), _("Zuschlagskriterium"), _("Art"), _("Gewicht"), _("Bewertung")),
            criteria,
            caption=_("Zuschlagskriterien (§ 58 VgV)"),
            widths=(0.07, 0.3, 0.13, 0.12, 0.38),
        )
        if criteria
        else Para(_("Keine Zuschlagskriterien festgelegt."))
    )
    return Section("documents", _("Vergabeunterlagen und Versionen"), tuple(blocks))


def _questions_section(tender: Tender) -> Section:
    if not tender.questions:
        return Section("questions", _("Bieterfragen und Antworten"), (Para(_("Keine Bieterfragen.")),))
    rows = tuple(
        (
            str(q.number),
            when(q.asked_at),
            q.text,
            q.answer if q.is_answered else _("nicht beantwortet"),
            when(q.answered_at),
        )
        for q in tender.questions
    )
    return Section(
        "questions",
        _("Bieterfragen und Antworten"),
        (
            Para(
                _("Antworten gehen an alle Bieter ohne Namen des Fragenden."),
                "§ 97 Abs. 2 GWB, § 20 Abs. 3 VgV",
            ),
            Table(
                (_("Nr."), _("Eingang"), _("Frage"), _("Antwort"), _("Beantwortet")),
                rows,
                widths=(0.06, 0.16, 0.31, 0.31, 0.16),
            ),
        ),
    )


def _bids(tender: Tender) -> list[Bid]:
    return list(
        db.session.scalars(
            select(Bid)
            .where(Bid.tender_id == tender.id, Bid.submitted_at.is_not(None))
            .order_by(Bid.submitted_at, Bid.id)
        )
    )


def _bids_section(tender: Tender, bids: list[Bid], lots: dict[int, int]) -> Section:
    prices_known = (
        tender.status in PRICES_KNOWN
        or db.session.scalar(select(Opening.id).where(Opening.tender_id == tender.id)) is not None
    )
    offers: dict[int, list[Offer]] = {}
    if prices_known:
        for offer in db.session.scalars(select(Offer).where(Offer.tender_id == tender.id)):
            offers.setdefault(offer.bid_id, []).append(offer)
    rows = []
    for bid in bids:
        state = str(BID_STATUS_LABELS[bid.status])
        if bid.withdrawn_at is not None:
            state += " " + _("am %(when)s", when=when(bid.withdrawn_at))
        if prices_known:
            prices = (
                "; ".join(
                    _("Los %(number)s: %(price)s", number=lots[o.lot_id], price=eur(o.price))
                    for o in sorted(offers.get(bid.id, []), key=lambda o: lots[o.lot_id])
                )
                or "–"
            )
        else:
            prices = _("verschlossen bis zur Öffnung")
        rows.append((bid.organisation.name, when(bid.submitted_at), bid.receipt_id, state, prices))
    blocks: list[Block] = []
    if not prices_known:
        blocks.append(
            Para(_("Die Angebote sind noch nicht geöffnet: Preise werden nicht genannt."), "§ 55 VgV")
        )
    blocks.append(
        Table(
            (_("Bieter"), _("Eingang"), _("Angebotsnummer"), _("Stand"), _("Preise (netto)")),
            tuple(rows),
            widths=(0.22, 0.16, 0.22, 0.16, 0.24),
        )
        if rows
        else Para(_("Es ist kein Angebot eingegangen."))
    )
    return Section("bids", _("Eingegangene Angebote"), tuple(blocks))


def _opening_section(tender: Tender) -> Section:
    opening = db.session.scalar(select(Opening).where(Opening.tender_id == tender.id))
    if opening is None:
        return Section(
            "opening", _("Öffnung der Angebote"), (Para(_("Die Angebote sind nicht geöffnet."), "§ 55 VgV"),)
        )
    return Section(
        "opening",
        _("Öffnung der Angebote"),
        (
            Para(
                _(
                    "Geöffnet am %(when)s durch %(first)s und %(second)s.",
                    when=when(opening.opened_at),
                    first=opening.first_officer.name,
                    second=opening.second_officer.name,
                ),
                "§ 55 Abs. 2 VgV",
            ),
            Para(_("SHA-256 des Öffnungsprotokolls: %(hash)s", hash=opening.record_sha256 or "–")),
        ),
    )


def _reviews_section(tender: Tender, bids: list[Bid], users: dict[int, str]) -> Section:
    reviews = {
        r.bid_id: r for r in db.session.scalars(select(BidReview).where(BidReview.tender_id == tender.id))
    }
    rows = []
    for bid in bids:
        review = reviews.get(bid.id)
        if review is None:
            continue
        if bid.status is BidStatus.excluded or review.exclusion_ground is not None:
            decision = _("ausgeschlossen")
            ground = (
                EXCLUSION_GROUND_LABELS.get(review.exclusion_ground, "") if review.exclusion_ground else ""
            )
        elif review.decided_at is not None:
            decision, ground = _("zugelassen"), ""
        else:
            decision, ground = _("nicht entschieden"), ""
        rows.append(
            (
                bid.organisation.name,
                decision,
                ground or "–",
                review.reason or "–",
                f"{when(review.decided_at)}, {_name(review.decided_by_id, users)}"
                if review.decided_at
                else "–",
            )
        )
    blocks: list[Block] = [
        Table(
            (_("Bieter"), _("Entscheidung"), _("Grund"), _("Begründung"), _("Entschieden")),
            tuple(rows),
            widths=(0.2, 0.13, 0.22, 0.25, 0.2),
        )
        if rows
        else Para(_("Keine Prüfung der Angebote."))
    ]
    return Section("exclusions", _("Prüfung der Angebote und Ausschlüsse"), tuple(blocks))


def _requests_section(tender: Tender) -> Section:
    rows = tuple(
        (
            r.bid.organisation.name,
            r.text,
            when(r.requested_at),
            when(r.deadline),
            str(r.status.value),
            (r.answer_text or "–") + (f" ({len(r.files)} " + _("Dateien") + ")" if r.files else ""),
        )
        for r in db.session.scalars(
            select(DocumentRequest).where(DocumentRequest.tender_id == tender.id).order_by(DocumentRequest.id)
        )
    )
    block: Block = (
        Table((_("Bieter"), _("Nachgefordert"), _("Am"), _("Frist"), _("Stand"), _("Antwort")), rows)
        if rows
        else Para(_("Keine Unterlagen nachgefordert."), "§ 56 Abs. 2 VgV")
    )
    return Section("requests", _("Nachforderung von Unterlagen"), (block,))


def _ranking_sections(tender: Tender, awards: dict[int, Award], users: dict[int, str]) -> list[Section]:
    ranking_blocks: list[Block] = []
    low_blocks: list[Block] = []
    for lot in tender.lots:
        award = awards.get(lot.id)
        snapshot = award.ranking if award is not None and award.ranking and award.proposed_at else None
        if snapshot:
            rows = tuple(
                (
                    str(row["rank"]),
                    row["organisation"],
                    eur(Decimal(row["price"])),
                    number(Decimal(row["total"])),
                    _("ja") if row.get("abnormally_low") else _("nein"),
                )
                for row in sorted(snapshot["rows"], key=lambda r: r["rank"])
            )
            caption = _(
                "Los %(number)s: %(title)s – Wertung vom %(when)s (wie zum Zuschlag vorgeschlagen)",
                number=lot.number,
                title=lot.title,
                when=when(datetime.fromisoformat(snapshot["computed_at"])),
            )
        elif tender.status in PRICES_KNOWN:
            result = rank(tender, lot)
            if result.ranking is None:
                ranking_blocks.append(
                    Para(
                        _(
                            "Los %(number)s: %(title)s – noch keine vollständige Wertung.",
                            number=lot.number,
                            title=lot.title,
                        )
                    )
                )
                continue
            names = {o.bid_id: o.bid.organisation.name for o in result.offers}
            prices = {o.bid_id: o.price for o in result.offers}
            rows = tuple(
                (
                    str(row.rank),
                    names[row.bid_id],
                    eur(prices[row.bid_id]),
                    number(row.total),
                    _("ja") if row.abnormally_low is not None else _("nein"),
                )
                for row in result.ranking.rows
            )
            caption = _("Los %(number)s: %(title)s – aktuelle Wertung", number=lot.number, title=lot.title)
        else:
            continue
        ranking_blocks.append(
            Table(
                (_("Rang"), _("Bieter"), _("Preis (netto)"), _("Punkte"), _("Ungewöhnlich niedrig")),
                rows,
                caption=caption,
                widths=(0.08, 0.37, 0.2, 0.13, 0.22),
            )
        )
        for row in (snapshot or {}).get("excluded", []):
            ranking_blocks.append(
                Para(
                    _(
                        "Ausgeschlossen: %(name)s – %(ground)s. %(reason)s",
                        name=row["organisation"],
                        ground=row["ground_label"],
                        reason=row["reason"],
                    )
                )
            )
    if not ranking_blocks:
        ranking_blocks.append(Para(_("Die Angebote sind noch nicht gewertet.")))
    for offer in db.session.scalars(
        select(Offer).where(Offer.tender_id == tender.id).order_by(Offer.lot_id, Offer.id)
    ):
        if not offer.explanation and offer.explanation_accepted is None:
            continue
        verdict = {
            True: _("Erklärung angenommen"),
            False: _("Erklärung nicht angenommen, Angebot abgelehnt"),
            None: _("noch nicht bewertet"),
        }[offer.explanation_accepted]
        low_blocks.append(
            Para(
                _(
                    "Los %(number)s, %(name)s (%(price)s): %(explanation)s – "
                    "%(verdict)s (%(when)s, %(who)s).",
                    number=offer.lot.number,
                    name=offer.bid.organisation.name,
                    price=eur(offer.price),
                    explanation=offer.explanation or "–",
                    verdict=verdict,
                    when=when(offer.explanation_recorded_at),
                    who=_name(offer.explanation_recorded_by_id, users),
                ),
                "§ 60 VgV",
            )
        )
    if not low_blocks:
        low_blocks.append(Para(_("Kein Angebot wurde als ungewöhnlich niedrig aufgeklärt."), "§ 60 VgV"))
    return [
        Section("ranking", _("Wertung und Rangfolge je Los"), tuple(ranking_blocks)),
        Section("abnormally_low", _("Prüfung ungewöhnlich niedriger Angebote"), tuple(low_blocks)),
    ]


def _award_sections(tender: Tender, awards: dict[int, Award], users: dict[int, str]) -> list[Section]:
    award_blocks: list[Block] = []
    letter_blocks: list[Block] = []
    challenge_blocks: list[Block] = []
    for lot in tender.lots:
        award = awards.get(lot.id)
        head = _("Los %(number)s: %(title)s", number=lot.number, title=lot.title)
        if award is None:
            award_blocks.append(Para(head + " – " + _("kein Zuschlag vorgeschlagen.")))
            continue
        if award.status is AwardStatus.cancelled:
            reason = (
                str(CANCELLATION_REASON_LABELS[award.cancellation_reason])
                if award.cancellation_reason
                else ""
            )
            award_blocks.append(
                Para(
                    head
                    + " – "
                    + _(
                        "aufgehoben am %(when)s: %(reason)s %(text)s",
                        when=when(award.cancelled_at),
                        reason=reason,
                        text=award.cancellation_text,
                    )
                )
            )
        else:
            winner = award.bid.organisation.name if award.bid else "–"
            award_blocks.append(
                Para(
                    head
                    + " – "
                    + _(
                        "Zuschlag an %(winner)s. Begründung: %(reasons)s Vorgeschlagen am %(proposed)s "
                        "von %(by)s; Zuschlag erteilt am %(final)s.",
                        winner=winner,
                        reasons=award.reasons or "–",
                        proposed=when(award.proposed_at),
                        by=_name(award.proposed_by_id, users),
                        final=when(award.finalised_at) if award.finalised_at else _("noch nicht"),
                    ),
                    "§ 58 VgV, § 8 Abs. 2 Nr. 5 VgV",
                )
            )
        letters = db.session.scalars(
            select(InformationLetter)
            .where(InformationLetter.award_id == award.id)
            .order_by(InformationLetter.round, InformationLetter.id)
        ).all()
        if letters:
            letter_blocks.append(
                Table(
                    (
                        _("Bieter"),
                        _("Runde"),
                        _("Rang"),
                        _("Gründe"),
                        _("Versandt"),
                        _("Frühester Vertragsschluss"),
                    ),
                    tuple(
                        (
                            letter.organisation.name,
                            str(letter.round),
                            str(letter.rank) if letter.rank is not None else _("ausgeschlossen"),
                            letter.reasons,
                            when(letter.sent_at) if letter.sent_at else _("nicht versandt"),
                            when(letter.earliest_contract_at),
                        )
                        for letter in letters
                    ),
                    caption=head,
                    widths=(0.2, 0.08, 0.12, 0.28, 0.15, 0.17),
                )
            )
        if award.notified_at or award.standstill_ends_at:
            letter_blocks.append(
                Para(
                    _(
                        "%(lot)s: Bieter informiert am %(notified)s; Wartefrist endet am %(end)s.",
                        lot=head,
                        notified=when(award.notified_at),
                        end=when(award.standstill_ends_at),
                    ),
                    "§ 134 Abs. 2 GWB",
                )
            )
        if award.challenged_at:
            challenge_blocks.append(
                Para(
                    _(
                        "%(lot)s: Nachprüfung beantragt am %(when)s: %(note)s "
                        "Entschieden: %(resolved)s %(resolution)s",
                        lot=head,
                        when=when(award.challenged_at),
                        note=award.challenge_note or "–",
                        resolved=when(award.resolved_at) if award.resolved_at else _("offen."),
                        resolution=award.resolution_note,
                    ),
                    "§§ 160 ff. GWB",
                )
            )
    if not letter_blocks:
        letter_blocks.append(Para(_("Keine Informationsschreiben."), "§ 134 GWB"))
    if not challenge_blocks:
        challenge_blocks.append(Para(_("Kein Nachprüfungsverfahren.")))
    return [
        Section("award", _("Zuschlag und Begründung je Los"), tuple(award_blocks)),
        Section("letters", _("Information der Bieter und Wartefrist"), tuple(letter_blocks)),
        Section("challenges", _("Nachprüfungsverfahren"), tuple(challenge_blocks)),
    ]


def _contracts_sections(tender: Tender) -> list[Section]:
    contracts = db.session.scalars(
        select(Contract).where(Contract.tender_id == tender.id).order_by(Contract.number)
    ).all()
    rows = tuple(
        (
            c.number,
            c.buyer_name,
            c.lot_title,
            c.vendor_name,
            f"{number(c.quantity)} {c.unit}",
            eur(c.net_value),
            when(c.concluded_at),
        )
        for c in contracts
    )
    contract_block: Block = (
        Table(
            (
                _("Vertrag"),
                _("Kommune"),
                _("Los"),
                _("Auftragnehmer"),
                _("Menge"),
                _("Wert (netto)"),
                _("Geschlossen"),
            ),
            rows,
            widths=(0.27, 0.13, 0.13, 0.14, 0.08, 0.12, 0.13),
        )
        if rows
        else Para(_("Keine Verträge."))
    )
    blocks: list[Block] = [contract_block]
    if contracts:
        blocks.append(
            Para(
                _(
                    "Summe der Verträge: %(sum)s netto.",
                    sum=eur(sum((c.net_value for c in contracts), Decimal(0))),
                )
            )
        )
    invoices = db.session.scalars(
        select(Invoice).where(Invoice.tender_id == tender.id, Invoice.issued_at.is_not(None))
    ).all()
    totals: dict[str, list[Decimal]] = {}
    for invoice in invoices:
        sign = -1 if invoice.kind is InvoiceKind.credit_note else 1
        entry = totals.setdefault(invoice.status.value, [Decimal(0), Decimal(0), Decimal(0)])
        entry[0] += 1
        entry[1] += sign * (invoice.net_total or Decimal(0))
        entry[2] += sign * (invoice.gross_total or Decimal(0))
    invoice_block: Block = (
        Table(
            (_("Stand"), _("Anzahl"), _("Netto"), _("Brutto")),
            tuple((status, str(int(v[0])), eur(v[1]), eur(v[2])) for status, v in sorted(totals.items())),
            caption=_("%(count)s Rechnungen (Gutschriften abgezogen)", count=len(invoices)),
        )
        if invoices
        else Para(_("Keine Rechnungen."))
    )
    return [
        Section("contracts", _("Verträge"), tuple(blocks)),
        Section("invoices", _("Rechnungen"), (invoice_block,)),
    ]


def _cancellation_section(tender: Tender) -> Section:
    if tender.status is not TenderStatus.cancelled:
        return Section("cancellation", _("Aufhebung"), (Para(_("Das Verfahren ist nicht aufgehoben.")),))
    reason = (
        str(CANCELLATION_REASON_LABELS[tender.cancellation_reason]) if tender.cancellation_reason else "–"
    )
    return Section(
        "cancellation",
        _("Aufhebung"),
        (
            Para(
                _("Aufgehoben am %(when)s. Grund: %(reason)s", when=when(tender.cancelled_at), reason=reason),
                "§ 63 VgV",
            ),
            Para(_("Begründung: %(text)s", text=tender.cancellation_text or "–"), "§ 8 Abs. 2 Nr. 9 VgV"),
        ),
    )


def collect(tender: Tender) -> Vermerk:
    """Read the procedure into a `Vermerk` (call under ``force_locale("de")`` for the PDF)."""
    users: dict[int, str] = {}
    lots = {lot.id: lot.number for lot in tender.lots}
    awards = {a.lot_id: a for a in db.session.scalars(select(Award).where(Award.tender_id == tender.id))}
    bids = _bids(tender)
    notes = _notes(tender)
    stages, head = _stages(tender, lots, users)
    status = str(TENDER_STATUS_LABELS[tender.status])
    facts = (
        (_("Öffentlicher Auftraggeber (federführend)"), tender.lead_organisation.name),
        (_("Gegenstand"), tender.title),
        (_("Aktenzeichen"), tender.reference or "–"),
        (_("Verfahrenskennung"), tender.procedure_uuid),
        (_("Art des Auftrags"), str(CONTRACT_NATURE_LABELS[tender.contract_nature])),
        (_("CPV-Code"), tender.cpv_code),
        (_("Ort der Leistung"), ", ".join(p for p in (tender.nuts_code, tender.place_of_performance) if p)),
        (_("Laufzeit"), _("%(months)s Monate", months=tender.duration_months)),
        (
            _("Verfahrensart"),
            str(PROCEDURE_LABELS[tender.procedure]) if tender.procedure else _("nicht gewählt"),
        ),
        (_("Stand des Verfahrens"), status),
        (
            _("Vergabekammer"),
            f"{tender.review_body_name}, {tender.review_body_postal_code} {tender.review_body_city}",
        ),
    )
    sections: list[Section] = [
        Section(
            "subject",
            _("Auftraggeber und Gegenstand"),
            (
                Table((_("Angabe"), _("Wert")), facts, widths=(0.35, 0.65)),
                Para(_("Beschreibung: %(text)s", text=tender.description)),
            ),
        ),
        Section(
            "stages",
            _("Verlauf des Verfahrens"),
            (
                Table(
                    (_("Zeitpunkt"), _("Schritt"), _("Einzelheiten"), _("Durch")),
                    tuple(stages),
                    widths=(0.19, 0.36, 0.25, 0.2),
                )
                if stages
                else Para(_("Keine Einträge.")),
            ),
        ),
        _value_section(tender),
        _lots_section(tender, notes),
        _participants_section(tender),
        _documents_section(tender),
        _questions_section(tender),
        _bids_section(tender, bids, lots),
        _opening_section(tender),
        _reviews_section(tender, bids, users),
        _requests_section(tender),
        *_ranking_sections(tender, awards, users),
        *_award_sections(tender, awards, users),
        *_contracts_sections(tender),
        _cancellation_section(tender),
        Section(
            "conflicts",
            _("Interessenkonflikte"),
            tuple(_topic_notes(notes, "conflicts"))
            or (Para(_("Keine Interessenkonflikte vermerkt."), "§ 6 VgV, § 8 Abs. 2 Nr. 10 VgV"),),
        ),
        Section(
            "subcontracting",
            _("Unteraufträge"),
            tuple(_topic_notes(notes, "subcontracting"))
            or (Para(_("Anteil von Unteraufträgen: nicht bekannt."), "§ 8 Abs. 2 Nr. 6 VgV"),),
        ),
        Section(
            "notes",
            _("Vermerke der Vergabestelle"),
            (
                Table(
                    (_("Zeitpunkt"), _("Verfahrensstand"), _("Verfasst von"), _("Vermerk")),
                    tuple(
                        (
                            when(n.created_at),
                            str(TENDER_STATUS_LABELS[TenderStatus(n.stage)])
                            if n.stage in TenderStatus._value2member_map_
                            else n.stage,
                            n.author.name,
                            n.text,
                        )
                        for n in notes
                    ),
                    widths=(0.17, 0.17, 0.18, 0.48),
                ),
            )
            if notes
            else (Para(_("Keine Vermerke.")),),
        ),
    ]
    return Vermerk(
        tender_id=tender.id,
        title=tender.title,
        authority=tender.lead_organisation.name,
        reference=tender.reference,
        procedure_uuid=tender.procedure_uuid,
        status=status,
        head=head,
        facts=facts,
        sections=tuple(sections),
    )
