"""The search form: a GET form (no CSRF token: it changes nothing) that never fails.

Every field parses leniently; a value that cannot be used gets a German message on its field
and is left out of the search, and the page still shows results (the view lists the notices).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Field,
    Form,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from procurement.marketplace.labels import CATEGORY_LABELS
from procurement.marketplace.models import Category
from procurement.numbers import parse_number
from procurement.reference.cpv import CPV_PATTERN, InvalidCpv
from procurement.reference.validators import cpv_message, vocabulary
from procurement.search.engine import MAX_PAGE, Funding, SearchQuery, Sort
from procurement.search.models import EntryKind
from procurement.search.regions import STATES, normalise_nuts_prefix

# An absurd amount is a typo, not a filter (the marketplace uses the same bound).
MAX_AMOUNT = Decimal("10000000000")

KIND_LABELS = {
    EntryKind.solution: _l("Lösung"),
    EntryKind.pilot_project: _l("Modellprojekt"),
}
KIND_LABELS_PLURAL = {
    EntryKind.solution: _l("Lösungen"),
    EntryKind.pilot_project: _l("Modellprojekte"),
}
SORT_LABELS = {
    Sort.relevance: _l("Relevanz"),
    Sort.newest: _l("Neueste zuerst"),
    Sort.title: _l("Titel (A–Z)"),
    Sort.cost: _l("Kosten (niedrigste zuerst)"),
}
FUNDING_LABELS = {
    Funding.funded: _l("gefördert"),
    Funding.unfunded: _l("ohne Fördermittel"),
}


class EuroField(StringField):
    """An optional amount in EUR (Decimal, 2 places) as typed in the user's language
    (procurement/numbers.py); unusable input is an error with a message, never a 500."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw = (valuelist[0] if valuelist else "") or ""
        self.data = None
        if not self.raw.strip():
            return
        if len(self.raw) > 30:
            raise ValueError(
                _l("Der Betrag ist zu lang. Bitte geben Sie eine Zahl in Euro ein, z. B. 25000.")
            )
        try:
            amount = parse_number(self.raw)
        except ValueError:
            raise ValueError(
                _l(
                    "„%(value)s“ ist kein Betrag. Bitte geben Sie eine Zahl in Euro ein, "
                    "z. B. 25000 oder 25.000,50."
                )
                % {"value": self.raw[:30]}
            ) from None
        if amount < 0:
            raise ValueError(_l("Der Betrag darf nicht negativ sein."))
        if amount > MAX_AMOUNT:
            raise ValueError(_l("Der Betrag ist unrealistisch hoch."))
        self.data = amount.quantize(Decimal("0.01"))

    def _value(self) -> str:
        return getattr(self, "raw", "") or ""


def _values(field: SelectField | SelectMultipleField) -> set[str]:
    return {choice.value for choice in field.choices}  # type: ignore[union-attr]


class LenientSelectField(SelectField):
    """A select whose unknown values are an error with a German message (never a 500)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def pre_validate(self, form: Form) -> None:
        if not self.data:
            self.data = ""
            return
        if self.data not in _values(self):
            self.data = ""
            raise ValidationError(_l("Diese Auswahl gibt es nicht; sie wurde ignoriert."))


class CategoriesField(SelectMultipleField):
    """Categories as checkboxes; unknown values are dropped with a message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Form) -> None:
        known = _values(self)
        unknown = [value for value in self.data or [] if value not in known]
        self.data = [value for value in self.data or [] if value in known]
        if unknown:
            raise ValidationError(
                _l("Unbekannte Kategorie „%(value)s“; sie wurde ignoriert.") % {"value": unknown[0][:40]}
            )


def _choices(labels: dict[Any, Any], empty: Any = None) -> list[SelectChoice]:
    choices = [SelectChoice(getattr(key, "value", key), label) for key, label in labels.items()]
    return [SelectChoice("", empty), *choices] if empty is not None else choices


class SearchForm(Form):
    """Words, filters, order; bound to ``request.args``."""

    q = StringField(
        _l("Suchbegriffe"),
        description=_l(
            "Alle Wörter müssen vorkommen; ein Wortanfang genügt („Ampel“ findet „Ampelsteuerung“)."
        ),
        render_kw={"type": "search", "autocomplete": "off", "maxlength": 200},
    )
    category = CategoriesField(_l("Kategorie"), choices=_choices(CATEGORY_LABELS))
    kind = LenientSelectField(
        _l("Art"), choices=_choices(KIND_LABELS_PLURAL, _l("Lösungen und Modellprojekte"))
    )
    cpv = StringField(
        _l("CPV-Code"),
        description=_l("Ganzer Code (z. B. 34996000-5) oder sein Anfang (z. B. 3499)."),
        render_kw={"inputmode": "numeric", "maxlength": 12},
    )
    cost_from = EuroField(_l("Kosten ab (EUR, netto)"), render_kw={"inputmode": "decimal"})
    cost_to = EuroField(_l("Kosten bis (EUR, netto)"), render_kw={"inputmode": "decimal"})
    state = LenientSelectField(
        _l("Bundesland"),
        choices=_choices(STATES, _l("alle Bundesländer")),
        description=_l("Modellprojekte der Kommunen dort und die Lösungen, die sie einsetzen."),
    )
    nuts = StringField(
        _l("Region (NUTS-Code)"),
        description=_l("Genauer als das Bundesland, z. B. DE11 (Region Stuttgart) oder DE118."),
        render_kw={"maxlength": 5, "autocomplete": "off"},
    )
    funding = LenientSelectField(
        _l("Förderung"),
        choices=_choices(FUNDING_LABELS, _l("egal")),
        description=_l(
            "Modellprojekte nach ihrer Förderung; Lösungen, die ein solches Modellprojekt einsetzt."
        ),
    )
    open_source = BooleanField(
        _l("Nur Open Source"),
        description=_l("Lösungen mit offener Lizenz und Modellprojekte, die eine solche einsetzen."),
        false_values=("", "0", "false", "off", "nein"),
    )
    sort = LenientSelectField(_l("Sortierung"), choices=_choices(SORT_LABELS), default=Sort.relevance.value)
    page = StringField(_l("Seite"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.extra_notices: list[str] = []
        self._cpv_prefix = ""
        self._nuts = ""
        self._page = 1

    # --- field checks: each keeps the parsed value for search_query() ----------------------

    def validate_cpv(self, field: Field) -> None:
        text = re.sub(r"\s", "", field.data or "")
        self._cpv_prefix = ""
        if not text:
            return
        if CPV_PATTERN.match(text):
            try:
                entry = vocabulary().validate(text)
            except InvalidCpv as err:
                raise ValidationError(cpv_message(err)) from None
            self._cpv_prefix = entry.significant
            return
        if re.fullmatch(r"\d{2,8}", text):
            self._cpv_prefix = text
            return
        raise ValidationError(
            _l(
                "Bitte geben Sie einen CPV-Code (z. B. 34996000-5) oder seine ersten Ziffern "
                "(mindestens 2) ein."
            )
        )

    def validate_nuts(self, field: Field) -> None:
        self._nuts = ""
        if not (field.data or "").strip():
            return
        prefix = normalise_nuts_prefix(field.data)
        if prefix is None:
            raise ValidationError(
                _l(
                    "Ein NUTS-Code besteht aus dem Länderkürzel und bis zu drei Zeichen, "
                    "z. B. DE1 oder DE118."
                )
            )
        self._nuts = prefix
        state = self.state.data
        if state and not prefix.startswith(state) and "state" not in self.errors:
            self.extra_notices.append(
                str(_l("Der NUTS-Code %(nuts)s liegt nicht in %(state)s; gesucht wird nach dem NUTS-Code."))
                % {"nuts": prefix, "state": STATES.get(state, state)}
            )

    def validate_cost_to(self, field: Field) -> None:
        if self.cost_from.data is not None and field.data is not None and field.data < self.cost_from.data:
            raise ValidationError(
                _l("„Kosten bis“ ist kleiner als „Kosten ab“; die Obergrenze wurde ignoriert.")
            )

    def validate_page(self, field: Field) -> None:
        self._page = 1
        text = (field.data or "").strip()
        if not text:
            return
        if not re.fullmatch(r"\d{1,6}", text) or int(text) < 1:
            raise ValidationError(
                _l("„%(value)s“ ist keine Seitenzahl; Seite 1 wird gezeigt.") % {"value": text[:20]}
            )
        self._page = min(int(text), MAX_PAGE)

    # --- the query -------------------------------------------------------------------------

    def notices(self) -> list[str]:
        """One message per unusable field (after ``validate``)."""
        notices = [
            f"{self[name].label.text}: {' '.join(str(e) for e in errors)}"
            for name, errors in self.errors.items()
        ]
        return notices + self.extra_notices

    def search_query(self) -> SearchQuery:
        """The query from the usable fields (call ``validate`` first)."""
        errors = self.errors

        def ok(name: str) -> bool:
            return name not in errors

        region = self._nuts if ok("nuts") else ""
        if not region and ok("state") and self.state.data:
            region = self.state.data
        return SearchQuery(
            text=self.q.data or "",
            categories=tuple(Category(value) for value in self.category.data or []),
            kind=EntryKind(self.kind.data) if ok("kind") and self.kind.data else None,
            cpv_prefix=self._cpv_prefix if ok("cpv") else "",
            cost_from=self.cost_from.data if ok("cost_from") else None,
            cost_to=self.cost_to.data if ok("cost_to") else None,
            region=region,
            funding=Funding(self.funding.data) if ok("funding") and self.funding.data else None,
            open_source=bool(self.open_source.data),
            sort=Sort(self.sort.data) if ok("sort") and self.sort.data else Sort.relevance,
            page=self._page if ok("page") else 1,
        )


def bound_form(args: Any) -> SearchForm:
    """The form bound to the query string, validated (errors become notices, never a failure)."""
    form = SearchForm(formdata=args)
    form.validate()
    return form
