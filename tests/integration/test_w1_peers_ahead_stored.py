"""On the bundled data, every stored peer further ahead leads on an indicator both countries have, and the
profile page and the API show the same peers (both read the rows the Gap Index computation stored)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gapbridge.countries import index_service
from gapbridge.countries.models import IndicatorValue, PeerAhead
from gapbridge.domain.gapindex import peers_further_ahead

pytestmark = pytest.mark.django_db


def test_every_stored_peer_leads_on_a_shared_indicator() -> None:
    normalised = {
        (economy_id, code): value
        for economy_id, code, value in IndicatorValue.objects.values_list("economy_id", "code", "normalised")
    }
    rows = list(PeerAhead.objects.all())
    assert len(rows) > 1000
    lacking = []
    for row in rows:
        leads = [
            code
            for code, _text in row.differences
            if (mine := normalised.get((row.economy_id, code))) is not None
            and (theirs := normalised.get((row.peer_id, code))) is not None
            and theirs - mine >= 0.1
        ]
        if not leads:
            lacking.append((row.economy_id, row.pillar, row.peer_id))
    assert lacking == []


def test_kenya_finance_peers_are_the_domain_s_and_the_page_matches_the_api(client: Client) -> None:
    index, ctx = index_service.compute()
    expected = [p.iso3 for p in peers_further_ahead(index, ctx, "KEN", "finance")]
    ken_finance = index.country("KEN").pillar("finance")
    # the reported case: Papua New Guinea scores 10+ points higher only because it lacks account ownership
    png = index.country("PNG").pillar("finance")
    assert png.score is not None and ken_finance.score is not None and png.score - ken_finance.score >= 10
    assert png.indicator("account_ownership").normalised is None
    assert "PNG" not in expected

    api = client.get("/api/v1/countries/KEN").json()
    api_finance = [p for p in api["peers_further_ahead"] if p["pillar"] == "finance"]
    assert [p["iso3"] for p in api_finance] == expected
    assert all(p["differences"] for p in api["peers_further_ahead"])

    page = client.get("/countries/KEN/").content.decode()
    start = page.index('id="peers"')
    section = page[start : page.index("</section>", start)]
    assert api["peers_further_ahead"]
    linked = re.findall(r'href="/countries/([A-Z]{3})/"', section)
    assert set(linked) == {p["iso3"] for p in api["peers_further_ahead"]}
    assert "<ul></ul>" not in section  # no peer without a difference under it
