"""The Kompetenzzentrum onboards municipalities; their identifiers are validated."""

from __future__ import annotations

import pytest

from procurement.accounts.models import Organisation, OrganisationKind
from tests.conftest import audit_actions, count, one, page_text, submit

CURATOR = "kuratorin@kompetenzzentrum.example"


def municipality(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Stadt Musterberg",
        "ags": "07315099",
        "leitweg_id": "04011000-1234512345-06",
        "nuts_code": "deb35",
        "street": "Rathausplatz 1",
        "postal_code": "55116",
        "city": "Musterberg",
        "email": "vergabe@musterberg.example",
    }
    data.update(overrides)
    return data


def test_curator_creates_a_municipality(app, client, demo, auth):
    auth.login(CURATOR)
    response = submit(client, "/organisations/new", municipality())
    assert response.status_code == 302
    created = one(app, Organisation, Organisation.ags == "07315099")
    assert created.kind is OrganisationKind.municipality
    assert created.nuts_code == "DEB35" and created.leitweg_id == "04011000-1234512345-06"
    assert audit_actions(app)[-1] == "organisation.created"
    assert "Stadt Musterberg" in page_text(client.get("/organisations"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ags", "1234567", "8 Ziffern"),
        ("ags", "17123456", "Länderschlüssel 01 bis 16"),
        ("leitweg_id", "04011000-1234512345-07", "Prüfziffern der Leitweg-ID stimmen nicht"),
        ("leitweg_id", "04011000_1234512345", "Grobadressierung"),
        ("nuts_code", "Berlin-Mitte", "NUTS-Code"),
        ("postal_code", "5511", "fünfstellige Postleitzahl"),
    ],
)
def test_invalid_identifiers_are_refused_with_german_message(app, client, demo, auth, field, value, message):
    auth.login(CURATOR)
    before = count(app, Organisation)
    response = submit(client, "/organisations/new", municipality(**{field: value}))
    assert response.status_code == 422
    assert message in page_text(response)
    assert count(app, Organisation) == before


def test_duplicate_ags_is_refused(app, client, demo, auth):
    auth.login(CURATOR)
    response = submit(client, "/organisations/new", municipality(ags="08125099"))
    assert response.status_code == 409
    assert "AGS ist bereits angelegt" in page_text(response)


@pytest.mark.parametrize("email", ["vergabe@talheim.example", "angebot@energienetz.example"])
def test_only_the_kompetenzzentrum_creates_municipalities(app, client, demo, auth, email):
    auth.login(email)
    assert client.get("/organisations/new").status_code == 403
    response = client.post("/organisations/new", data=municipality())
    assert response.status_code in (400, 403)
    assert count(app, Organisation, Organisation.ags == "07315099") == 0
