"""Solutions: vendors and the Kompetenzzentrum write them; the input is checked and shown safely."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from procurement.accounts.models import Organisation
from procurement.audit.models import AuditEntry
from procurement.errors import DomainError
from procurement.marketplace import services
from procurement.marketplace.models import Category, Solution
from tests.conftest import count, one, page_text, submit
from tests.procurement.marketplace.conftest import (
    ADMIN,
    CURATOR,
    OFFICER,
    OTHER_VENDOR,
    VENDOR,
    solution_form,
)
from workflows.curation import EntryStatus

NEW = "/marketplace/solutions/new"


def test_vendor_creates_a_draft_solution_of_its_organisation(app, client, market, sign_in):
    sign_in(VENDOR)
    response = submit(client, NEW, solution_form())
    assert response.status_code == 302

    solution = one(app, Solution, Solution.title == "Digitale Parkraumerfassung")
    assert response.headers["Location"] == f"/marketplace/solutions/{solution.id}"
    assert solution.status is EntryStatus.draft
    assert solution.category is Category.parking
    assert solution.cost_min == Decimal("12500.50") and solution.cost_max == Decimal("40000.00")
    assert solution.open_source is True
    assert market.get(Solution, solution.id).cpv_codes == ["34926000-4", "48000000-8"]
    entry = one(app, AuditEntry, AuditEntry.action == "solution.created")
    assert entry.actor_email == VENDOR and entry.object_id == str(solution.id)
    assert json.loads(entry.after)["status"] == "draft"
    assert entry.organisation_id == solution.organisation_id


@pytest.mark.parametrize("email", [CURATOR, ADMIN])
def test_kompetenzzentrum_offers_its_own_solutions(app, client, market, sign_in, email):
    sign_in(email)
    assert submit(client, NEW, solution_form()).status_code == 302
    solution = one(app, Solution, Solution.title == "Digitale Parkraumerfassung")
    kompetenzzentrum = one(app, Organisation, Organisation.name == "Kompetenzzentrum Smart City")
    assert solution.organisation_id == kompetenzzentrum.id


@pytest.mark.parametrize("email", [OFFICER, "bedarf@talheim.example", "pruefung@talheim.example"])
def test_municipalities_do_not_offer_solutions(app, client, market, sign_in, email):
    sign_in(email)
    assert client.get(NEW).status_code == 403
    assert submit(client, NEW, solution_form(), form_url="/profile").status_code == 403
    assert count(app, Solution) == 0


def test_creating_a_solution_needs_a_login(client, market):
    response = client.get(NEW)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "cpv_codes",
            "34996000-4",
            "Die Prüfziffer des CPV-Codes 34996000-4 stimmt nicht (richtig wäre 34996000-5).",
        ),
        ("cpv_codes", "99999999-1", "Der CPV-Code 99999999-1 ist nicht im CPV-Verzeichnis."),
        ("cpv_codes", "", "Bitte geben Sie mindestens einen CPV-Code an."),
        ("cost_min", "-100", "Der Betrag darf nicht negativ sein."),
        ("cost_max", "100000000000", "Der Betrag ist unrealistisch hoch."),
        ("cost_max", "12,345", "höchstens zwei Nachkommastellen"),
        ("cost_min", "zwölf", "Bitte geben Sie einen Betrag in Euro ein"),
        ("cost_max", "10000", "Die Kosten bis dürfen nicht kleiner sein als die Kosten ab."),
        ("title", "", "Bitte füllen Sie dieses Feld aus."),
        ("title", "x" * 201, "höchstens 200 Zeichen"),
        ("contact_email", "kein-mail", "Bitte geben Sie eine gültige E-Mail-Adresse ein."),
        ("category", "raumfahrt", "Bitte wählen Sie eine der Kategorien."),
    ],
)
def test_bad_input_is_refused_with_a_german_message_and_kept_in_the_form(
    app, client, market, sign_in, field, value, message
):
    sign_in(VENDOR)
    response = submit(client, NEW, solution_form(**{field: value}))
    assert response.status_code == 422
    assert message in page_text(response)
    assert "Bodensensoren melden belegte Stellplätze." in response.get_data(as_text=True)  # input stays
    assert count(app, Solution) == 0


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("12.500,50", "12500.50"),
        ("12500,5", "12500.50"),
        ("12500.50", "12500.50"),
        ("1 000 €", "1000"),
        ("0", "0"),
        ("9.999.999.999,99", "9999999999.99"),
    ],
)
def test_amounts_are_read_the_way_people_type_them(typed, amount):
    assert services.parse_amount(typed, ",") == Decimal(amount)


def test_amounts_in_english_use_the_english_separators():
    assert services.parse_amount("12,500.50", ".") == Decimal("12500.50")


@pytest.mark.parametrize("amount", ["-0.01", "10000000000", "1.001"])
def test_the_service_itself_refuses_bad_amounts(app_ctx, amount):
    with pytest.raises(DomainError):
        services.check_amount(Decimal(amount))


def test_the_service_refuses_a_cost_range_upside_down(app_ctx):
    with pytest.raises(DomainError, match="nicht kleiner"):
        services.check_cost_range(Decimal(10), Decimal(5))


def test_script_typed_into_a_solution_is_stored_as_typed_and_shown_escaped(app, client, market, sign_in):
    script = '<script>alert("x")</script>'
    sign_in(VENDOR)
    response = submit(
        client, NEW, solution_form(title=f"Ampel {script}", description=f"Text {script}\n<b>fett</b>")
    )
    assert response.status_code == 302
    solution = one(app, Solution, Solution.organisation.has(name="Verkehrstechnik Süd GmbH"))
    assert solution.title == f"Ampel {script}"
    assert solution.description == f"Text {script}\n<b>fett</b>"

    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in html and "<b>fett</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;fett&lt;/b&gt;" in html
    mine = client.get("/marketplace/mine").get_data(as_text=True)
    assert "<script>alert" not in mine and "&lt;script&gt;" in mine


def test_edit_form_shows_the_stored_values_in_german_notation(client, market, sign_in):
    solution_id = market.solution()
    sign_in(VENDOR)
    html = client.get(f"/marketplace/solutions/{solution_id}/edit").get_data(as_text=True)
    assert 'value="12.000,00"' in html and 'value="48.000,00"' in html
    assert 'value="34996000-5"' in html
    assert 'value="Adaptive Ampelsteuerung"' in html


def test_vendor_edits_its_draft_and_the_change_is_audited_field_by_field(app, client, market, sign_in):
    solution_id = market.solution()
    sign_in(VENDOR)
    url = f"/marketplace/solutions/{solution_id}/edit"
    response = submit(client, url, solution_form(title="Adaptive Ampelsteuerung 2.0"))
    assert response.status_code == 302

    solution = market.get(Solution, solution_id)
    assert solution.title == "Adaptive Ampelsteuerung 2.0"
    assert solution.cpv_codes == ["34926000-4", "48000000-8"]
    entry = one(app, AuditEntry, AuditEntry.action == "solution.updated")
    before, after = json.loads(entry.before), json.loads(entry.after)
    assert before["status"] == after["status"] == "draft"
    assert before["title"] == "Adaptive Ampelsteuerung"
    assert after["title"] == "Adaptive Ampelsteuerung 2.0"
    assert after["cpv_codes"] == ["34926000-4", "48000000-8"]
    assert "licence" in after and "summary" in after  # every changed field
    assert "category" in after


def test_saving_without_changes_writes_no_audit_entry(app, client, market, sign_in):
    solution_id = market.solution()
    sign_in(VENDOR)
    url = f"/marketplace/solutions/{solution_id}/edit"
    html = client.get(url).get_data(as_text=True)
    assert "Adaptive Ampelsteuerung" in html
    data = solution_form(
        title="Adaptive Ampelsteuerung",
        category="traffic",
        summary="Ampeln, die sich dem Verkehr anpassen.",
        description=(
            "Verkehrsabhängige Steuerung für Knotenpunkte.\r\n\r\nMit Anbindung an den Verkehrsrechner."
        ),
        cpv_codes="34996000-5",
        cost_min="12000",  # the same amount, typed differently
        cost_max="48.000,00",
        licence="proprietär, Jahreslizenz",
        open_source=None,
        standards="OCIT-O, DATEX II",
        contact_name="Viktor Verkehr",
        contact_email="vertrieb@verkehrstechnik-sued.example",
    )
    assert submit(client, url, data).status_code == 302
    assert count(app, AuditEntry, AuditEntry.action == "solution.updated") == 0


def test_vendor_cannot_edit_other_vendors_solution(app, client, market, sign_in):
    draft = market.solution()
    published = market.solution(status="published")
    sign_in(OTHER_VENDOR)
    assert client.get(f"/marketplace/solutions/{draft}/edit").status_code == 404
    assert client.get(f"/marketplace/solutions/{published}/edit").status_code == 403
    token_page = "/marketplace/solutions/new"
    response = submit(
        client, f"/marketplace/solutions/{published}/edit", solution_form(), form_url=token_page
    )
    assert response.status_code == 403
    assert market.get(Solution, published).title == "Adaptive Ampelsteuerung"


def test_a_submitted_solution_is_not_edited_until_it_is_withdrawn(app, client, market, sign_in):
    solution_id = market.solution(status="submitted")
    sign_in(VENDOR)
    response = client.get(f"/marketplace/solutions/{solution_id}/edit")
    assert response.status_code == 409
    assert "Nur Entwürfe können bearbeitet werden" in page_text(response)


def test_a_published_solution_keeps_its_checked_content_but_the_contact_can_change(
    app, client, market, sign_in
):
    solution_id = market.solution(status="published")
    sign_in(VENDOR)
    response = client.get(f"/marketplace/solutions/{solution_id}/edit")
    assert response.status_code == 302
    contact_url = f"/marketplace/solutions/{solution_id}/contact"
    assert response.headers["Location"] == contact_url

    response = submit(
        client,
        contact_url,
        {"contact_name": "Vera Vertrieb", "contact_email": "vera@verkehrstechnik-sued.example"},
    )
    assert response.status_code == 302
    solution = market.get(Solution, solution_id)
    assert solution.status is EntryStatus.published
    assert (solution.contact_name, solution.contact_email) == (
        "Vera Vertrieb",
        "vera@verkehrstechnik-sued.example",
    )
    entry = one(app, AuditEntry, AuditEntry.action == "solution.updated")
    assert json.loads(entry.before) == {
        "status": "published",
        "contact_name": "Viktor Verkehr",
        "contact_email": "vertrieb@verkehrstechnik-sued.example",
    }
    assert json.loads(entry.after)["contact_name"] == "Vera Vertrieb"


def test_another_vendor_cannot_change_the_contact_of_a_published_solution(client, market, sign_in):
    solution_id = market.solution(status="published")
    sign_in(OTHER_VENDOR)
    url = f"/marketplace/solutions/{solution_id}/contact"
    assert client.get(url).status_code == 403
    response = submit(client, url, {"contact_name": "X", "contact_email": "x@y.example"}, form_url="/profile")
    assert response.status_code == 403
    assert market.get(Solution, solution_id).contact_name == "Viktor Verkehr"


def test_published_solution_shows_the_facts_to_anonymous_visitors(client, market):
    solution_id = market.solution(status="published")
    text = page_text(client.get(f"/marketplace/solutions/{solution_id}"))
    assert "Adaptive Ampelsteuerung" in text
    assert "Lösung von Verkehrstechnik Süd GmbH" in text
    assert "34996000-5 – Steuer-, Sicherheits- oder Signalausrüstung für Straßen" in text
    assert "12.000,00 € bis 48.000,00 €" in text
    assert "vertrieb@verkehrstechnik-sued.example" in text
    assert "Verwaltung" not in text and "Bearbeiten" not in text
    assert "Bedarf daraus erstellen" not in text
