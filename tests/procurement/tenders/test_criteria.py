"""Award criteria (§58 VgV): weights above 0 summing to 100 %, methods per kind, fixed at publication."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from procurement.errors import Conflict, DomainError
from procurement.extensions import db
from procurement.tenders import services
from procurement.tenders.models import Criterion, CriterionKind, ScoringMethod
from tests.conftest import audit_actions, count, page_text, submit
from tests.procurement.tenders.conftest import LEAD, NOW, user
from tests.procurement.tenders.core_support import PRICE_AND_QUALITY, make_ready, reread

C = services.CriterionData


def test_criteria_are_stored_in_order_and_audited(app_ctx, make_tender):
    tender = make_tender()
    services.set_criteria(user(LEAD), tender, PRICE_AND_QUALITY, NOW)
    db.session.commit()
    tender = reread(tender.id)
    assert [(c.position, c.name, c.weight) for c in tender.criteria] == [
        (1, "Preis", Decimal("60.00")),
        (2, "Betriebskonzept", Decimal("40.00")),
    ]
    assert tender.criteria_weight_total == Decimal(100)
    assert "tender.criteria_set" in audit_actions(app_ctx)


def test_setting_criteria_again_replaces_the_whole_list(app_ctx, make_tender):
    tender = make_tender()
    services.set_criteria(user(LEAD), tender, PRICE_AND_QUALITY, NOW)
    services.set_criteria(
        user(LEAD),
        tender,
        [C(CriterionKind.price, "Preis", Decimal(100), ScoringMethod.linear_interpolation)],
        NOW,
    )
    db.session.commit()
    assert [c.scoring_method for c in reread(tender.id).criteria] == [ScoringMethod.linear_interpolation]


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ([], "mindestens ein"),
        ([C(CriterionKind.price, "Preis", Decimal("99.99"), ScoringMethod.lowest_price_ratio)], "99,99 %"),
        (
            [
                C(CriterionKind.price, "Preis", Decimal("70"), ScoringMethod.lowest_price_ratio),
                C(CriterionKind.quality, "Service", Decimal("40"), ScoringMethod.points_0_5),
            ],
            "110 %",
        ),
        (
            [
                C(CriterionKind.price, "Preis", Decimal("110"), ScoringMethod.lowest_price_ratio),
                C(CriterionKind.quality, "Service", Decimal("-10"), ScoringMethod.points_0_5),
            ],
            "größer als 0",
        ),
        ([C(CriterionKind.price, "Preis", Decimal(100), ScoringMethod.points_0_10)], "passt nicht"),
        (
            [C(CriterionKind.quality, "Service", Decimal(100), ScoringMethod.lowest_price_ratio)],
            "passt nicht",
        ),
        ([C(CriterionKind.price, "  ", Decimal(100), ScoringMethod.lowest_price_ratio)], "Namen"),
        (
            [
                C(CriterionKind.price, f"K{n}", Decimal(100) / 21, ScoringMethod.lowest_price_ratio)
                for n in range(21)
            ],
            "20",
        ),
    ],
)
def test_bad_criteria_are_refused_and_nothing_changes(app_ctx, make_tender, criteria, message):
    tender = make_tender()
    with pytest.raises(DomainError) as refused:
        services.set_criteria(user(LEAD), tender, criteria, NOW)
    assert message in str(refused.value)
    db.session.rollback()
    assert count(app_ctx, Criterion) == 0


def test_criteria_cannot_change_after_publication(app_ctx, make_tender):
    tender = make_ready(make_tender())
    services.publish_tender(user(LEAD), tender, NOW)
    db.session.commit()
    with pytest.raises(Conflict, match="§58 VgV"):
        services.set_criteria(user(LEAD), tender, PRICE_AND_QUALITY, NOW)


def _form(*rows: tuple[str, str, str, str]) -> dict[str, str]:
    data = {}
    for index, (kind, name, weight, method) in enumerate(rows):
        data |= {
            f"criteria-{index}-kind": kind,
            f"criteria-{index}-name": name,
            f"criteria-{index}-weight": weight,
            f"criteria-{index}-scoring_method": method,
            f"criteria-{index}-description": "",
        }
    return data


def test_criteria_form_saves_german_numbers(app, client, auth, make_tender):
    with app.test_request_context():
        tender_id = make_tender().id
    auth.login(LEAD)
    url = f"/vergaben/{tender_id}/kriterien"
    response = submit(
        client,
        url,
        _form(
            ("price", "Preis", "62,5", "lowest_price_ratio"),
            ("quality", "Konzept", "37,5", "points_0_10"),
            ("", "", "", ""),
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        assert [c.weight for c in reread(tender_id).criteria] == [Decimal("62.50"), Decimal("37.50")]


def test_criteria_form_keeps_the_input_when_weights_do_not_sum_to_100(app, client, auth, make_tender):
    with app.test_request_context():
        tender_id = make_tender().id
    auth.login(LEAD)
    response = submit(
        client, f"/vergaben/{tender_id}/kriterien", _form(("price", "Preis", "80", "lowest_price_ratio"))
    )
    assert response.status_code == 422
    assert "80 %, nicht 100 %" in page_text(response)
    assert 'value="80"' in response.get_data(as_text=True)
    assert count(app, Criterion) == 0


def test_criteria_row_without_method_is_marked(app, client, auth, make_tender):
    with app.test_request_context():
        tender_id = make_tender().id
    auth.login(LEAD)
    response = submit(client, f"/vergaben/{tender_id}/kriterien", _form(("price", "Preis", "100", "")))
    assert response.status_code == 422
    assert "Zeile 1, Bewertungsmethode" in page_text(response)


def test_criteria_cannot_change_after_publication_by_form_or_direct_post(app, client, auth, make_tender):
    with app.test_request_context():
        tender = make_ready(make_tender())
        services.publish_tender(user(LEAD), tender, NOW)
        db.session.commit()
        tender_id = tender.id
    with time_machine.travel(NOW, tick=False):
        auth.login(LEAD)
        url = f"/vergaben/{tender_id}/kriterien"
        page = client.get(url)
        assert page.status_code == 200
        assert "stehen fest" in page_text(page) and "Zuschlagskriterien speichern" not in page_text(page)
        # a direct POST with a valid token of another form
        response = submit(
            client,
            url,
            _form(("price", "Preis", "100", "linear_interpolation")),
            form_url=f"/vergaben/{tender_id}",
        )
    assert response.status_code == 409
    assert "§58 VgV" in page_text(response)
    with app.app_context():
        assert [c.scoring_method for c in reread(tender_id).criteria] == [ScoringMethod.lowest_price_ratio]
    assert "tender.criteria_set" in audit_actions(app)
    assert audit_actions(app).count("tender.criteria_set") == 1
