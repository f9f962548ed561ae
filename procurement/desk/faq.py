"""The FAQ of the support desk: answers curated from advisory requests, published for everyone.

Curators write, publish and unpublish entries; every change is audited. An entry made from a
request starts with the request's question and the desk's last answer, which name the requesting
municipality: it is published only when the municipality's name, its people's names and e-mail
addresses no longer appear (``identifying_terms`` / ``find_identifying``).

Search (``search_faq``) folds case and umlauts (ä -> ae, ß -> ss, other accents removed) on both
sides, so "Förderung", "foerderung" and "FÖRDERUNG" find the same entries; every word of the
query must occur (as part of a word, German compounds included) in the question or the answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from procurement.accounts.models import Organisation, User
from procurement.audit.services import record
from procurement.desk.models import AdvisoryRequest, AdvisoryTopic, FaqEntry
from procurement.desk.permissions import can_curate_faq
from procurement.errors import DomainError, PermissionDenied
from procurement.extensions import db
from procurement.search.engine import analyse

MAX_QUESTION = 300
MAX_ANSWER = 20000
SEARCH_LIMIT = 50

# Words of an organisation's name that do not identify it ("Stadt Talheim" -> "Talheim").
_GENERIC_NAME_WORDS = frozenset(
    """
    stadt gemeinde markt marktgemeinde landkreis kreis samtgemeinde verbandsgemeinde amt
    hansestadt grosse kreisstadt kreisfreie ortsgemeinde verwaltungsgemeinschaft an am der
    die das im in bei ob unter den dem des und
    """.split()
)
_UMLAUT_MAP = {"ä": "ae", "ö": "oe", "ü": "ue"}
_UMLAUTS = str.maketrans(_UMLAUT_MAP)
# A surname shorter than this ("Li") would match inside too many ordinary words.
_MIN_NAME_PART = 3


class NotAnonymised(DomainError):
    """The text still names the requesting municipality or its people."""

    status_code = 422

    def __init__(self, findings: Sequence[str]) -> None:
        listed = ", ".join(f"„{finding}“" for finding in findings)
        super().__init__(
            _l(
                "Der Eintrag wird nicht veröffentlicht: Frage oder Antwort nennen noch %(findings)s. "
                "Bitte anonymisieren Sie den Text."
            )
            % {"findings": listed}
        )
        self.findings = list(findings)


def fold(text: str) -> str:
    """Fold for comparison: case, umlauts as ae/oe/ue, ß as ss, other accents removed."""
    folded = unicodedata.normalize("NFKC", text or "").casefold().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# --- anonymisation --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    text: str
    case_sensitive: bool  # single words that are also ordinary German words ("Lange", "Lauter")


def _terms(organisation: Organisation) -> list[_Term]:
    terms: list[_Term] = [_Term(organisation.name, False)]
    distinctive = [
        word for word in organisation.name.split() if fold(word).strip(".,") not in _GENERIC_NAME_WORDS
    ]
    if len(distinctive) > 1:
        terms.append(_Term(" ".join(distinctive), False))
    terms.extend(_Term(word, True) for word in distinctive if len(word) >= _MIN_NAME_PART)
    if organisation.city:
        terms.append(_Term(organisation.city, " " in organisation.city.strip()))
    addresses = [organisation.email or "", *(member.email for member in organisation.members)]
    for address in filter(None, addresses):
        terms.append(_Term(address, False))
        terms.append(_Term(address.rpartition("@")[2], False))  # other addresses of the town
    for member in organisation.members:
        terms.append(_Term(member.name, False))
        parts = member.name.split()
        if len(parts) > 1 and len(parts[-1]) >= _MIN_NAME_PART:
            terms.append(_Term(parts[-1], True))
    unique: dict[tuple[str, bool], _Term] = {}
    for term in terms:
        key = (fold(term.text.strip()), term.case_sensitive)
        if key[0] and key not in unique:
            unique[key] = _Term(term.text.strip(), term.case_sensitive)
    return list(unique.values())


def identifying_terms(organisation: Organisation) -> list[str]:
    """What must not remain in a published answer: the municipality's name (and its
    distinctive words), its town, the names of its people (full and family name) and the
    e-mail addresses (and mail domains) of the municipality and its people."""
    return list(dict.fromkeys(term.text for term in _terms(organisation)))


def _umlauts_only(text: str) -> str:
    """Fold umlauts and accents but keep the case (for proper names that are also words)."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.translate(str.maketrans({"Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", **_UMLAUT_MAP}))
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _contains_word(text: str, term: str) -> bool:
    # Whole words only ("Amt" is not in "Samtgemeinde"), but a name with a German suffix is
    # still the name ("Talheimer", "Wiesentals").
    pattern = r"(?<!\w)" + re.escape(term) + r"(?:s|er|ern|ers|sche[nrms]?)?(?!\w)"
    return re.search(pattern, text) is not None


def find_identifying(texts: Iterable[str], organisation: Organisation) -> list[str]:
    """The identifying terms of ``organisation`` that occur in ``texts`` (as listed there)."""
    texts = list(texts)
    folded = "\n".join(fold(text) for text in texts)
    cased = "\n".join(_umlauts_only(text) for text in texts)
    found: list[str] = []
    for term in _terms(organisation):
        if term.case_sensitive:
            name = _umlauts_only(term.text)
            hit = _contains_word(cased, name) or _contains_word(cased, name.upper())
        else:
            hit = _contains_word(folded, fold(term.text))
        if hit and term.text not in found:
            found.append(term.text)
    return found


def anonymisation_findings(entry: FaqEntry) -> list[str]:
    """What still identifies the requesting municipality in ``entry`` (empty when none)."""
    source = _source_request(entry)
    if source is None:
        return []
    return find_identifying([entry.question, entry.answer], source.organisation)


def _source_request(entry: FaqEntry) -> Optional[AdvisoryRequest]:
    if entry.source_request_id is None:
        return None
    return db.session.get(AdvisoryRequest, entry.source_request_id)


def source_organisation(entry: FaqEntry) -> Optional[Organisation]:
    source = _source_request(entry)
    return source.organisation if source is not None else None


# --- reading --------------------------------------------------------------------------------


def published_query(topic: Optional[AdvisoryTopic] = None) -> Select[tuple[FaqEntry]]:
    statement = select(FaqEntry).where(FaqEntry.published_at.is_not(None))
    if topic is not None:
        statement = statement.where(FaqEntry.topic == topic)
    return statement.order_by(FaqEntry.topic, FaqEntry.question, FaqEntry.id)


def all_entries() -> list[FaqEntry]:
    """Every entry for the curators: drafts first, then the published ones."""
    statement = select(FaqEntry).order_by(
        FaqEntry.published_at.is_not(None), FaqEntry.updated_at.desc(), FaqEntry.id.desc()
    )
    return list(db.session.scalars(statement))


def can_view_entry(user: Optional[User], entry: FaqEntry) -> bool:
    return entry.published_at is not None or can_curate_faq(user)


# Nouns in -ung name what their verb does: "Förderung" should find "fördert", "Förderprogramm".
_NOUN_ENDINGS = ("ungen", "ung")


def _stem(word: str) -> str:
    for ending in _NOUN_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


@dataclass(frozen=True)
class FaqHit:
    entry_id: int
    topic: AdvisoryTopic
    question: str
    answer: str


def search_faq(text: str, topic: Optional[AdvisoryTopic] = None, limit: int = SEARCH_LIMIT) -> list[FaqHit]:
    """Published entries whose question or answer contains every word of ``text``.

    Words are reduced like the marketplace search (stop words dropped, one German inflection
    ending removed, here also -ung) and matched anywhere in a word after folding; hits in the
    question first.
    """
    stems = list(dict.fromkeys(_stem(fold(stem)) for stem in analyse(text).stems))
    if not stems:
        return []
    statement = select(FaqEntry.id, FaqEntry.topic, FaqEntry.question, FaqEntry.answer).where(
        FaqEntry.published_at.is_not(None)
    )
    if topic is not None:
        statement = statement.where(FaqEntry.topic == topic)
    scored: list[tuple[int, str, FaqHit]] = []
    for row in db.session.execute(statement):
        question, answer = fold(row.question), fold(row.answer)
        if all(stem in question or stem in answer for stem in stems):
            in_question = sum(stem in question for stem in stems)
            hit = FaqHit(row.id, row.topic, row.question, row.answer)
            scored.append((-in_question, question, hit))
    scored.sort(key=lambda item: (item[0], item[1], item[2].entry_id))
    return [hit for _score, _key, hit in scored[:limit]]


# --- drafting from a request ----------------------------------------------------------------


def draft_from_request(request: AdvisoryRequest) -> tuple[AdvisoryTopic, str, str]:
    """Topic, question and answer to start an entry with: the municipality's first message
    (the question, or the subject if there is none) and the desk's last answer (introductions
    to a pilot municipality left out)."""
    question = next((m.text for m in request.messages if not m.from_desk), "") or request.subject
    # an introduction writes its own desk message (same curator, same moment): not an answer
    introduced = {(intro.introduced_by_id, intro.created_at) for intro in request.introductions}
    desk = [m for m in request.messages if m.from_desk]
    answers = [m for m in desk if (m.author_id, m.created_at) not in introduced] or desk
    answer = answers[-1].text if answers else ""
    return request.topic, question.strip()[:MAX_QUESTION], answer.strip()[:MAX_ANSWER]


# --- writing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FaqData:
    topic: AdvisoryTopic
    question: str
    answer: str


def _ensure_curator(actor: User) -> None:
    if not can_curate_faq(actor):
        raise PermissionDenied(_l("Nur das Kompetenzzentrum pflegt die häufigen Fragen."))


def _snapshot(entry: FaqEntry) -> dict[str, Any]:
    return {"topic": entry.topic.value, "question": entry.question, "answer": entry.answer}


def _apply(entry: FaqEntry, data: FaqData) -> None:
    entry.topic = data.topic
    entry.question = data.question.strip()
    entry.answer = data.answer.strip().replace("\r\n", "\n")


def _audit(action: str, actor: User, entry: FaqEntry, now: datetime, **kw: Any) -> None:
    record(
        action,
        actor=actor,
        object_type="faq_entry",
        object_id=entry.id,
        organisation_id=actor.organisation_id,
        now=now,
        **kw,
    )


def create_entry(
    actor: User, data: FaqData, now: datetime, source_request: Optional[AdvisoryRequest] = None
) -> FaqEntry:
    """Write a new, unpublished entry.

    :param source_request: the advisory request the answer was curated from, if any
    """
    _ensure_curator(actor)
    entry = FaqEntry(
        source_request_id=source_request.id if source_request is not None else None,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    _apply(entry, data)
    db.session.add(entry)
    db.session.flush()
    after = _snapshot(entry) | {"source_request_id": entry.source_request_id}
    _audit("faq.created", actor, entry, now, after=after)
    return entry


def update_entry(actor: User, entry: FaqEntry, data: FaqData, now: datetime) -> None:
    """Change an entry; a published one stays published only if it is still anonymous."""
    _ensure_curator(actor)
    before = _snapshot(entry)
    _apply(entry, data)
    if entry.published_at is not None:
        findings = anonymisation_findings(entry)
        if findings:
            raise NotAnonymised(findings)
    after = _snapshot(entry)
    changed = {key for key in after if after[key] != before[key]}
    if not changed:
        return
    entry.updated_at = now
    db.session.flush()
    _audit(
        "faq.updated",
        actor,
        entry,
        now,
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
    )


def publish_entry(actor: User, entry: FaqEntry, now: datetime) -> None:
    """Publish an entry for everyone; refused while it still identifies the requester."""
    _ensure_curator(actor)
    if entry.published_at is not None:
        return
    findings = anonymisation_findings(entry)
    if findings:
        raise NotAnonymised(findings)
    entry.published_at = now
    entry.updated_at = now
    db.session.flush()
    _audit("faq.published", actor, entry, now, after={"question": entry.question})


def unpublish_entry(actor: User, entry: FaqEntry, now: datetime) -> None:
    """Take an entry off the public FAQ (it stays as a draft)."""
    _ensure_curator(actor)
    if entry.published_at is None:
        return
    entry.published_at = None
    entry.updated_at = now
    db.session.flush()
    _audit("faq.unpublished", actor, entry, now, after={"question": entry.question})
