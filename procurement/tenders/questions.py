"""Bidder questions (Bieterfragen), their answers to all vendors, and deadline extensions.

Equal treatment (§97(2) GWB): every answer is published to all vendors and never names who
asked. Answers must reach the bidders at the latest six days before the bid deadline
(§20(3) VgV); an answer given later comes with a proposal to extend the deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Optional

from flask_babel import gettext as _

from procurement.accounts.models import OrganisationKind, Role, User
from procurement.accounts.services import active_officers
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.mail.services import queue_mail
from procurement.reference.deadlines import ANSWER_DAYS_BEFORE_DEADLINE
from procurement.tenders.advisor import BERLIN
from procurement.tenders.documents import downloaders
from procurement.tenders.models import Question, Tender
from procurement.tenders.permissions import (
    can_answer_questions,
    can_ask_question,
    can_manage_tender,
    can_view_public,
    can_view_tender,
    is_public,
)
from procurement.tenders.services import audit_tender, public_link
from procurement.web import external_url
from workflows.account import UserStatus
from workflows.tender import TenderStatus

MIN_QUESTION_LENGTH = 10
MAX_QUESTION_LENGTH = 4000
MAX_ANSWER_LENGTH = 10000
MAX_REASON_LENGTH = 2000
# An extension is a correction, not a new procedure: at most a year beyond the old deadline.
MAX_EXTENSION = timedelta(days=365)


def questions_open(tender: Tender, now: datetime) -> bool:
    """Questions are taken while the tender is published and its bid deadline has not passed."""
    return (
        tender.status is TenderStatus.published
        and tender.bid_deadline is not None
        and now < tender.bid_deadline
    )


def may_ask_now(user: Optional[User], tender: Tender, now: datetime) -> bool:
    return can_ask_question(user, tender) and questions_open(tender, now)


def answer_is_late(tender: Tender, now: datetime) -> bool:
    """An answer given ``now`` reaches the bidders less than six days before the deadline (§20(3) VgV)."""
    return tender.bid_deadline is not None and now > tender.bid_deadline - timedelta(
        days=ANSWER_DAYS_BEFORE_DEADLINE
    )


def proposed_deadline(deadline: datetime, answered_at: datetime) -> datetime:
    """The deadline to propose after a late answer: whole days later, at the same time of day.

    The bidders planned for the deadline's time of day (Europe/Berlin), so the proposal keeps it
    and moves the deadline by the fewest whole days that leave six days between the answer and
    the new deadline (§20(3) VgV). Counting in local days keeps the time right across a change
    between summer and winter time.
    """
    local = deadline.astimezone(BERLIN)
    earliest = answered_at + timedelta(days=ANSWER_DAYS_BEFORE_DEADLINE)
    day = local.date()
    while True:
        day += timedelta(days=1)
        candidate = datetime.combine(day, local.timetz().replace(tzinfo=None), BERLIN)
        if candidate >= earliest:
            return candidate.astimezone(UTC)


def questions_url(tender: Tender) -> str:
    return external_url("tenders.questions", tender_id=tender.id)


def _question_audit(question: Question) -> dict[str, Any]:
    # the audit keeps who asked (the record is internal); the public answer never shows it
    return {
        "question_id": question.id,
        "number": question.number,
        "organisation_id": question.organisation_id,
        "length": len(question.text),
    }


def is_vendor_user(user: User) -> bool:
    """A vendor's user: tells a vendor who is too late (409) from someone who may never ask (403)."""
    return user.organisation.kind is OrganisationKind.vendor and user.has_role(Role.vendor)


# --- asking and answering ---------------------------------------------------------------------


def ask_question(actor: User, tender: Tender, text: str, now: datetime) -> Question:
    """Ask a bidder question; the lead's officers are told by mail.

    :param text: the question; between 10 and 4000 characters
    """
    if not can_view_public(actor, tender):
        raise NotFound(_("Diese Ausschreibung gibt es nicht."))
    if not can_ask_question(actor, tender) and not (is_public(tender) and is_vendor_user(actor)):
        raise PermissionDenied(
            _("Bieterfragen stellen angemeldete Unternehmen zu veröffentlichten Ausschreibungen.")
        )
    if not can_ask_question(actor, tender) or not questions_open(tender, now):
        raise Conflict(_("Die Angebotsfrist ist abgelaufen: Fragen sind nicht mehr möglich."))
    text = text.strip()
    if not MIN_QUESTION_LENGTH <= len(text) <= MAX_QUESTION_LENGTH:
        raise DomainError(
            _(
                "Die Frage muss zwischen %(min)d und %(max)d Zeichen lang sein.",
                min=MIN_QUESTION_LENGTH,
                max=MAX_QUESTION_LENGTH,
            )
        )
    # Touching the tender makes two questions asked at the same moment conflict (409) rather
    # than collide on their number.
    tender.updated_at = now
    db.session.flush()
    question = Question(
        number=max((q.number for q in tender.questions), default=0) + 1,
        asked_by_id=actor.id,
        organisation_id=actor.organisation_id,
        text=text,
        asked_at=now,
    )
    tender.questions.append(question)
    db.session.flush()
    audit_tender("question_asked", actor, tender, now, after=_question_audit(question))
    for officer in active_officers([tender.lead_organisation_id]):
        queue_mail(
            officer.email,
            "tender_question_asked",
            officer.language,
            user=officer,
            tender=tender,
            question=question,
            link=questions_url(tender),
        )
    return question


@dataclass(frozen=True)
class AnswerOutcome:
    question: Question
    # set when the answer came later than six days before the deadline (§20(3) VgV)
    proposed_deadline: Optional[datetime] = None

    @property
    def late(self) -> bool:
        return self.proposed_deadline is not None


def answer_question(actor: User, question: Question, answer: str, now: datetime) -> AnswerOutcome:
    """Publish the answer to all vendors without naming who asked (§97(2) GWB) and mail them.

    Mail goes to every vendor user who downloaded the documents and to the asker. An answer
    later than six days before the deadline returns a proposed new deadline (§20(3) VgV).

    :param answer: the answer; published as written, it cannot be changed afterwards
    """
    tender = question.tender
    if not can_view_tender(actor, tender):
        raise NotFound(_("Diese Ausschreibung gibt es nicht."))
    if not can_answer_questions(actor, tender):
        raise PermissionDenied(_("Bieterfragen beantworten die Vergabestellen der federführenden Kommune."))
    if question.is_answered:
        raise Conflict(_("Diese Frage ist schon beantwortet; die Antwort ist veröffentlicht."))
    if not questions_open(tender, now):
        raise Conflict(_("Fragen werden nur bis zum Ablauf der Angebotsfrist beantwortet."))
    answer = answer.strip()
    if not answer:
        raise DomainError(_("Bitte geben Sie eine Antwort ein."))
    if len(answer) > MAX_ANSWER_LENGTH:
        raise DomainError(_("Die Antwort darf höchstens %(max)d Zeichen lang sein.", max=MAX_ANSWER_LENGTH))
    question.answer = answer
    question.answered_by_id = actor.id
    question.answered_at = now
    tender.updated_at = now
    db.session.flush()
    late = answer_is_late(tender, now)
    audit_tender(
        "question_answered",
        actor,
        tender,
        now,
        after={"question_id": question.id, "number": question.number, "late": late},
    )
    recipients = {user.id: user for user in downloaders(tender)}
    if question.asked_by.status is UserStatus.active:
        recipients.setdefault(question.asked_by.id, question.asked_by)
    for user in recipients.values():
        queue_mail(
            user.email,
            "tender_answer_published",
            user.language,
            user=user,
            tender=tender,
            question=question,
            link=public_link(tender),
        )
    assert tender.bid_deadline is not None  # questions_open checked it
    return AnswerOutcome(question, proposed_deadline(tender.bid_deadline, now) if late else None)


def visible_questions(user: Optional[User], tender: Tender) -> list[Question]:
    """The lead's officers see every question; others the answered ones and their company's own."""
    if can_answer_questions(user, tender):
        return list(tender.questions)
    organisation_id = getattr(user, "organisation_id", None) if user and user.is_authenticated else None
    return [q for q in tender.questions if q.is_answered or q.organisation_id == organisation_id]


def published_answers(tender: Tender) -> list[Question]:
    """Answered questions as everyone sees them, by number."""
    return [question for question in tender.questions if question.is_answered]


def load_question(tender: Tender, question_id: int) -> Question:
    question = next((q for q in tender.questions if q.id == question_id), None)
    if question is None:
        raise NotFound(_("Diese Frage gibt es nicht."))
    return question


# --- extending the bid deadline ---------------------------------------------------------------


def can_extend_deadline(user: Optional[User], tender: Tender, now: datetime) -> bool:
    return can_manage_tender(user, tender) and questions_open(tender, now)


def notified_vendors(tender: Tender) -> list[User]:
    """Active vendor users who downloaded the documents or asked a question."""
    users = {user.id: user for user in downloaders(tender)}
    for question in tender.questions:
        if question.asked_by.status is UserStatus.active:
            users.setdefault(question.asked_by.id, question.asked_by)
    return sorted(users.values(), key=lambda user: user.id)


def extend_deadline(
    actor: User, tender: Tender, new_deadline: datetime, reason: str, now: datetime
) -> Tender:
    """Move the bid deadline later while it runs; every vendor who took part hears of it.

    :param new_deadline: aware; later than the current deadline
    :param reason: why (e.g. a late answer, §20(3) VgV); mailed to the vendors
    """
    if not can_view_tender(actor, tender):
        raise NotFound(_("Diese Ausschreibung gibt es nicht."))
    if not can_manage_tender(actor, tender):
        raise PermissionDenied(
            _("Die Angebotsfrist ändern nur die Vergabestellen der federführenden Kommune.")
        )
    if not questions_open(tender, now):
        raise Conflict(
            _(
                "Die Angebotsfrist kann nur verlängert werden, solange die Ausschreibung läuft und die "
                "Frist nicht abgelaufen ist."
            )
        )
    if new_deadline.tzinfo is None:
        raise ValueError("new_deadline must be timezone-aware")
    old = tender.bid_deadline
    assert old is not None  # questions_open checked it
    if new_deadline <= old:
        raise DomainError(_("Die neue Angebotsfrist muss nach der bisherigen liegen."))
    if new_deadline > old + MAX_EXTENSION:
        raise DomainError(_("Die neue Angebotsfrist darf höchstens ein Jahr nach der bisherigen liegen."))
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Bitte geben Sie den Grund für die Verlängerung an."))
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError(_("Der Grund darf höchstens %(max)d Zeichen lang sein.", max=MAX_REASON_LENGTH))
    tender.bid_deadline = new_deadline.astimezone(UTC)
    tender.updated_at = now
    db.session.flush()
    audit_tender(
        "deadline_extended",
        actor,
        tender,
        now,
        before={"bid_deadline": old.isoformat()},
        after={"bid_deadline": tender.bid_deadline.isoformat(), "reason": reason},
    )
    for user in notified_vendors(tender):
        queue_mail(
            user.email,
            "tender_deadline_extended",
            user.language,
            user=user,
            tender=tender,
            old_deadline=old,
            new_deadline=tender.bid_deadline,
            reason=reason,
            link=public_link(tender),
        )
    return tender
