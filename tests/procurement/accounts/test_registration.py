"""Vendors register themselves; the e-mail address is confirmed by a link sent over SMTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from procurement.accounts.models import CompanySize, Organisation, OrganisationKind, Role, User
from procurement.mail.models import OutboxMail
from tests.conftest import audit_actions, count, one, page_text, submit
from workflows.account import UserStatus

EMAIL = "kontakt@ampel-digital.example"


def registration(**overrides: str) -> dict[str, str]:
    data = {
        "company_name": "Ampel Digital GmbH",
        "country_code": "DE",
        "vat_id": "DE 136 695 976",
        "street": "Ringstraße 1",
        "postal_code": "10115",
        "city": "Berlin",
        "company_size": "medium",
        "contact_name": "Vera Vendor",
        "email": EMAIL,
        "password": "ein-langes-Passwort-42",
        "password_repeat": "ein-langes-Passwort-42",
        "accept_terms": "y",
    }
    data.update(overrides)
    return data


def register(client, **overrides: str):  # type: ignore[no-untyped-def]
    return submit(client, "/register", registration(**overrides))


def test_vendor_registration_creates_organisation_and_unconfirmed_user(app, client, mailbox):
    response = register(client)
    assert response.status_code == 200
    assert "Bestätigungslink an kontakt@ampel-digital.example" in page_text(response)

    organisation = one(app, Organisation, Organisation.vat_id == "DE136695976")
    assert organisation.kind is OrganisationKind.vendor
    assert organisation.name == "Ampel Digital GmbH"
    assert organisation.company_size is CompanySize.medium  # eForms BT-165 in award notices
    user = one(app, User, User.email == EMAIL)
    assert user.status is UserStatus.invited
    assert user.organisation_id == organisation.id
    with app.app_context():
        assert one(app, User, User.email == EMAIL).password_hash.startswith("$argon2")
    assert audit_actions(app) == ["organisation.registered", "user.registered"]
    [mail] = mailbox.to(EMAIL)
    assert mail["Subject"] == "Bitte bestätigen Sie Ihre E-Mail-Adresse"


def test_vendor_must_confirm_email_before_logging_in(app, client, mailbox, auth):
    register(client)
    response = auth.login(EMAIL, "ein-langes-Passwort-42")
    assert "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse" in page_text(response)

    link = mailbox.link(EMAIL, "/confirm/")
    response = client.get(link)
    assert response.status_code == 302
    assert one(app, User, User.email == EMAIL).status is UserStatus.active

    response = auth.login(EMAIL, "ein-langes-Passwort-42")
    assert response.status_code == 302
    user = one(app, User, User.email == EMAIL)
    with app.app_context():
        assert {Role.vendor} == set(one(app, User, User.email == EMAIL).roles)
    assert "user.email_confirmed" in audit_actions(app)
    assert user.activated_at is not None


def test_confirmation_link_works_only_once(app, client, mailbox):
    register(client)
    link = mailbox.link(EMAIL, "/confirm/")
    assert client.get(link).status_code == 302
    response = client.get(link)
    assert response.status_code == 422
    assert "bereits verwendet" in page_text(response)


def test_expired_confirmation_link_is_refused_and_changes_nothing(app, client, mailbox):
    register(client)
    link = mailbox.link(EMAIL, "/confirm/")
    with time_machine.travel(timedelta(days=8)):
        response = client.get(link)
    assert response.status_code == 422
    assert "ungültig oder abgelaufen" in page_text(response)
    assert one(app, User, User.email == EMAIL).status is UserStatus.invited


def test_forged_confirmation_link_is_refused(client):
    response = client.get("/confirm/eyJ1IjoxfQ.forged")
    assert response.status_code == 422
    assert "ungültig oder abgelaufen" in page_text(response)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("vat_id", "DE123456789", "Umsatzsteuer-Identifikationsnummer ist ungültig"),
        ("vat_id", "ATU13585627", "Länderkennung der USt-IdNr. passt nicht"),
        ("email", "kein-at-zeichen", "gültige E-Mail-Adresse"),
        ("password", "kurz", "mindestens 12 Zeichen"),
        ("password_repeat", "etwas-anderes-1234", "stimmen nicht überein"),
        ("company_name", "", "Bitte füllen Sie dieses Feld aus"),
        ("postal_code", "<script>", "gültige Postleitzahl"),
        ("accept_terms", "", "Nutzungsbedingungen"),
    ],
)
def test_invalid_registration_shows_german_message_and_creates_nothing(
    app, client, mailbox, field, value, message
):
    response = register(client, **{field: value})
    assert response.status_code == 422
    assert message in page_text(response)
    assert count(app, Organisation) == 0 and count(app, User) == 0
    assert count(app, OutboxMail) == 0 and mailbox.to(EMAIL) == []


def test_entered_data_is_kept_when_the_form_is_shown_again(client):
    response = register(client, vat_id="DE123456789")
    html = response.get_data(as_text=True)
    assert 'value="Ampel Digital GmbH"' in html
    assert "ein-langes-Passwort-42" not in html  # passwords are never sent back


def test_duplicate_email_is_refused(app, client, demo):
    response = register(client, email="angebot@energienetz.example")
    assert response.status_code == 409
    assert "Für diese E-Mail-Adresse besteht bereits ein Konto." in page_text(response)
    assert count(app, Organisation, Organisation.vat_id == "DE136695976") == 0


def test_duplicate_vat_id_is_refused(app, client, demo):
    response = register(client, vat_id="DE293847560")
    assert response.status_code == 409
    assert "USt-IdNr. ist bereits registriert" in page_text(response)
    assert count(app, User, User.email == EMAIL) == 0


def test_double_submit_registers_once(app, client):
    first = register(client)
    second = register(client)
    assert first.status_code == 200
    assert second.status_code == 409
    assert count(app, Organisation) == 1 and count(app, User) == 1


def test_registration_without_csrf_token_is_refused(app, client):
    response = client.post("/register", data=registration())
    assert response.status_code == 400
    assert "Formular ist abgelaufen" in page_text(response)
    assert count(app, Organisation) == 0


def test_registration_while_mail_server_is_down_keeps_the_mail(app, client, mailbox, monkeypatch):
    from tests.conftest import free_port

    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    response = register(client)
    assert response.status_code == 200
    mail = one(app, OutboxMail, OutboxMail.recipient == EMAIL)
    assert mail.sent_at is None and mail.attempts == 1 and "ConnectionRefused" in mail.last_error
    monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed" in result.output
    assert len(mailbox.to(EMAIL)) == 1
    assert one(app, OutboxMail, OutboxMail.recipient == EMAIL).sent_at is not None
