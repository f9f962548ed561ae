"""Who reaches the evaluation pages: every route × every kind of user (status codes), GET and POST.

The lead's officers read and change the evaluation; members of the tender without that right
(the lead's requester, a participant's officer) get 403; everyone else 404; anonymous visitors
are sent to the login. Vendors reach only their own requests; never the ranking.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from procurement.awards import requests as request_service
from procurement.bids.models import Bid
from procurement.extensions import db
from procurement.tenders.models import Tender
from tests.conftest import csrf_token
from tests.procurement.awards.conftest import AFTER_DEADLINE, LEAD, LEAD_COLLEAGUE, OTHER_VENDOR, VENDOR
from tests.procurement.tenders.conftest import CURATOR, LEAD_AUDITOR, LEAD_REQUESTER, PARTNER, THIRD, user

NOW = AFTER_DEADLINE + timedelta(hours=2)
ANONYMOUS = ""
USERS = [
    ANONYMOUS,
    VENDOR,
    OTHER_VENDOR,
    LEAD,
    LEAD_COLLEAGUE,
    LEAD_REQUESTER,
    LEAD_AUDITOR,
    PARTNER,
    THIRD,
    CURATOR,
]
# who -> (overview, review, ranking, vendor request page, POST admit, POST vendor answer)
EXPECTED = {
    ANONYMOUS: (302, 302, 302, 302, 400, 302),  # 400: the CSRF check comes first
    VENDOR: (404, 404, 404, 200, 404, 302),  # the request is to VENDOR's own bid
    OTHER_VENDOR: (404, 404, 404, 404, 404, 404),
    LEAD: (200, 200, 200, 404, 409, 404),  # 409: the bid has an open request
    LEAD_COLLEAGUE: (200, 200, 200, 404, 409, 404),
    LEAD_REQUESTER: (403, 403, 403, 404, 403, 404),
    LEAD_AUDITOR: (404, 404, 404, 404, 404, 404),  # auditors read only after the award is final
    PARTNER: (403, 403, 403, 404, 403, 404),
    THIRD: (404, 404, 404, 404, 404, 404),
    CURATOR: (404, 404, 404, 404, 404, 404),
}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize("who", USERS)
def test_access_matrix(app, client, auth, opened, who):
    with app.test_request_context():
        tender = db.session.get(Tender, opened.tender_id)
        bid = db.session.get(Bid, opened.bids[VENDOR])
        request_id = request_service.create_request(
            user(LEAD), tender, bid, "x", NOW + timedelta(days=2), NOW
        ).id
        db.session.commit()
    if who:
        auth.login(who)
    base = f"/vergaben/{opened.tender_id}/wertung"
    review = f"{base}/angebote/{opened.bids[VENDOR]}"
    gets = [base, review, f"{base}/lose/{opened.lots[1]}", f"/nachforderungen/{request_id}"]
    statuses = [client.get(url).status_code for url in gets]
    token = csrf_token(client, "/") if who else "x"
    statuses.append(client.post(review + "/zulassen", data={"csrf_token": token}).status_code)
    from io import BytesIO

    data = {"csrf_token": token, "text": "Antwort", "files": [(BytesIO(b"%PDF-1.7\n" + b"0" * 100), "a.pdf")]}
    statuses.append(
        client.post(
            f"/nachforderungen/{request_id}", data=data, content_type="multipart/form-data"
        ).status_code
    )
    assert tuple(statuses) == EXPECTED[who]
    with app.app_context():
        assert db.session.get(Bid, opened.bids[VENDOR]).status.value == "opened"
