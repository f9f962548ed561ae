"""The support desk's operations: requests, the conversation, the queue, introductions, figures.

- ``send_request``: a member of a municipality asks the Kompetenzzentrum (topic, subject, text,
  attachments, optionally one of the municipality's own needs or tenders or a published
  solution); the curators are told by mail.
- ``reply``: the municipality writes again. A reply to an answered or closed request reopens it
  (the machine's ``reopen``); a reply to a new or assigned request only adds a message.
- ``assign`` / ``answer`` / ``close``: the curators' moves (close also for the municipality);
  the municipality (requester and officers) is told of answers and introductions.
- ``introduce``: a curator connects the municipality with a pilot municipality whose published
  pilot project fits; one mail to the officers of both, each naming the other's contact; kept as
  an ``Introduction`` and as a desk message in the conversation.
- ``desk_figures``: requests, answers and introductions of a period, for funded (Modellprojekt)
  and non-funded municipalities separately.

Every state change goes through ``workflows.advisory.ADVISORY`` with an audit entry
``desk.<trigger>``; forms carry the request's version, so a stale page is a 409 (``Conflict``).
Curators write only answers and introductions: every desk message that is not an introduction is
an answer (``desk_figures`` relies on it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Optional

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from werkzeug.datastructures import FileStorage

from procurement.accounts.models import Organisation, OrganisationKind, Role, User, UserRole
from procurement.accounts.services import active_officers
from procurement.audit.services import record
from procurement.desk.models import (
    AdvisoryRequest,
    AdvisoryTopic,
    Introduction,
    RequestAttachment,
    RequestMessage,
)
from procurement.desk.permissions import can_ask, can_reply, can_view_request, can_work_queue, is_curator
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.mail.services import queue_mail
from procurement.marketplace.documents import store_upload
from procurement.marketplace.models import PilotProject, PilotProjectCpv, Solution
from procurement.needs.models import Need
from procurement.tenders.models import Participant, Tender
from procurement.web import external_url
from workflows.account import UserStatus
from workflows.advisory import ADVISORY, AdvisoryStatus
from workflows.curation import EntryStatus
from workflows.machine import InvalidTransition

MAX_SUBJECT_LENGTH = 200
MAX_TEXT_LENGTH = 10_000
MAX_ATTACHMENTS = 5
# the same text sent twice within this window (a double submit) makes one request or message
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=2)
OPEN_STATES = (AdvisoryStatus.new, AdvisoryStatus.assigned, AdvisoryStatus.answered)


class AttachmentRefused(DomainError):
    """An attachment was refused (type, content, size, name, count); nothing was stored."""

    def __init__(self, message: str, status_code: int = 422) -> None:
        super().__init__(message)
        self.status_code = status_code


class LinkRefused(DomainError):
    """The need, tender or solution is not one the member may link the request to."""


# --- helpers ---------------------------------------------------------------------------------


def check_version(request: AdvisoryRequest, version: Optional[int]) -> None:
    if version is not None and version != request.version:
        raise Conflict(
            _(
                "Jemand anderes hat diese Anfrage gerade geändert. Ihre Änderung wurde nicht "
                "gespeichert. Bitte laden Sie die Seite neu und prüfen Sie den aktuellen Stand."
            )
        )


def _audit(action: str, actor: Optional[User], request: AdvisoryRequest, now: datetime, **after: Any) -> None:
    record(
        f"desk.{action}",
        actor=actor,
        object_type="advisory_request",
        object_id=request.id,
        now=now,
        organisation_id=request.organisation_id,
        after={
            "status": request.status.value,
            "assignee_id": request.assignee_id,
            "topic": request.topic.value,
            **after,
        },
    )


def _fire(actor: Optional[User], request: AdvisoryRequest, trigger: str, now: datetime, **audit: Any) -> None:
    before = request.status
    ADVISORY.fire(request, trigger, now)
    request.updated_at = now
    if request.status is AdvisoryStatus.closed:
        request.closed_at = now
    elif before is AdvisoryStatus.closed:
        request.closed_at = None
    db.session.flush()
    _audit(trigger, actor, request, now, before=before.value, **audit)


def _text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Bitte schreiben Sie einen Text."))
    if len(text) > MAX_TEXT_LENGTH:
        raise DomainError(_("Der Text ist zu lang (höchstens %(max)d Zeichen).", max=MAX_TEXT_LENGTH))
    return text


def _add_message(
    request: AdvisoryRequest,
    author: User,
    text: str,
    now: datetime,
    from_desk: bool,
    uploads: Iterable[FileStorage] = (),
) -> RequestMessage:
    files = [upload for upload in uploads if upload and upload.filename]
    if len(files) > MAX_ATTACHMENTS:
        raise AttachmentRefused(_("Höchstens %(max)d Anhänge je Nachricht.", max=MAX_ATTACHMENTS))
    message = RequestMessage(author_id=author.id, from_desk=from_desk, text=text, created_at=now)
    for upload in files:
        try:
            filename, file_type, stored = store_upload(upload)
        except DomainError as err:
            raise AttachmentRefused(err.message, err.status_code) from err
        message.attachments.append(
            RequestAttachment(
                filename=filename,
                content_type=file_type.content_type,
                size=stored.size,
                sha256=stored.sha256,
                storage_key=stored.key,
                uploaded_at=now,
            )
        )
    request.messages.append(message)
    request.updated_at = now
    db.session.flush()
    return message


def _attachment_audit(message: RequestMessage) -> list[dict[str, object]]:
    return [{"filename": a.filename, "size": a.size, "sha256": a.sha256} for a in message.attachments]


def curators() -> list[User]:
    """The active curators and admins of the Kompetenzzentrum (who may be assigned), by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(
                Organisation.kind == OrganisationKind.competence_centre,
                User.status == UserStatus.active,
                User.id.in_(select(UserRole.user_id).where(UserRole.role.in_((Role.curator, Role.admin)))),
            )
            .order_by(User.name, User.id)
        )
    )


def _desk_recipients() -> list[User]:
    """Who is told of new requests: the active curators (admins only if there is no curator)."""
    people = curators()
    plain = [user for user in people if user.has_role(Role.curator)]
    return plain or people


def _municipality_recipients(request: AdvisoryRequest) -> list[User]:
    """The requester (if still active) and the active officers of the requesting municipality."""
    people: dict[int, User] = {}
    if request.created_by.status is UserStatus.active:
        people[request.created_by.id] = request.created_by
    for officer in active_officers([request.organisation_id]):
        people.setdefault(officer.id, officer)
    return list(people.values())


def _mail(users: Iterable[User], template: str, **context: object) -> None:
    for user in users:
        queue_mail(user.email, template, user.language, reader=user, **context)


# --- the links a request may carry -----------------------------------------------------------


def _own_tender(actor: User, tender: Tender) -> bool:
    if tender.lead_organisation_id == actor.organisation_id:
        return True
    return any(p.organisation_id == actor.organisation_id for p in tender.participants)


def link_choices(actor: User) -> dict[str, list[tuple[int, str]]]:
    """What a member may link a request to: own needs, own tenders, published solutions."""
    needs = db.session.execute(
        select(Need.id, Need.title).where(Need.organisation_id == actor.organisation_id).order_by(Need.title)
    ).all()
    tenders = db.session.execute(
        select(Tender.id, Tender.title)
        .where(
            (Tender.lead_organisation_id == actor.organisation_id)
            | Tender.id.in_(
                select(Participant.tender_id).where(Participant.organisation_id == actor.organisation_id)
            )
        )
        .order_by(Tender.title)
    ).all()
    solutions = db.session.execute(
        select(Solution.id, Solution.title)
        .where(Solution.status == EntryStatus.published)
        .order_by(Solution.title)
    ).all()
    return {
        "need": [(row.id, row.title) for row in needs],
        "tender": [(row.id, row.title) for row in tenders],
        "solution": [(row.id, row.title) for row in solutions],
    }


def _set_link(actor: User, request: AdvisoryRequest, link: Optional[tuple[str, int]]) -> None:
    if link is None:
        return
    kind, object_id = link
    refused = LinkRefused(_("Diese Verknüpfung können Sie nicht wählen."))
    if kind == "need":
        need = db.session.get(Need, object_id)
        if need is None or need.organisation_id != actor.organisation_id:
            raise refused
        request.need_id = need.id
    elif kind == "tender":
        tender = db.session.get(Tender, object_id)
        if tender is None or not _own_tender(actor, tender):
            raise refused
        request.tender_id = tender.id
    elif kind == "solution":
        solution = db.session.get(Solution, object_id)
        if solution is None or solution.status is not EntryStatus.published:
            raise refused
        request.solution_id = solution.id
    else:
        raise refused


def linked(request: AdvisoryRequest) -> Optional[tuple[str, Any]]:
    """The need, tender or solution the request is about, as (kind, row)."""
    if request.need_id:
        return "need", db.session.get(Need, request.need_id)
    if request.tender_id:
        return "tender", db.session.get(Tender, request.tender_id)
    if request.solution_id:
        return "solution", db.session.get(Solution, request.solution_id)
    return None


# --- the municipality's side -----------------------------------------------------------------


def send_request(
    actor: Optional[User],
    topic: AdvisoryTopic,
    subject: str,
    text: str,
    now: datetime,
    uploads: Iterable[FileStorage] = (),
    link: Optional[tuple[str, int]] = None,
) -> AdvisoryRequest:
    """Send an advisory request to the Kompetenzzentrum; the curators are told by mail.

    :param actor: a requester or officer of a municipality
    :param link: ("need" | "tender" | "solution", id): an own need or tender, a published solution
    :param uploads: up to ``MAX_ATTACHMENTS`` files (checked like marketplace documents)
    """
    if not can_ask(actor):
        raise PermissionDenied(_("Anfragen an das Kompetenzzentrum stellen Mitglieder einer Kommune."))
    assert actor is not None
    subject = (subject or "").strip()
    if not subject or len(subject) > MAX_SUBJECT_LENGTH:
        raise DomainError(
            _("Bitte geben Sie einen Betreff mit höchstens %(max)d Zeichen an.", max=MAX_SUBJECT_LENGTH)
        )
    text = _text(text)
    twin = db.session.scalars(
        select(AdvisoryRequest)
        .join(RequestMessage, RequestMessage.request_id == AdvisoryRequest.id)
        .where(
            AdvisoryRequest.created_by_id == actor.id,
            AdvisoryRequest.subject == subject,
            AdvisoryRequest.created_at >= now - DOUBLE_SUBMIT_WINDOW,
            RequestMessage.text == text,
        )
        .limit(1)
    ).first()
    if twin is not None:
        return twin  # the same request sent twice: keep the first
    request = AdvisoryRequest(
        organisation_id=actor.organisation_id,
        created_by_id=actor.id,
        topic=topic,
        subject=subject,
        status=ADVISORY.initial,
        created_at=now,
        updated_at=now,
    )
    _set_link(actor, request, link)
    db.session.add(request)
    message = _add_message(request, actor, text, now, from_desk=False, uploads=uploads)
    _audit(
        "create",
        actor,
        request,
        now,
        subject=subject,
        need_id=request.need_id,
        tender_id=request.tender_id,
        solution_id=request.solution_id,
        attachments=_attachment_audit(message),
    )
    _mail(
        _desk_recipients(),
        "desk_request_new",
        advisory=request,
        organisation=request.organisation,
        url=external_url("desk.request", request_id=request.id),
    )
    return request


def reply(
    actor: Optional[User],
    request: AdvisoryRequest,
    text: str,
    now: datetime,
    uploads: Iterable[FileStorage] = (),
    version: Optional[int] = None,
) -> RequestMessage:
    """The municipality writes in the conversation; an answered or closed request is reopened.

    :param actor: a member of the requesting municipality (curators answer with ``answer``)
    """
    if not can_reply(actor, request) or is_curator(actor):
        raise PermissionDenied(_("Hier schreibt die Kommune, die angefragt hat."))
    assert actor is not None
    check_version(request, version)
    text = _text(text)
    reopen = request.status in (AdvisoryStatus.answered, AdvisoryStatus.closed)
    if reopen and request.assignee_id is None:
        raise Conflict(
            _(
                "Diese Anfrage wurde geschlossen, bevor sie bearbeitet wurde. Bitte stellen Sie eine "
                "neue Anfrage."
            )
        )
    message = _add_message(request, actor, text, now, from_desk=False, uploads=uploads)
    if reopen:
        _fire(actor, request, "reopen", now, message_id=message.id, attachments=_attachment_audit(message))
        _mail(
            [request.assignee] if request.assignee else [],
            "desk_request_reply",
            advisory=request,
            url=external_url("desk.request", request_id=request.id),
        )
    else:
        _audit("reply", actor, request, now, message_id=message.id, attachments=_attachment_audit(message))
        if request.assignee is not None:
            _mail(
                [request.assignee],
                "desk_request_reply",
                advisory=request,
                url=external_url("desk.request", request_id=request.id),
            )
    return message


def close(
    actor: Optional[User], request: AdvisoryRequest, now: datetime, version: Optional[int] = None
) -> AdvisoryRequest:
    """Close the request (the municipality or a curator)."""
    if not can_reply(actor, request):
        raise PermissionDenied(_("Sie dürfen diese Anfrage nicht schließen."))
    check_version(request, version)
    _fire(actor, request, "close", now)
    return request


# --- the Kompetenzzentrum's side -------------------------------------------------------------


def _require_curator(actor: Optional[User]) -> User:
    if not can_work_queue(actor):
        raise PermissionDenied(_("Das dürfen nur die Kuratorinnen und Kuratoren des Kompetenzzentrums."))
    assert actor is not None
    return actor


def assign(
    actor: Optional[User],
    request: AdvisoryRequest,
    assignee: User,
    now: datetime,
    version: Optional[int] = None,
) -> AdvisoryRequest:
    """Give the request to ``assignee`` (the actor themselves or another curator)."""
    _require_curator(actor)
    check_version(request, version)
    if not is_curator(assignee) or assignee.status is not UserStatus.active:
        raise DomainError(_("Zuweisen können Sie nur an Kuratorinnen und Kuratoren des Kompetenzzentrums."))
    previous = request.assignee_id
    request.assignee_id = assignee.id
    _fire(actor, request, "assign", now, previous_assignee_id=previous)
    return request


def answer(
    actor: Optional[User],
    request: AdvisoryRequest,
    text: str,
    now: datetime,
    uploads: Iterable[FileStorage] = (),
    version: Optional[int] = None,
) -> RequestMessage:
    """Answer the request; a new one is assigned to the answering curator first.

    The municipality (requester and officers) is told by mail.
    """
    curator = _require_curator(actor)
    check_version(request, version)
    text = _text(text)
    if request.status is AdvisoryStatus.new:
        request.assignee_id = curator.id
        _fire(curator, request, "assign", now, previous_assignee_id=None)
    if request.status is not AdvisoryStatus.assigned:
        raise InvalidTransition("answer", request.status, ADVISORY.name)
    message = _add_message(request, curator, text, now, from_desk=True, uploads=uploads)
    request.answered_at = now
    _fire(curator, request, "answer", now, message_id=message.id, attachments=_attachment_audit(message))
    _mail(
        _municipality_recipients(request),
        "desk_request_answered",
        advisory=request,
        message=message,
        url=external_url("desk.request", request_id=request.id),
    )
    return message


def pilot_choices(request: AdvisoryRequest) -> tuple[list[PilotProject], list[PilotProject]]:
    """Published pilot projects of other municipalities: (suggested, the rest), by title.

    Suggested are those that fit what the request is linked to: projects with the linked
    solution, of its category, or with a CPV code in the group of the linked need or tender.
    """
    projects = list(
        db.session.scalars(
            select(PilotProject)
            .join(Organisation, Organisation.id == PilotProject.organisation_id)
            .where(
                PilotProject.status == EntryStatus.published,
                PilotProject.organisation_id != request.organisation_id,
                Organisation.kind == OrganisationKind.municipality,
            )
            .order_by(PilotProject.title, PilotProject.id)
        )
    )
    link = linked(request)
    matching: set[int] = set()
    if link is not None and link[1] is not None:
        kind, row = link
        if kind == "solution":
            matching = {p.id for p in projects if p.category is row.category or row in p.solutions}
        else:
            group = row.cpv_code[:5]
            codes = db.session.execute(
                select(PilotProjectCpv.pilot_project_id).where(PilotProjectCpv.code.startswith(group))
            ).scalars()
            matching = set(codes)
    suggested = [p for p in projects if p.id in matching]
    return suggested, [p for p in projects if p.id not in matching]


def introduce(
    actor: Optional[User],
    request: AdvisoryRequest,
    pilot_project: PilotProject,
    note: str,
    now: datetime,
    version: Optional[int] = None,
) -> Introduction:
    """Connect the requesting municipality with the municipality that ran ``pilot_project``.

    One mail to the officers of both (and the requester), each naming the other's contact; the
    introduction is kept and shown as a desk message in the conversation.
    """
    curator = _require_curator(actor)
    check_version(request, version)
    if request.status is AdvisoryStatus.closed:
        raise Conflict(_("Die Anfrage ist geschlossen."))
    pilot_organisation = pilot_project.organisation
    if (
        pilot_project.status is not EntryStatus.published
        or pilot_organisation.kind is not OrganisationKind.municipality
        or pilot_organisation.id == request.organisation_id
    ):
        raise DomainError(_("Wählen Sie ein veröffentlichtes Pilotprojekt einer anderen Kommune."))
    note = (note or "").strip()
    if len(note) > MAX_TEXT_LENGTH:
        raise DomainError(_("Der Text ist zu lang (höchstens %(max)d Zeichen).", max=MAX_TEXT_LENGTH))
    if any(i.pilot_project_id == pilot_project.id for i in request.introductions):
        raise Conflict(_("Diese Kommune wurde zu diesem Pilotprojekt bereits vorgestellt."))
    introduction = Introduction(
        pilot_organisation_id=pilot_organisation.id,
        pilot_project_id=pilot_project.id,
        note=note,
        introduced_by_id=curator.id,
        created_at=now,
    )
    request.introductions.append(introduction)
    text = _(
        "Vorstellung: Das Kompetenzzentrum hat Sie mit %(pilot)s bekannt gemacht, die das "
        "Pilotprojekt „%(project)s“ durchgeführt hat. Ansprechperson: %(name)s <%(email)s>.",
        pilot=pilot_organisation.name,
        project=pilot_project.title,
        name=pilot_project.contact_name,
        email=pilot_project.contact_email,
    )
    if note:
        text += "\n\n" + note
    message = _add_message(request, curator, text, now, from_desk=True)
    record(
        "desk.introduce",
        actor=curator,
        object_type="advisory_request",
        object_id=request.id,
        now=now,
        organisation_id=request.organisation_id,
        after={
            "introduction_id": introduction.id,
            "pilot_organisation_id": pilot_organisation.id,
            "pilot_project_id": pilot_project.id,
            "message_id": message.id,
        },
    )
    requester = request.created_by
    requester_contact = (
        (requester.name, requester.email) if requester.status is UserStatus.active else None
    ) or next(((u.name, u.email) for u in _municipality_recipients(request)), ("", ""))
    pilot_people = active_officers([pilot_organisation.id])
    context = {"advisory": request, "project": pilot_project, "note": note, "curator": curator}
    _mail(
        _municipality_recipients(request),
        "desk_introduction",
        other=pilot_organisation,
        contact=(pilot_project.contact_name, pilot_project.contact_email),
        asking=True,
        url=external_url("desk.request", request_id=request.id),
        **context,
    )
    _mail(
        pilot_people,
        "desk_introduction",
        other=request.organisation,
        contact=requester_contact,
        asking=False,
        url=None,
        **context,
    )
    return introduction


# --- lists -----------------------------------------------------------------------------------


def my_requests_query(actor: Optional[User]) -> Select[tuple[AdvisoryRequest]]:
    """The requests of the actor's municipality, the latest activity first."""
    if not can_ask(actor):
        raise PermissionDenied(_("Anfragen an das Kompetenzzentrum stellen Mitglieder einer Kommune."))
    return (
        select(AdvisoryRequest)
        .where(AdvisoryRequest.organisation_id == actor.organisation_id)  # type: ignore[union-attr]
        .order_by(AdvisoryRequest.updated_at.desc(), AdvisoryRequest.id.desc())
    )


def load_request(actor: Optional[User], request_id: int) -> AdvisoryRequest:
    """The request, if ``actor`` may read it (404 otherwise: nobody learns it exists)."""
    request = db.session.get(AdvisoryRequest, request_id)
    if request is None or not can_view_request(actor, request):
        raise NotFound(_("Diese Anfrage gibt es nicht."))
    return request


@dataclass(frozen=True)
class QueueFilter:
    """What the curators narrow the queue to; None means all (status None: the open ones)."""

    status: Optional[AdvisoryStatus] = None
    topic: Optional[AdvisoryTopic] = None
    assignee_id: Optional[int] = None  # 0: nobody assigned
    funded: Optional[bool] = None


def _queue_where(filters: QueueFilter, with_status: bool = True) -> list[Any]:
    conditions: list[Any] = []
    if with_status:
        if filters.status is None:
            conditions.append(AdvisoryRequest.status.in_(OPEN_STATES))
        else:
            conditions.append(AdvisoryRequest.status == filters.status)
    if filters.topic is not None:
        conditions.append(AdvisoryRequest.topic == filters.topic)
    if filters.assignee_id == 0:
        conditions.append(AdvisoryRequest.assignee_id.is_(None))
    elif filters.assignee_id is not None:
        conditions.append(AdvisoryRequest.assignee_id == filters.assignee_id)
    if filters.funded is not None:
        conditions.append(Organisation.funded.is_(filters.funded))
    return conditions


def queue_query(actor: Optional[User], filters: QueueFilter) -> Select[tuple[AdvisoryRequest]]:
    """The requests for the curators, oldest first."""
    _require_curator(actor)
    return (
        select(AdvisoryRequest)
        .join(Organisation, Organisation.id == AdvisoryRequest.organisation_id)
        .where(*_queue_where(filters))
        .order_by(AdvisoryRequest.created_at, AdvisoryRequest.id)
    )


def queue_counts(actor: Optional[User], filters: QueueFilter) -> dict[AdvisoryStatus, int]:
    """How many requests are in each status (the other filters applied)."""
    _require_curator(actor)
    rows = db.session.execute(
        select(AdvisoryRequest.status, func.count(AdvisoryRequest.id))
        .join(Organisation, Organisation.id == AdvisoryRequest.organisation_id)
        .where(*_queue_where(filters, with_status=False))
        .group_by(AdvisoryRequest.status)
    ).all()
    counts = {status: 0 for status in AdvisoryStatus}
    counts.update({status: number for status, number in rows})
    return counts


# --- figures for the Kompetenzzentrum --------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A half-open span of time [start, end) in UTC."""

    start: datetime
    end: datetime

    @classmethod
    def year(cls, year: int) -> Period:
        from zoneinfo import ZoneInfo

        berlin = ZoneInfo("Europe/Berlin")
        return cls(
            datetime(year, 1, 1, tzinfo=berlin).astimezone(UTC),
            datetime(year + 1, 1, 1, tzinfo=berlin).astimezone(UTC),
        )

    @classmethod
    def last_days(cls, days: int, now: datetime) -> Period:
        return cls(now - timedelta(days=days), now)


@dataclass
class DeskFigureRow:
    funded: bool
    municipalities: int = 0  # that sent a request in the period
    requests: int = 0
    answers: int = 0
    introductions: int = 0


@dataclass
class DeskFigures:
    period: Period
    funded: DeskFigureRow = field(default_factory=lambda: DeskFigureRow(True))
    non_funded: DeskFigureRow = field(default_factory=lambda: DeskFigureRow(False))

    @property
    def rows(self) -> list[DeskFigureRow]:
        return [self.non_funded, self.funded]


def desk_figures(period: Period) -> DeskFigures:
    """Requests, answers and introductions in ``period``, for funded and non-funded municipalities."""
    figures = DeskFigures(period)

    def row(funded: bool) -> DeskFigureRow:
        return figures.funded if funded else figures.non_funded

    in_period = AdvisoryRequest.created_at >= period.start, AdvisoryRequest.created_at < period.end
    for funded, requests, municipalities in db.session.execute(
        select(
            Organisation.funded, func.count(AdvisoryRequest.id), func.count(func.distinct(Organisation.id))
        )
        .join(Organisation, Organisation.id == AdvisoryRequest.organisation_id)
        .where(*in_period)
        .group_by(Organisation.funded)
    ).all():
        row(funded).requests = requests
        row(funded).municipalities = municipalities
    for funded, desk_messages in db.session.execute(
        select(Organisation.funded, func.count(RequestMessage.id))
        .join(AdvisoryRequest, AdvisoryRequest.id == RequestMessage.request_id)
        .join(Organisation, Organisation.id == AdvisoryRequest.organisation_id)
        .where(
            RequestMessage.from_desk.is_(True),
            RequestMessage.created_at >= period.start,
            RequestMessage.created_at < period.end,
        )
        .group_by(Organisation.funded)
    ).all():
        row(funded).answers += desk_messages
    for funded, introductions in db.session.execute(
        select(Organisation.funded, func.count(Introduction.id))
        .join(AdvisoryRequest, AdvisoryRequest.id == Introduction.request_id)
        .join(Organisation, Organisation.id == AdvisoryRequest.organisation_id)
        .where(Introduction.created_at >= period.start, Introduction.created_at < period.end)
        .group_by(Organisation.funded)
    ).all():
        # every introduction is also a desk message: it is not an answer
        row(funded).introductions = introductions
        row(funded).answers -= introductions
    return figures
