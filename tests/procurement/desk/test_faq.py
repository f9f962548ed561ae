"""FAQ: only published answers are public, only curators write them, answers curated from a
request are published only once they no longer name the requesting municipality or its people."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from procurement.accounts.models import Organisation, User
from procurement.desk import faq
from procurement.desk.models import AdvisoryRequest, AdvisoryTopic, FaqEntry, Introduction, RequestMessage
from procurement.extensions import db
from tests.conftest import Auth, audit_actions, count, one, page_text, submit

CURATOR = "kuratorin@kompetenzzentrum.example"
KZ_ADMIN = "admin@kompetenzzentrum.example"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

ASKED = (
    "Guten Tag, hier ist Tobias Heide aus der Gemeinde Kleinmoorbach. Wir suchen eine einfache "
    "Lösung für die Erfassung von Parkplätzen. Bitte antworten Sie an bedarf@kleinmoorbach.example."
)
FIRST_ANSWER = "Wir melden uns in Kürze."
LAST_ANSWER = (
    "Liebe Frau Brandt, für Kleinmoorbach empfehlen wir Parksensoren mit LoRaWAN. Die Stadt Talheim "
    "hat damit gute Erfahrungen gemacht."
)
CLEAN_QUESTION = "Wie erfasst eine kleine Gemeinde freie Parkplätze?"
CLEAN_ANSWER = "Parksensoren mit LoRaWAN sind günstig. Die Stadt Talheim hat damit gute Erfahrungen gemacht."


def _user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def _organisation(name: str) -> Organisation:
    return db.session.scalars(select(Organisation).where(Organisation.name == name)).one()


def make_request(app: Flask, organisation: str = "Gemeinde Kleinmoorbach") -> int:
    """An answered request of a (non-funded) municipality with its conversation."""
    with app.app_context():
        org = _organisation(organisation)
        asker = org.members[0]
        curator = _user(CURATOR)
        request = AdvisoryRequest(
            organisation=org,
            created_by=asker,
            topic=AdvisoryTopic.finding_solution,
            subject="Parkplätze erfassen",
        )
        request.messages = [
            RequestMessage(author=asker, text=ASKED),
            RequestMessage(author=curator, from_desk=True, text=FIRST_ANSWER),
            RequestMessage(author=asker, text="Danke, wir warten."),
            RequestMessage(author=curator, from_desk=True, text=LAST_ANSWER),
        ]
        db.session.add(request)
        db.session.commit()
        return request.id


def make_entry(
    app: Flask,
    question: str = CLEAN_QUESTION,
    answer: str = CLEAN_ANSWER,
    *,
    published: bool = False,
    request_id: int | None = None,
    topic: AdvisoryTopic = AdvisoryTopic.finding_solution,
) -> int:
    with app.test_request_context():
        curator = _user(CURATOR)
        source = db.session.get(AdvisoryRequest, request_id) if request_id else None
        entry = faq.create_entry(curator, faq.FaqData(topic, question, answer), NOW, source_request=source)
        if published:
            faq.publish_entry(curator, entry, NOW)
        db.session.commit()
        return entry.id


@pytest.fixture
def curator(auth: Auth, demo: None) -> Auth:
    auth.login(CURATOR)
    return auth


# --- visibility -----------------------------------------------------------------------------


@pytest.mark.parametrize("email", [None, "bedarf@kleinmoorbach.example", "angebot@energienetz.example"])
def test_unpublished_entries_are_invisible_outside_the_kompetenzzentrum(
    app: Flask, client: FlaskClient, auth: Auth, demo: None, email: str | None
) -> None:
    published = make_entry(app, "Wer berät zu Parksensoren?", "Das Kompetenzzentrum.", published=True)
    draft = make_entry(app, "Geheimer Entwurf zu Parksensoren?", "Noch nicht fertig.")
    if email:
        auth.login(email)
    listing = page_text(client.get("/faq"))
    assert "Wer berät zu Parksensoren?" in listing
    assert "Geheimer Entwurf" not in listing
    assert client.get(f"/faq/{published}").status_code == 200
    assert client.get(f"/faq/{draft}").status_code == 404
    searched = page_text(client.get("/faq?q=Parksensoren"))
    assert "Wer berät zu Parksensoren?" in searched and "Geheimer Entwurf" not in searched
    assert client.get(f"/kompetenzzentrum/faq/{draft}/bearbeiten").status_code in (302, 403)


def test_faq_lists_published_answers_by_topic(app: Flask, client: FlaskClient, demo: None) -> None:
    make_entry(
        app,
        "Wie finanzieren wir Sensoren?",
        "Mit Fördermitteln.",
        published=True,
        topic=AdvisoryTopic.funding,
    )
    make_entry(
        app, "Wer wartet die Sensoren?", "Der Anbieter.", published=True, topic=AdvisoryTopic.operation
    )
    text = page_text(client.get("/faq"))
    assert text.index("Förderung") < text.index("Wie finanzieren wir Sensoren?")
    assert text.index("Betrieb") < text.index("Wer wartet die Sensoren?")
    funding_only = page_text(client.get("/faq?topic=funding"))
    assert "Wie finanzieren" in funding_only and "Wer wartet" not in funding_only
    # an unknown topic is ignored rather than an error
    assert client.get("/faq?topic=nonsense").status_code == 200


def test_unpublishing_takes_an_answer_off_the_public_faq(
    app: Flask, client: FlaskClient, curator: Auth
) -> None:
    entry_id = make_entry(app, published=True)
    response = submit(
        client,
        f"/kompetenzzentrum/faq/{entry_id}/zurueckziehen",
        {},
        form_url=f"/kompetenzzentrum/faq/{entry_id}/bearbeiten",
    )
    assert response.status_code == 302
    assert one(app, FaqEntry, FaqEntry.id == entry_id).published_at is None
    curator.logout()
    assert client.get(f"/faq/{entry_id}").status_code == 404
    assert CLEAN_QUESTION not in page_text(client.get("/faq"))
    assert "faq.unpublished" in audit_actions(app)


# --- curators only --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "bedarf@kleinmoorbach.example",  # requester
        "vergabe@talheim.example",  # officer
        "pruefung@talheim.example",  # auditor
        "angebot@verkehrstechnik-sued.example",  # vendor
    ],
)
def test_only_the_kompetenzzentrum_writes_the_faq(
    app: Flask, client: FlaskClient, auth: Auth, demo: None, email: str
) -> None:
    draft = make_entry(app)
    published = make_entry(app, "Veröffentlichte Frage?", "Antwort.", published=True)
    request_id = make_request(app)
    auth.login(email)
    form_page = "/faq"  # a page with a form: its CSRF token is valid for every form
    for url in (
        "/kompetenzzentrum/faq",
        "/kompetenzzentrum/faq/neu",
        f"/kompetenzzentrum/faq/{draft}/bearbeiten",
        f"/kompetenzzentrum/anfragen/{request_id}/faq",
    ):
        assert client.get(url).status_code == 403, url
    posts = {
        "/kompetenzzentrum/faq/neu": {"topic": "funding", "question": "Neu?", "answer": "Ja."},
        f"/kompetenzzentrum/faq/{draft}/bearbeiten": {
            "topic": "funding",
            "question": "Geändert?",
            "answer": "Ja.",
        },
        f"/kompetenzzentrum/anfragen/{request_id}/faq": {
            "topic": "funding",
            "question": "Neu?",
            "answer": "Ja.",
        },
        f"/kompetenzzentrum/faq/{draft}/veroeffentlichen": {},
        f"/kompetenzzentrum/faq/{published}/zurueckziehen": {},
    }
    for url, data in posts.items():
        assert submit(client, url, data, form_url=form_page).status_code == 403, url
    assert count(app, FaqEntry) == 2
    assert one(app, FaqEntry, FaqEntry.id == draft).published_at is None
    assert one(app, FaqEntry, FaqEntry.id == draft).question == CLEAN_QUESTION
    assert one(app, FaqEntry, FaqEntry.id == published).published_at is not None


def test_anonymous_visitors_are_sent_to_the_login(app: Flask, client: FlaskClient, demo: None) -> None:
    response = client.get("/kompetenzzentrum/faq/neu")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("email", [CURATOR, KZ_ADMIN])
def test_curator_writes_edits_and_publishes_an_entry_audited(
    app: Flask, client: FlaskClient, auth: Auth, demo: None, email: str
) -> None:
    auth.login(email)
    response = submit(
        client,
        "/kompetenzzentrum/faq/neu",
        {
            "topic": "legal_procedure",
            "question": "Dürfen Kommunen gemeinsam ausschreiben?",
            "answer": "Ja, §4 VgV.",
        },
    )
    assert response.status_code == 302
    entry = one(app, FaqEntry)
    assert (entry.topic, entry.published_at, entry.source_request_id) == (
        AdvisoryTopic.legal_procedure,
        None,
        None,
    )
    edit = f"/kompetenzzentrum/faq/{entry.id}/bearbeiten"
    submit(client, edit, {"topic": "joint_tender", "question": entry.question, "answer": "Ja, nach §4 VgV."})
    assert (
        submit(client, f"/kompetenzzentrum/faq/{entry.id}/veroeffentlichen", {}, form_url=edit).status_code
        == 302
    )
    entry = one(app, FaqEntry)
    assert (entry.topic, entry.answer) == (AdvisoryTopic.joint_tender, "Ja, nach §4 VgV.")
    assert entry.published_at is not None
    assert audit_actions(app)[-3:] == ["faq.created", "faq.updated", "faq.published"]
    assert "Ja, nach §4 VgV." in page_text(client.get(f"/faq/{entry.id}"))


def test_an_entry_needs_question_and_answer(app: Flask, client: FlaskClient, curator: Auth) -> None:
    response = submit(
        client, "/kompetenzzentrum/faq/neu", {"topic": "funding", "question": "", "answer": " "}
    )
    assert response.status_code == 422
    assert "Bitte füllen Sie dieses Feld aus." in page_text(response)
    assert count(app, FaqEntry) == 0


# --- from a request, anonymised -------------------------------------------------------------


def test_entry_from_a_request_starts_with_its_question_and_the_last_answer(
    app: Flask, client: FlaskClient, curator: Auth
) -> None:
    request_id = make_request(app)
    response = client.get(f"/kompetenzzentrum/anfragen/{request_id}/faq")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Parkplätzen" in html and "Parksensoren mit LoRaWAN" in html
    assert FIRST_ANSWER not in html
    text = page_text(response)
    assert "aus einer Anfrage von Gemeinde Kleinmoorbach" in text
    for finding in ("Kleinmoorbach", "Tobias Heide", "Brandt", "bedarf@kleinmoorbach.example"):
        assert finding in text.split("Im Text stehen noch:")[1], finding
    # the curator saves the prefilled draft as it is: it is kept, but not published
    response = submit(
        client,
        f"/kompetenzzentrum/anfragen/{request_id}/faq",
        {"topic": "finding_solution", "question": ASKED[:300], "answer": LAST_ANSWER},
    )
    assert response.status_code == 302
    entry = one(app, FaqEntry)
    assert entry.source_request_id == request_id and entry.published_at is None
    assert audit_actions(app)[-1] == "faq.created"


def test_an_introduction_is_not_taken_for_the_last_answer(app: Flask, demo: None) -> None:
    request_id = make_request(app)
    with app.app_context():
        request = db.session.get(AdvisoryRequest, request_id)
        curator = _user(CURATOR)
        later = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
        request.introductions.append(
            Introduction(
                pilot_organisation=_organisation("Stadt Talheim an der Lauter"),
                introduced_by=curator,
                created_at=later,
            )
        )
        request.messages.append(
            RequestMessage(author=curator, from_desk=True, text="Vorstellung: Talheim", created_at=later)
        )
        db.session.commit()
        request = db.session.get(AdvisoryRequest, request_id)
        assert faq.draft_from_request(request)[2] == LAST_ANSWER


def test_publishing_is_refused_while_the_municipality_is_named(
    app: Flask, client: FlaskClient, curator: Auth
) -> None:
    request_id = make_request(app)
    entry_id = make_entry(app, ASKED[:300], LAST_ANSWER, request_id=request_id)
    edit = f"/kompetenzzentrum/faq/{entry_id}/bearbeiten"
    response = submit(client, f"/kompetenzzentrum/faq/{entry_id}/veroeffentlichen", {}, form_url=edit)
    assert response.status_code == 422
    assert "nicht veröffentlicht" in page_text(response) and "„Kleinmoorbach“" in page_text(response)
    assert one(app, FaqEntry, FaqEntry.id == entry_id).published_at is None
    assert "faq.published" not in audit_actions(app)
    # anonymised, it goes out
    submit(client, edit, {"topic": "finding_solution", "question": CLEAN_QUESTION, "answer": CLEAN_ANSWER})
    assert "Geprüft" in page_text(client.get(edit))
    assert (
        submit(client, f"/kompetenzzentrum/faq/{entry_id}/veroeffentlichen", {}, form_url=edit).status_code
        == 302
    )
    assert one(app, FaqEntry, FaqEntry.id == entry_id).published_at is not None


@pytest.mark.parametrize(
    "leak",
    [
        "Gemeinde Kleinmoorbach",
        "die Kleinmoorbacher Verwaltung",
        "KLEINMOORBACH",
        "in kleinmoorbach",
        "Tobias Heide",
        "Frau Brandt",
        "gisela brandt",
        "vergabe@kleinmoorbach.example",
        "buergermeister@kleinmoorbach.example",
        "29493 Kleinmoorbach",
    ],
)
def test_names_and_addresses_of_the_requester_block_publishing(app: Flask, demo: None, leak: str) -> None:
    request_id = make_request(app)
    entry_id = make_entry(app, CLEAN_QUESTION, f"{CLEAN_ANSWER} Hinweis: {leak}.", request_id=request_id)
    with app.test_request_context():
        entry = db.session.get(FaqEntry, entry_id)
        with pytest.raises(faq.NotAnonymised) as refused:
            faq.publish_entry(_user(CURATOR), entry, NOW)
        assert refused.value.findings
        assert entry.published_at is None


def test_ordinary_words_that_are_also_surnames_do_not_block(app: Flask, demo: None) -> None:
    # Uckerwalde's requester is Katrin Lange: "wie lange" is no name, "Frau Lange" is.
    request_id = make_request(app, "Gemeinde Uckerwalde")
    fine = make_entry(app, "Wie lange dauert eine Ausschreibung?", "Etwa drei Monate.", request_id=request_id)
    named = make_entry(app, "Wie lange dauert es?", "Frau Lange fragte nach.", request_id=request_id)
    with app.test_request_context():
        curator = _user(CURATOR)
        faq.publish_entry(curator, db.session.get(FaqEntry, fine), NOW)
        with pytest.raises(faq.NotAnonymised) as refused:
            faq.publish_entry(curator, db.session.get(FaqEntry, named), NOW)
        assert refused.value.findings == ["Lange"]


def test_a_published_entry_cannot_be_edited_back_to_naming_the_municipality(
    app: Flask, client: FlaskClient, curator: Auth
) -> None:
    request_id = make_request(app)
    entry_id = make_entry(app, request_id=request_id, published=True)
    edit = f"/kompetenzzentrum/faq/{entry_id}/bearbeiten"
    response = submit(
        client, edit, {"topic": "finding_solution", "question": CLEAN_QUESTION, "answer": LAST_ANSWER}
    )
    assert response.status_code == 422
    assert "Bitte anonymisieren Sie den Text." in page_text(response)
    entry = one(app, FaqEntry, FaqEntry.id == entry_id)
    assert entry.answer == CLEAN_ANSWER and entry.published_at is not None
    assert "faq.updated" not in audit_actions(app)
