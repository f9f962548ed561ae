"""The §134 GWB information letters: one per unsuccessful bidder of a lot, as PDF and by mail.

A letter names the winner, the reasons for the award, the bidder's own ranking (rank and own
scores, or the ground on which its bid was excluded) and the earliest date the contract may be
concluded (§134 Abs. 1 GWB). It is stored as a PDF (SHA-256 on record) and its text goes to the
vendor through the mail outbox (``InformationLetter.outbox_mail_id``).

"Sent" means the outbox delivered the mail (the SMTP server accepted it): `sync_deliveries` copies
``OutboxMail.sent_at`` to the letter, counts ``Award.letters_sent`` and, once every letter of the
current round is out, notifies the award with the standstill computed from the *actual* sending
times (§134 Abs. 2 GWB), never earlier than the date the letters name. A mail server outage keeps
the letters unsent and the standstill unstarted; nothing is lost, the next run catches up.
`sync_deliveries` runs from ``flask tick`` and right after the request that sent the mail.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Optional
from xml.sax.saxutils import escape

from flask import g
from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select

from procurement.accounts.models import Role, User, UserStatus
from procurement.awards.models import Award, InformationLetter
from procurement.awards.permissions import can_view_letter
from procurement.awards.services import audit_award, fire_award, sync_tender
from procurement.bids.record import berlin_time, eur
from procurement.errors import Conflict, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.mail.models import OutboxMail
from procurement.mail.services import queue_mail
from procurement.reference.standstill import latest_standstill_end, standstill_ends_at
from procurement.storage import StorageError, discard_on_rollback, storage
from procurement.web import external_url
from workflows.award import AwardStatus

log = logging.getLogger(__name__)

MAX_PDF_BYTES = 20 * 1024 * 1024


def current_round(award: Award) -> int:
    """The proposal round of the award: a review ordering a new evaluation starts the next one.

    Kept with the ranking snapshot of the proposal (``ranking["round"]``).
    """
    return int((award.ranking or {}).get("round", 1))


def letters_of_round(award: Award, round_: Optional[int] = None) -> list[InformationLetter]:
    wanted = current_round(award) if round_ is None else round_
    return [letter for letter in award.letters if letter.round == wanted]


# --- the letter as PDF ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterScore:
    criterion: str
    weight: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class LetterData:
    """Everything a §134 letter states (plain values, no rows)."""

    authority: str
    tender_title: str
    reference: str
    lot_number: int
    lot_title: str
    bidder: str
    receipt_id: str
    winner: str
    award_reasons: str
    reasons: str  # why this bid is not to be accepted
    rank: Optional[int]  # None: excluded
    bidders_ranked: int
    total: Optional[Decimal]
    winner_total: Optional[Decimal]
    price: Optional[Decimal]
    scores: tuple[LetterScore, ...] = field(default_factory=tuple)
    earliest_contract_at: Optional[datetime] = None
    written_at: Optional[datetime] = None
    review_body: str = ""

    def paragraphs(self) -> list[str]:
        """The letter's text in reading order: the PDF and the mail say the same."""
        texts = [
            f"Information nach § 134 Abs. 1 GWB – {self.tender_title} ({self.reference}), "
            f"Los {self.lot_number}: {self.lot_title}",
            f"An: {self.bidder} (Angebotsnummer {self.receipt_id})",
            f"Sehr geehrte Damen und Herren, {self.authority} beabsichtigt, den Zuschlag für Los "
            f"{self.lot_number} auf das Angebot von {self.winner} zu erteilen.",
            f"Gründe für die Auswahl dieses Angebots: {self.award_reasons}",
            f"Ihr Angebot kann nicht berücksichtigt werden: {self.reasons}",
        ]
        if self.rank is not None:
            texts.append(
                f"Ihr Angebot belegt Rang {self.rank} von {self.bidders_ranked} gewerteten Angeboten "
                f"mit {self.total} von 100 Punkten (das ausgewählte Angebot: {self.winner_total} Punkte)."
            )
            if self.price is not None:
                texts.append(f"Ihr Angebotspreis für das Los: {eur(self.price)} netto.")
            for score in self.scores:
                texts.append(
                    f"{score.criterion} (Gewichtung {score.weight} %): {score.weighted} gewichtete Punkte"
                )
        if self.earliest_contract_at is not None:
            texts.append(
                "Der Vertrag wird frühestens am "
                f"{berlin_time(self.earliest_contract_at)} geschlossen (§ 134 Abs. 2 GWB: zehn "
                "Kalendertage nach Absendung dieser Information auf elektronischem Weg, beginnend am "
                "Tag nach der Absendung)."
            )
        if self.review_body:
            texts.append(f"Zuständig für ein Nachprüfungsverfahren (§ 160 GWB) ist die {self.review_body}.")
        return texts


class LetterRenderer:
    """Render `LetterData` as the PDF of a §134 GWB information (A4, German)."""

    page_size = A4
    margin = 20 * mm
    font = "Helvetica"
    font_bold = "Helvetica-Bold"
    font_size = 10
    leading = 14
    heading_size = 14

    def __init__(self) -> None:
        self.body = ParagraphStyle("body", fontName=self.font, fontSize=self.font_size, leading=self.leading)
        self.heading = ParagraphStyle(
            "heading",
            parent=self.body,
            fontName=self.font_bold,
            fontSize=self.heading_size,
            leading=self.heading_size + 4,
            spaceAfter=8,
        )

    def story(self, data: LetterData) -> list[Any]:
        texts = data.paragraphs()
        story: list[Any] = [Paragraph(escape(texts[0]), self.heading)]
        if data.written_at is not None:
            story.append(Paragraph(escape(f"Datum: {berlin_time(data.written_at)}"), self.body))
        story.append(Spacer(1, 4 * mm))
        for text in texts[1:]:
            story.append(Paragraph(escape(text), self.body))
            story.append(Spacer(1, 2 * mm))
        if data.scores:
            rows = [["Kriterium", "Gewichtung", "Gewichtete Punkte"]] + [
                [score.criterion, f"{score.weight} %", str(score.weighted)] for score in data.scores
            ]
            table = Table(rows, colWidths=[80 * mm, 35 * mm, 45 * mm])
            table.setStyle(
                TableStyle(
                    [
                        ("FONT", (0, 0), (-1, 0), self.font_bold),
                        ("GRID", (0, 0), (-1, -1), 0.5, "#999999"),
                    ]
                )
            )
            story.append(table)
        return story

    def render(self, data: LetterData) -> bytes:
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=self.page_size,
            leftMargin=self.margin,
            rightMargin=self.margin,
            topMargin=self.margin,
            bottomMargin=self.margin,
            title=f"Information nach § 134 GWB: {data.tender_title}, Los {data.lot_number}",
            author="Vergabe-Marktplatz",
            invariant=True,
        )
        document.build(self.story(data))
        return buffer.getvalue()


# --- writing and queueing the letters --------------------------------------------------------------


@dataclass(frozen=True)
class Addressee:
    """An unsuccessful bidder of the lot as the ranking snapshot lists it."""

    bid_id: int
    rank: Optional[int]
    reasons: str
    total: Optional[Decimal] = None
    price: Optional[Decimal] = None
    scores: tuple[LetterScore, ...] = ()


def addressees(award: Award) -> list[Addressee]:
    """Every unsuccessful bidder of the lot: the admitted losers, then the excluded bidders."""
    snapshot = award.ranking or {}
    names = {int(c["id"]): (c["name"], Decimal(c["weight"])) for c in snapshot.get("criteria", [])}
    result = []
    for row in snapshot.get("rows", []):
        if row["bid_id"] == award.bid_id:
            continue
        scores = tuple(
            LetterScore(
                names[int(s["criterion_id"])][0], names[int(s["criterion_id"])][1], Decimal(s["weighted"])
            )
            for s in row.get("scores", [])
            if int(s["criterion_id"]) in names
        )
        result.append(
            Addressee(
                bid_id=row["bid_id"],
                rank=row["rank"],
                reasons=_(
                    "Ein anderes Angebot ist nach den bekannt gemachten Zuschlagskriterien wirtschaftlicher."
                ),
                total=Decimal(row["total"]),
                price=Decimal(row["price"]),
                scores=scores,
            )
        )
    for row in snapshot.get("excluded", []):
        result.append(
            Addressee(
                bid_id=row["bid_id"],
                rank=None,
                reasons=_("Ihr Angebot wurde von der Wertung ausgeschlossen (%(ground)s): %(reason)s")
                % {"ground": row.get("ground_label", row.get("ground", "")), "reason": row.get("reason", "")},
            )
        )
    return result


def _recipient(bid: Any) -> Optional[User]:
    """The bidder's user who submitted the bid, or else the first active vendor user."""
    submitter = bid.submitted_by
    if (
        submitter is not None
        and submitter.status is UserStatus.active
        and submitter.organisation_id == bid.organisation_id
    ):
        return submitter
    for member in sorted(bid.organisation.members, key=lambda user: user.id):
        if member.status is UserStatus.active and member.has_role(Role.vendor):
            return member
    return None


def letter_data(
    award: Award, addressee: Addressee, bid: Any, earliest: datetime, now: datetime
) -> LetterData:
    snapshot = award.ranking or {}
    winner_row = next((row for row in snapshot.get("rows", []) if row["bid_id"] == award.bid_id), None)
    tender = award.tender
    assert award.bid is not None
    return LetterData(
        authority=tender.lead_organisation.name,
        tender_title=tender.title,
        reference=tender.reference,
        lot_number=award.lot.number,
        lot_title=award.lot.title,
        bidder=bid.organisation.name,
        receipt_id=bid.receipt_id,
        winner=award.bid.organisation.name,
        award_reasons=award.reasons,
        reasons=addressee.reasons,
        rank=addressee.rank,
        bidders_ranked=len(snapshot.get("rows", [])),
        total=addressee.total,
        winner_total=Decimal(winner_row["total"]) if winner_row else None,
        price=addressee.price,
        scores=addressee.scores,
        earliest_contract_at=earliest,
        written_at=now,
        review_body=", ".join(part for part in (tender.review_body_name, tender.review_body_city) if part),
    )


def write_letters(actor: User, award: Award, now: datetime) -> list[InformationLetter]:
    """Write, store and queue the letters of the award's current round; the caller checked the state.

    :returns: the new letters (empty when the lot has no unsuccessful bidder)
    """
    from procurement.bids.models import Bid

    round_ = current_round(award)
    earliest = standstill_ends_at(now, electronic=True)
    store = storage()
    renderer = LetterRenderer()
    letters = []
    for addressee in addressees(award):
        bid = db.session.get(Bid, addressee.bid_id)
        assert bid is not None
        data = letter_data(award, addressee, bid, earliest, now)
        pdf = renderer.render(data)
        stored = store.save_stream(io.BytesIO(pdf), MAX_PDF_BYTES)
        discard_on_rollback(db.session(), store, stored.key)
        user = _recipient(bid)
        letter = InformationLetter(
            award=award,
            round=round_,
            bid_id=bid.id,
            organisation_id=bid.organisation_id,
            recipient=user.email if user is not None else "",
            rank=addressee.rank,
            reasons=addressee.reasons,
            earliest_contract_at=earliest,
            pdf_storage_key=stored.key,
            pdf_sha256=stored.sha256,
            created_at=now,
        )
        db.session.add(letter)
        db.session.flush()
        if user is not None:
            mail = queue_mail(
                user.email,
                "award_information",
                user.language,
                user=user,
                letter=letter,
                texts=data.paragraphs(),
                link=external_url("awards.my_letters"),
            )
            letter.outbox_mail_id = mail.id
        else:
            log.error("award %s: bidder %s has no active vendor user for the letter", award.id, bid.id)
        letters.append(letter)
    db.session.flush()
    hooks = g.setdefault("after_mail_sent", [])
    if sync_after_send not in hooks:
        hooks.append(sync_after_send)
    return letters


# --- delivery -------------------------------------------------------------------------------------


def standstill_of(award: Award) -> Optional[datetime]:
    """The lot's standstill end: the latest of the actual sending and the dates the letters name."""
    letters = letters_of_round(award)
    sent = [(letter.sent_at, True) for letter in letters if letter.sent_at is not None]
    ends = [end for end in [latest_standstill_end(sent)] if end is not None]
    ends += [letter.earliest_contract_at for letter in letters]
    return max(ends) if ends else None


def sync_deliveries(now: datetime) -> list[Award]:
    """Mark letters whose mail left the outbox as sent; notify the awards whose letters are all out.

    :returns: the awards notified by this run
    """
    rows = db.session.execute(
        select(InformationLetter, OutboxMail.sent_at)
        .join(OutboxMail, OutboxMail.id == InformationLetter.outbox_mail_id)
        .where(InformationLetter.sent_at.is_(None), OutboxMail.sent_at.is_not(None))
        .order_by(InformationLetter.id)
    ).all()
    awards: dict[int, Award] = {}
    for letter, sent_at in rows:
        letter.sent_at = sent_at
        awards[letter.award_id] = letter.award
    notified = []
    for award in awards.values():
        letters = letters_of_round(award)
        award.letters_sent = sum(1 for letter in letters if letter.sent_at is not None)
        db.session.flush()
        audit_award("letters_delivered", None, award, now, after={"letters_sent": award.letters_sent})
        if award.status is AwardStatus.proposed and award.letters_sent >= award.unsuccessful_bidders:
            notify(award, now)
            notified.append(award)
    return notified


def notify(award: Award, now: datetime, actor: Optional[User] = None) -> None:
    """Every letter is out: the standstill runs (from ``now`` when nobody had to be informed)."""
    award.standstill_ends_at = standstill_of(award) or now
    award.notified_at = now
    fire_award(actor, award, "notify", now, standstill_ends_at=award.standstill_ends_at.isoformat())
    sync_tender(actor, award.tender, now)


def sync_after_send() -> None:
    """Called right after the request's outbox run: letters just delivered count at once."""
    from procurement.database import utcnow

    sync_deliveries(utcnow())


# --- reading ----------------------------------------------------------------------------------------


def letters_for(actor: User) -> list[InformationLetter]:
    """The letters addressed to the actor's vendor organisation, newest first."""
    if not actor.has_role(Role.vendor):
        raise PermissionDenied(_("Informationsschreiben sehen nur Unternehmen."))
    return list(
        db.session.scalars(
            select(InformationLetter)
            .where(InformationLetter.organisation_id == actor.organisation_id)
            .order_by(InformationLetter.created_at.desc(), InformationLetter.id.desc())
        )
    )


def letter_pdf(actor: User, letter: Optional[InformationLetter], now: datetime) -> bytes:
    """The stored letter as written, checked against its hash; the read is audited."""
    if letter is None or not can_view_letter(actor, letter):
        raise NotFound(_("Dieses Schreiben gibt es nicht."))
    if not letter.pdf_storage_key:
        raise NotFound(_("Dieses Schreiben gibt es nicht."))
    try:
        with storage().open(letter.pdf_storage_key) as source:
            pdf = source.read()
    except StorageError as err:
        raise Conflict(_("Das Schreiben fehlt im Speicher. Bitte wenden Sie sich an den Betrieb.")) from err
    if hashlib.sha256(pdf).hexdigest() != letter.pdf_sha256:
        log.error("letter %s does not match its hash", letter.id)
        raise Conflict(
            _(
                "Das gespeicherte Schreiben stimmt nicht mit seiner Prüfsumme überein: es wurde "
                "verändert. Bitte wenden Sie sich an den Betrieb."
            )
        )
    audit_award("letter_read", actor, letter.award, now, after={"letter_id": letter.id})
    return pdf
