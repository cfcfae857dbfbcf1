"""Reloading the reference replaces stored law titles (and recomputed rows) with what the loader now reads,
also when the files are unchanged but the loader that reads them changed (an upgrade)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from gapbridge.countries import loading
from gapbridge.countries.loading import checksum, load_reference
from gapbridge.countries.models import Economy, LegalStatus, PeerAhead, ReferenceLoad

pytestmark = pytest.mark.django_db

DIRTY = "Kenya Information and<br>Communications (Amendment) Act, 2013"


def kenya_titles() -> list[str]:
    return [title for s in LegalStatus.objects.filter(economy__iso3="KEN") for _url, title in s.laws]


def dirty_kenya() -> str:
    """Write back a title as the loader before the fix stored it; returns the clean title it replaced."""
    status = next(
        s
        for s in LegalStatus.objects.filter(economy__iso3="KEN")
        if any("Amendment" in t for _u, t in s.laws)
    )
    clean = next(t for _u, t in status.laws if "Communications (Amendment)" in t)
    status.laws = [[u, DIRTY if t == clean else t] for u, t in status.laws]
    status.save()
    assert DIRTY in kenya_titles()
    return clean


def test_stored_titles_are_clean_on_the_page_and_in_the_api(client: Client) -> None:
    assert not [t for t in kenya_titles() if "<" in t or "&#" in t]
    api = client.get("/api/v1/countries/KEN").json()
    titles = [law["title"] for area in api["legal_framework"] for law in area["laws"]]
    assert "Kenya Information and Communications (Amendment) Act, 2013" in titles
    assert not [t for t in titles if "<br" in t]
    page = client.get("/countries/KEN/").content.decode()
    assert "Kenya Information and Communications (Amendment) Act, 2013" in page
    assert "&lt;br&gt;" not in page


def test_a_forced_reload_replaces_a_stored_title(reference_dir: Path) -> None:
    clean = dirty_kenya()
    assert load_reference(reference_dir, force=True).status == "loaded"
    assert clean in kenya_titles() and DIRTY not in kenya_titles()


def test_an_upgraded_loader_reloads_unchanged_files(
    reference_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The database as an older loader left it: its titles and peers, and its checksum of the same files.
    clean = dirty_kenya()
    kenya = Economy.objects.get(iso3="KEN")
    stale = PeerAhead.objects.create(
        economy=kenya,
        pillar="finance",
        peer=Economy.objects.get(iso3="PNG"),
        position=99,
        peer_score=91.7,
        score_gap=19.9,
        differences=[],
    )
    current = loading.LOADER_VERSION
    monkeypatch.setattr(loading, "LOADER_VERSION", f"{current}-before")
    ReferenceLoad.objects.create(checksum=checksum(reference_dir))
    monkeypatch.setattr(loading, "LOADER_VERSION", current)

    assert load_reference(reference_dir).status == "loaded"
    assert clean in kenya_titles() and DIRTY not in kenya_titles()
    assert not PeerAhead.objects.filter(pk=stale.pk).exists()
    assert load_reference(reference_dir).status == "unchanged"  # and then idempotent again
