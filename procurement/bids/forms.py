"""Forms of the vendor's bid page: the draft (prices, answers, consortium) and the file upload.

The draft form is built per tender: one price field per lot and one answer field per quality
criterion. The upload form is only rendered with WTForms: its body is parsed as a stream by the
upload view (procurement.bids.upload), never by ``request.files``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FileField, SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import Length
from wtforms.validators import Optional as OptionalValue

from procurement.bids.labels import BID_FILE_KIND_LABELS
from procurement.bids.models import BidFileKind
from procurement.bids.services import MAX_ANSWER_LENGTH, BidData
from procurement.needs.forms import AmountField
from procurement.tenders.models import CriterionKind, Tender


class DraftForm(FlaskForm):
    """Base class; `draft_form` adds ``price_<lot id>`` and ``answer_<criterion id>`` fields."""

    consortium = TextAreaField(
        _l("Mitglieder der Bietergemeinschaft"),
        validators=[OptionalValue(), Length(max=6000)],
        description=_l(
            "Nur für Bietergemeinschaften: ein Mitglied je Zeile (Name und Sitz). Leer lassen, "
            "wenn Sie allein anbieten."
        ),
    )
    save = SubmitField(_l("Entwurf speichern"))

    lot_fields: list[tuple[Any, str]]
    answer_fields: list[tuple[Any, str]]

    def bid_data(self) -> BidData:
        prices = {lot.id: self[name].data for lot, name in self.lot_fields if self[name].data is not None}
        answers = {criterion.id: self[name].data or "" for criterion, name in self.answer_fields}
        consortium = [line.strip() for line in (self.consortium.data or "").splitlines() if line.strip()]
        return BidData(prices=prices, answers=answers, consortium=consortium)


def draft_form(tender: Tender, content: Optional[BidData] = None, formdata: Any = "auto") -> DraftForm:
    """The draft form of ``tender``; filled from ``content`` (the vendor's own decrypted draft)."""

    class Form(DraftForm):
        pass

    lot_fields = []
    for lot in tender.lots:
        name = f"price_{lot.id}"
        setattr(
            Form,
            name,
            AmountField(
                _l("Preis für Los %(number)d: %(title)s (EUR netto)", number=lot.number, title=lot.title),
                validators=[OptionalValue()],
                description=_l(
                    "Gesamtpreis netto in Euro, z. B. 12.500,00. Leer lassen, wenn Sie für dieses "
                    "Los nicht anbieten."
                ),
            ),
        )
        lot_fields.append((lot, name))
    answer_fields = []
    for criterion in tender.criteria:
        if criterion.kind is not CriterionKind.quality:
            continue
        name = f"answer_{criterion.id}"
        setattr(
            Form,
            name,
            TextAreaField(
                criterion.name,
                validators=[OptionalValue(), Length(max=MAX_ANSWER_LENGTH)],
                description=criterion.description or None,
            ),
        )
        answer_fields.append((criterion, name))
    data: dict[str, Any] = {}
    if content is not None:
        data.update({f"price_{lot_id}": Decimal(price) for lot_id, price in content.prices.items()})
        data.update({f"answer_{cid}": text for cid, text in content.answers.items()})
        data["consortium"] = "\n".join(content.consortium)
    kwargs: dict[str, Any] = {"data": data}
    if formdata != "auto":
        kwargs["formdata"] = formdata
    form = Form(**kwargs)
    form.lot_fields = lot_fields
    form.answer_fields = answer_fields
    return form


class UploadForm(FlaskForm):
    """Rendered in this order: CSRF token, kind, files (the stream parser needs the token first)."""

    kind = SelectField(
        _l("Art der Unterlage"),
        choices=[SelectChoice(kind.value, label) for kind, label in BID_FILE_KIND_LABELS.items()],
        default=BidFileKind.offer_letter.value,
    )
    files = FileField(
        _l("Dateien"),
        description=_l("PDF, ODT, ODS, DOCX, XLSX oder ZIP; mehrere Dateien möglich."),
        render_kw={"multiple": True, "accept": ".pdf,.odt,.ods,.docx,.xlsx,.zip"},
    )
    upload = SubmitField(_l("Verschlüsselt hochladen"))
