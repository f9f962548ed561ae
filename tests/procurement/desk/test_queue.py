"""The curators' side of the desk: the queue, assignment, answers, introductions, the figures."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from procurement.desk import services
from procurement.desk.models import AdvisoryTopic, Introduction, RequestMessage
from procurement.extensions import db
from procurement.marketplace.models import Category, PilotProject
from tests.conftest import audit_actions, count, page_text, submit
from tests.procurement.desk.conftest import (
    ADMIN,
    ASKER,
    ASKER_OFFICER,
    CURATOR,
    FUNDED,
    NOW,
    OTHER,
    PILOT_OFFICER,
    load_request,
    user,
)
from workflows.advisory import AdvisoryStatus


def _post(client, request_id, action, data):  # type: ignore[no-untyped-def]
    """POST a curator's form of the request page with the request's current version."""
    return submit(
        client,
        f"/kompetenzzentrum/anfragen/{request_id}/{action}",
        data,
        form_url=f"/beratung/{request_id}",
        content_type="multipart/form-data",
    )


def _version(app, request_id):  # type: ignore[no-untyped-def]
    return str(load_request(app, request_id).version)


def _rows(response) -> list[str]:  # type: ignore[no-untyped-def]
    import re

    return re.findall(r'data-request="(\d+)"', response.get_data(as_text=True))


def test_queue_lists_open_requests_oldest_first_with_the_funding_of_each_municipality(
    app, make_request, auth, client
):
    late = make_request(ASKER, subject="Später", now=NOW)
    early = make_request(FUNDED, subject="Früher", now=NOW - timedelta(days=2))
    closed = make_request(OTHER, subject="Erledigt", now=NOW - timedelta(days=5))
    with app.test_request_context():
        services.close(user(OTHER), services.load_request(user(OTHER), closed), NOW)
        db.session.commit()
    auth.login(CURATOR)
    response = client.get("/kompetenzzentrum/anfragen")
    assert response.status_code == 200
    assert _rows(response) == [str(early), str(late)]
    text = page_text(response)
    assert "Gemeinde Birkenfelde gefördert (Modellprojekt)" in text
    assert "Gemeinde Kleinmoorbach nicht gefördert" in text
    closed_only = client.get("/kompetenzzentrum/anfragen?status=closed")
    assert _rows(closed_only) == [str(closed)]


def test_queue_filters_by_topic_assignee_and_funding_and_counts_per_status(app, make_request, auth, client):
    funding = make_request(ASKER, subject="A", topic=AdvisoryTopic.funding)
    legal = make_request(FUNDED, subject="B", topic=AdvisoryTopic.legal_procedure)
    with app.test_request_context():
        services.assign(user(CURATOR), services.load_request(user(CURATOR), legal), user(ADMIN), NOW)
        db.session.commit()
    auth.login(CURATOR)
    assert _rows(client.get("/kompetenzzentrum/anfragen?topic=funding")) == [str(funding)]
    assert _rows(client.get("/kompetenzzentrum/anfragen?funded=nein")) == [str(funding)]
    assert _rows(client.get("/kompetenzzentrum/anfragen?funded=ja")) == [str(legal)]
    with app.app_context():
        admin_id = user(ADMIN).id
    assert _rows(client.get(f"/kompetenzzentrum/anfragen?assignee={admin_id}")) == [str(legal)]
    assert _rows(client.get("/kompetenzzentrum/anfragen?assignee=0")) == [str(funding)]
    html = client.get("/kompetenzzentrum/anfragen").get_data(as_text=True)
    assert '<td data-status="new">1</td>' in html
    assert '<td data-status="assigned">1</td>' in html
    assert '<td data-status="closed">0</td>' in html


def test_curator_assigns_to_self_and_hands_over_to_another_curator(app, make_request, auth, client):
    request_id = make_request()
    with app.app_context():
        curator_id, admin_id, officer_id = user(CURATOR).id, user(ADMIN).id, user(ASKER_OFFICER).id
    auth.login(CURATOR)
    response = _post(
        client, request_id, "zuweisen", {"assignee": curator_id, "version": _version(app, request_id)}
    )
    assert response.status_code == 303
    advisory = load_request(app, request_id)
    assert advisory.status is AdvisoryStatus.assigned and advisory.assignee_id == curator_id
    _post(client, request_id, "zuweisen", {"assignee": admin_id, "version": _version(app, request_id)})
    assert load_request(app, request_id).assignee_id == admin_id
    refused = _post(
        client, request_id, "zuweisen", {"assignee": officer_id, "version": _version(app, request_id)}
    )
    assert refused.status_code == 422
    assert load_request(app, request_id).assignee_id == admin_id
    assert audit_actions(app).count("desk.assign") == 2


def test_a_stale_assignment_form_is_refused_with_409(app, make_request, auth, client):
    request_id = make_request()
    with app.app_context():
        curator_id = user(CURATOR).id
    auth.login(CURATOR)
    stale = _version(app, request_id)
    assert (
        _post(client, request_id, "zuweisen", {"assignee": curator_id, "version": stale}).status_code == 303
    )
    second = _post(client, request_id, "zuweisen", {"assignee": curator_id, "version": stale})
    assert second.status_code == 409
    assert audit_actions(app).count("desk.assign") == 1


def test_answer_assigns_a_new_request_and_tells_the_requester_and_officers(
    app, make_request, auth, client, mailbox
):
    request_id = make_request(ASKER)
    auth.login(CURATOR)
    mailbox.clear()
    response = _post(
        client,
        request_id,
        "antwort",
        {"text": "Fördermittel gibt es beim Land.", "version": _version(app, request_id)},
    )
    assert response.status_code == 303
    advisory = load_request(app, request_id)
    assert advisory.status is AdvisoryStatus.answered
    assert advisory.answered_at is not None
    with app.app_context():
        assert advisory.assignee_id == user(CURATOR).id
        message = db.session.scalars(select(RequestMessage).order_by(RequestMessage.id.desc())).first()
        assert message.from_desk and message.text == "Fördermittel gibt es beim Land."
    assert audit_actions(app)[-2:] == ["desk.assign", "desk.answer"]
    for address in (ASKER, ASKER_OFFICER):
        mails = mailbox.to(address)
        assert len(mails) == 1, address
        assert f"/beratung/{request_id}" in mails[0].get_content()
    assert mailbox.to(OTHER) == []
    # the municipality reads the answer in the conversation
    auth.logout()
    auth.login(ASKER_OFFICER)
    assert "Fördermittel gibt es beim Land." in page_text(client.get(f"/beratung/{request_id}"))


def test_answering_twice_is_harmless(app, make_request, auth, client):
    request_id = make_request()
    auth.login(CURATOR)
    version = _version(app, request_id)
    assert _post(client, request_id, "antwort", {"text": "Antwort", "version": version}).status_code == 303
    again = _post(client, request_id, "antwort", {"text": "Antwort", "version": version})
    assert again.status_code == 409
    assert count(app, RequestMessage, RequestMessage.from_desk.is_(True)) == 1


def test_an_answered_request_takes_no_second_answer_until_reopened(app, make_request, auth, client):
    request_id = make_request()
    auth.login(CURATOR)
    _post(client, request_id, "antwort", {"text": "Erste", "version": _version(app, request_id)})
    response = _post(client, request_id, "antwort", {"text": "Zweite", "version": _version(app, request_id)})
    assert response.status_code == 409
    assert "Antworten" in page_text(response) and "Beantwortet" in page_text(response)


def test_curator_closes_a_request(app, make_request, auth, client):
    request_id = make_request()
    auth.login(CURATOR)
    response = submit(
        client,
        f"/beratung/{request_id}/schliessen",
        {"version": _version(app, request_id)},
        form_url=f"/beratung/{request_id}",
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/kompetenzzentrum/anfragen")
    assert load_request(app, request_id).status is AdvisoryStatus.closed


def test_introduction_mails_both_municipalities_each_the_other_contact(
    app, make_request, pilot_project, auth, client, mailbox
):
    project_id = pilot_project(contact_name="Pia Pilot", contact_email="pilot@talheim.example")
    request_id = make_request(ASKER)
    auth.login(CURATOR)
    mailbox.clear()
    response = submit(
        client,
        f"/kompetenzzentrum/anfragen/{request_id}/vorstellen",
        {
            "pilot_project": project_id,
            "note": "Sprechen Sie über die Ausschreibung.",
            "version": _version(app, request_id),
        },
        form_url=f"/beratung/{request_id}",
    )
    assert response.status_code == 303
    with app.app_context():
        introduction = db.session.scalars(select(Introduction)).one()
        assert introduction.request_id == request_id and introduction.pilot_project_id == project_id
        assert introduction.pilot_organisation.name == "Stadt Talheim an der Lauter"
    assert "desk.introduce" in audit_actions(app)
    asking = mailbox.to(ASKER_OFFICER)
    assert len(asking) == 1
    body = asking[0].get_content()
    assert "Stadt Talheim an der Lauter" in body and "Pia Pilot <pilot@talheim.example>" in body
    assert "Sprechen Sie über die Ausschreibung." in body
    pilot = mailbox.to(PILOT_OFFICER)
    assert len(pilot) == 1
    body = pilot[0].get_content()
    assert "Gemeinde Kleinmoorbach" in body and f"<{ASKER}>" in body
    # kept in the conversation for both sides
    text = page_text(client.get(f"/beratung/{request_id}"))
    assert "Vorstellung:" in text and "Pia Pilot" in text
    assert load_request(app, request_id).status is AdvisoryStatus.new  # an introduction is no state change


def test_introduction_refuses_the_own_municipality_and_a_second_time(
    app, make_request, pilot_project, auth, client
):
    own = pilot_project(owner="Kleinmoorbach", title="Eigenes Projekt")
    other = pilot_project()
    request_id = make_request(ASKER)
    auth.login(CURATOR)

    def introduce(project_id):  # type: ignore[no-untyped-def]
        return submit(
            client,
            f"/kompetenzzentrum/anfragen/{request_id}/vorstellen",
            {"pilot_project": project_id, "version": _version(app, request_id)},
            form_url=f"/beratung/{request_id}",
        )

    assert introduce(own).status_code == 422
    assert introduce(other).status_code == 303
    assert introduce(other).status_code == 409
    assert count(app, Introduction) == 1


def test_pilot_projects_matching_the_linked_need_are_suggested_first(app, demo_marketplace, pilot_project):
    from procurement.needs.models import Need

    with app.test_request_context():
        asker = user(ASKER_OFFICER)
        own_need = db.session.scalars(
            select(Need).where(Need.organisation_id == asker.organisation_id)
        ).first()
        if own_need is None:
            own_need = db.session.scalars(select(Need)).first()
            own_need.organisation_id = asker.organisation_id
        matching = pilot_project(title="Passt", cpv=own_need.cpv_code[:5] + "000", category=Category.water)
        unrelated = pilot_project(title="Passt nicht", cpv="09310000", category=Category.energy)
        request = services.send_request(
            asker, AdvisoryTopic.joint_tender, "Bündeln", "Wer macht mit?", NOW, link=("need", own_need.id)
        )
        suggested, others = services.pilot_choices(request)
        assert matching in [p.id for p in suggested]
        assert unrelated not in [p.id for p in suggested]
        assert unrelated in [p.id for p in others]


def test_desk_figures_count_funded_and_non_funded_municipalities_apart(
    app, make_request, pilot_project, auth, client
):
    project_id = pilot_project()
    first = make_request(ASKER, subject="Eins")
    make_request(ASKER_OFFICER, subject="Zwei")
    make_request(FUNDED, subject="Drei")
    make_request(OTHER, subject="Alt", now=NOW - timedelta(days=400))
    with app.test_request_context():
        curator = user(CURATOR)
        request = services.load_request(curator, first)
        services.answer(curator, request, "Antwort", NOW)
        services.introduce(
            curator,
            request,
            db.session.get(PilotProject, project_id),
            "",
            NOW,
        )
        db.session.commit()
        figures = services.desk_figures(services.Period(NOW - timedelta(days=30), NOW + timedelta(days=1)))
    assert (figures.non_funded.requests, figures.non_funded.municipalities) == (2, 1)
    assert (figures.non_funded.answers, figures.non_funded.introductions) == (1, 1)
    assert (figures.funded.requests, figures.funded.answers, figures.funded.introductions) == (1, 0, 0)
    with app.app_context():
        year = services.desk_figures(services.Period.year(2025))
    assert year.non_funded.requests == 1 and year.funded.requests == 0


def test_the_queue_page_shows_the_figures(app, make_request, auth, client):
    make_request(ASKER)
    make_request(FUNDED)
    auth.login(ADMIN)
    html = client.get("/kompetenzzentrum/anfragen").get_data(as_text=True)
    assert 'data-funded="no"' in html and 'data-funded="yes"' in html
    assert "Beratung in Zahlen" in page_text(client.get("/kompetenzzentrum/anfragen"))
