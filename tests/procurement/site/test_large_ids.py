"""Ids beyond an INTEGER column in a URL are not found (404), on SQLite and PostgreSQL alike,
on the web pages as on the API (PostgreSQL would fail comparing an INTEGER with them)."""

from __future__ import annotations

import pytest

HUGE = 2**31  # one more than the largest INTEGER
LARGEST = 2**31 - 1


@pytest.mark.parametrize(
    "url",
    [
        f"/ausschreibungen/{HUGE}",
        f"/vergaben/{HUGE}",
        f"/vergaben/{HUGE}/zuschlag",
        f"/vertraege/{HUGE}",
        f"/rechnungen/{HUGE}",
        f"/ausschreibungen/{LARGEST}",
        f"/api/v1/tenders/{HUGE}",
    ],
)
def test_an_id_beyond_the_database_is_not_found(client, auth, url):
    auth.login("vergabe@talheim.example")
    assert client.get(url).status_code == 404
