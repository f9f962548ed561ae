"""Forms of the accounts domain (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    Form,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp, ValidationError

from procurement.accounts.identifiers import (
    InvalidIdentifier,
    normalise_ags,
    normalise_leitweg_id,
    normalise_nuts,
    normalise_vat_id,
)
from procurement.accounts.services import MIN_PASSWORD_LENGTH
from procurement.forms import EMAIL_INVALID, REQUIRED, MultiCheckboxField

_REQUIRED = REQUIRED
_EMAIL = EMAIL_INVALID
_PASSWORD_LENGTH = _l("Das Passwort muss mindestens 12 Zeichen lang sein.")
_PASSWORDS_EQUAL = _l("Die Passwörter stimmen nicht überein.")


def _identifier(normalise):  # type: ignore[no-untyped-def]
    """A WTForms validator that normalises the field's data or shows the German message."""

    def validate(form: Form, field: Field) -> None:
        if not field.data:
            return
        try:
            field.data = normalise(field.data)
        except InvalidIdentifier as err:
            raise ValidationError(str(err)) from err

    return validate


def _email_field(label: object = _l("E-Mail-Adresse")) -> EmailField:
    return EmailField(
        label,
        validators=[DataRequired(_REQUIRED), Email(_EMAIL, check_deliverability=False), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            _l("Neues Passwort (mindestens 12 Zeichen)"),
            validators=[
                DataRequired(_REQUIRED),
                Length(min=MIN_PASSWORD_LENGTH, max=200, message=_PASSWORD_LENGTH),
            ],
            render_kw={"autocomplete": "new-password"},
        ),
        PasswordField(
            _l("Passwort wiederholen"),
            validators=[DataRequired(_REQUIRED), EqualTo("password", _PASSWORDS_EQUAL)],
            render_kw={"autocomplete": "new-password"},
        ),
    )


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(
        _l("Passwort"), validators=[DataRequired(_REQUIRED)], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Angemeldet bleiben"))
    submit = SubmitField(_l("Anmelden"))


class VendorRegistrationForm(FlaskForm):
    company_name = StringField(
        _l("Name des Unternehmens"),
        validators=[DataRequired(_REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "organization"},
    )
    vat_id = StringField(
        _l("Umsatzsteuer-Identifikationsnummer (USt-IdNr.)"),
        validators=[DataRequired(_REQUIRED), Length(max=20), _identifier(normalise_vat_id)],
        description=_l("Mit Länderkennung, z. B. DE136695976."),
    )
    street = StringField(
        _l("Straße und Hausnummer"),
        validators=[DataRequired(_REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "street-address"},
    )
    postal_code = StringField(
        _l("Postleitzahl"),
        validators=[
            DataRequired(_REQUIRED),
            Regexp(r"^[0-9A-Za-z \-]{3,10}$", message=_l("Bitte geben Sie eine gültige Postleitzahl ein.")),
        ],
        render_kw={"autocomplete": "postal-code"},
    )
    city = StringField(
        _l("Ort"),
        validators=[DataRequired(_REQUIRED), Length(max=100)],
        render_kw={"autocomplete": "address-level2"},
    )
    country_code = SelectField(
        _l("Land"),
        choices=[
            SelectChoice("DE", _l("Deutschland")),
            SelectChoice("AT", _l("Österreich")),
            SelectChoice("NL", _l("Niederlande")),
            SelectChoice("FR", _l("Frankreich")),
            SelectChoice("PL", _l("Polen")),
            SelectChoice("DK", _l("Dänemark")),
        ],
        default="DE",
    )
    company_size = SelectField(
        _l("Unternehmensgröße"),
        choices=[
            SelectChoice("micro", _l("Kleinstunternehmen (weniger als 10 Beschäftigte)")),
            SelectChoice("small", _l("Kleines Unternehmen (weniger als 50 Beschäftigte)")),
            SelectChoice("medium", _l("Mittleres Unternehmen (weniger als 250 Beschäftigte)")),
            SelectChoice("large", _l("Großes Unternehmen")),
        ],
        default="small",
        description=_l(
            "Nach der Empfehlung 2003/361/EG. Sie erscheint in EU-Bekanntmachungen über vergebene Aufträge."
        ),
    )
    contact_name = StringField(
        _l("Ihr Name"),
        validators=[DataRequired(_REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = _email_field(_l("Ihre E-Mail-Adresse"))
    password, password_repeat = _new_password_fields()
    accept_terms = BooleanField(
        _l("Ich habe die Nutzungsbedingungen und die Datenschutzhinweise gelesen."),
        validators=[DataRequired(_l("Bitte bestätigen Sie die Nutzungsbedingungen."))],
    )
    submit = SubmitField(_l("Registrieren"))

    def validate_vat_id(self, field: Field) -> None:
        if field.data and not field.data.startswith(self.country_code.data or ""):
            raise ValidationError(_l("Die Länderkennung der USt-IdNr. passt nicht zum gewählten Land."))


class AcceptInvitationForm(FlaskForm):
    password, password_repeat = _new_password_fields()
    submit = SubmitField(_l("Konto aktivieren"))


class ForgotPasswordForm(FlaskForm):
    email = _email_field()
    submit = SubmitField(_l("Link anfordern"))


class ResetPasswordForm(FlaskForm):
    password, password_repeat = _new_password_fields()
    submit = SubmitField(_l("Passwort speichern"))


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_REQUIRED), Length(max=200)], render_kw={"autocomplete": "name"}
    )
    language = SelectField(
        _l("Sprache"),
        choices=[
            SelectChoice("de", "Deutsch", render_kw={"lang": "de"}),
            SelectChoice("en", "English", render_kw={"lang": "en"}),
        ],
    )
    submit = SubmitField(_l("Profil speichern"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Bisheriges Passwort"),
        validators=[DataRequired(_REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    password, password_repeat = _new_password_fields()
    submit = SubmitField(_l("Passwort ändern"))


_ROLE_REQUIRED = _l("Bitte wählen Sie mindestens eine Rolle.")
_ROLE_NOT_ALLOWED = _l("Diese Rolle dürfen Sie hier nicht vergeben.")


def _roles_field() -> MultiCheckboxField:
    return MultiCheckboxField(
        _l("Rollen"),
        validators=[DataRequired(_ROLE_REQUIRED)],
        invalid_choice_message=_ROLE_NOT_ALLOWED,
    )


class InviteForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_REQUIRED), Length(max=200)])
    email = _email_field()
    roles = _roles_field()
    submit = SubmitField(_l("Einladung senden"))


class RolesForm(FlaskForm):
    roles = _roles_field()
    submit = SubmitField(_l("Rollen speichern"))


class ActionForm(FlaskForm):
    """A button that fires one action (CSRF-protected POST)."""

    submit = SubmitField()


class MunicipalityForm(FlaskForm):
    name = StringField(_l("Name der Kommune"), validators=[DataRequired(_REQUIRED), Length(max=200)])
    ags = StringField(
        _l("Amtlicher Gemeindeschlüssel (AGS)"),
        validators=[DataRequired(_REQUIRED), _identifier(normalise_ags)],
        description=_l("8 Ziffern, z. B. 07315000."),
    )
    leitweg_id = StringField(
        _l("Leitweg-ID"),
        validators=[DataRequired(_REQUIRED), Length(max=46), _identifier(normalise_leitweg_id)],
        description=_l("Für E-Rechnungen (XRechnung BT-10), z. B. 04011000-1234512345-06."),
    )
    nuts_code = StringField(
        _l("NUTS-Code"),
        validators=[DataRequired(_REQUIRED), _identifier(normalise_nuts)],
        description=_l("Region, z. B. DEB35."),
    )
    street = StringField(_l("Straße und Hausnummer"), validators=[DataRequired(_REQUIRED), Length(max=200)])
    postal_code = StringField(
        _l("Postleitzahl"),
        validators=[
            DataRequired(_REQUIRED),
            Regexp(r"^[0-9]{5}$", message=_l("Bitte geben Sie eine fünfstellige Postleitzahl ein.")),
        ],
    )
    city = StringField(_l("Ort"), validators=[DataRequired(_REQUIRED), Length(max=100)])
    email = EmailField(
        _l("E-Mail-Adresse der Vergabestelle"),
        validators=[Optional(), Email(_EMAIL, check_deliverability=False), Length(max=254)],
    )
    submit = SubmitField(_l("Kommune anlegen"))
