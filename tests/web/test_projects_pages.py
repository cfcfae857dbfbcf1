"""Registry pages on real data: search, project page, publisher data-quality report, source file, country
funding, and the secretariat's upload page with its background import and progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from gapbridge.accounts.models import Role
from gapbridge.countries.models import Economy
from gapbridge.projects import services
from gapbridge.projects.models import Activity, ImportJob, ImportJobTransition, Transaction
from gapbridge.projects.views import millions

from ..factories import PASSWORD, user
from ..integration.test_projects_support import ICT_201, ICT_203, NL_203, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> None:
    run_import([NL_203, ICT_203])


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def test_search_page_finds_titles_and_filters(client: Client, loaded: None) -> None:
    activity = Activity.objects.filter(publisher_ref="XM-DAC-7").first()
    assert activity is not None
    page = client.get("/projects/", {"publisher": "XM-DAC-7"})
    assert page.status_code == 200 and activity.iati_identifier.encode() in page.content
    assert b"13 activities" in page.content
    word = activity.title.split()[0]
    found = client.get("/projects/", {"q": word, "publisher": "XM-DAC-7"})
    assert activity.iati_identifier.encode() in found.content
    kenya = client.get("/projects/", {"country": "KEN"}, HTTP_HX_REQUEST="true")
    assert kenya.status_code == 200 and b"<html" not in kenya.content
    count = Activity.objects.in_country("KEN").count()
    assert f"{count} activit".encode() in kenya.content
    assert client.get("/projects/", {"year": "abc"}).status_code == 400


def test_project_page_shows_money_in_original_currency_and_usd(client: Client, loaded: None) -> None:
    row = Transaction.objects.filter(currency="EUR", fx_status="converted").select_related("activity").first()
    assert row is not None and row.value is not None and row.value_usd is not None
    page = client.get(f"/projects/{row.activity_id}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert f"{row.value:,.2f}" in text and "EUR" in text
    assert f"{row.value_usd:,.2f}" in text
    assert row.activity.display_title()[:30].replace("&", "&amp;") in text
    assert "/api/v1/activities/" in text and "format=xml" in text
    year = (row.value_date or row.date).year  # type: ignore[union-attr]
    assert f"per USD ({year} average)" in text, "the rate's year is named"


def test_a_search_without_results_says_so(client: Client, loaded: None) -> None:
    for params in ({"q": "zzzzqqq"}, {"country": "KIR", "q": "zzzzqqq"}):
        text = client.get("/projects/", params).content.decode()
        assert "0 activities" in text and "No activity matches these filters." in text
    french = client.get("/projects/", {"q": "zzzzqqq"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "0 activité" in french


def test_values_without_dollars_say_why_and_implausible_ones_are_marked(client: Client) -> None:
    run_import([ICT_201])
    row = Transaction.objects.filter(value_usd__isnull=True).exclude(fx_status="").first()
    if row is not None:
        text = client.get(f"/projects/{row.activity_id}/").content.decode()
        assert f"not convertible: {row.fx_status}<" not in text, "a reason in words, not a code"
    big = Transaction.objects.filter(fx_status="converted").first()
    assert big is not None
    Transaction.objects.filter(pk=big.pk).update(value_usd=30_000_000_000)
    text = client.get(f"/projects/{big.activity_id}/").content.decode()
    assert "implausible: not counted in totals" in text


def test_publisher_page_has_a_data_quality_report(client: Client, loaded: None) -> None:
    ref = (
        Activity.objects.filter(findings__severity="warning").values_list("publisher_ref", flat=True).first()
    )
    assert ref
    page = client.get(f"/projects/publishers/{ref}/")
    text = page.content.decode()
    assert page.status_code == 200 and "Data quality" in text and "severity-warning" in text
    assert str(ICT_203.name) in text  # per-file breakdown
    assert client.get("/projects/publishers/").status_code == 200
    assert client.get("/projects/publishers/NOPE-1/").status_code == 404
    source = Activity.objects.filter(publisher_ref=ref).first().source_file  # type: ignore[union-attr]
    assert source is not None
    file_page = client.get(f"/projects/files/{source.pk}/")
    assert file_page.status_code == 200 and ref in file_page.content.decode()
    # the server's folders are nobody's business: pages name the file only
    folder = str(ICT_203.parent)
    assert folder not in text and folder not in file_page.content.decode()
    french = client.get(f"/projects/publishers/{ref}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert ">importé<" in french or ">importé en partie" in french


def test_country_funding_pages_have_charts_and_real_totals(client: Client, loaded: None) -> None:
    index = client.get("/projects/funding/")
    assert index.status_code == 200 and b"<svg" in index.content
    api = client.get("/api/v1/funding", {"group_by": "country", "country": "KEN"}).json()
    page = client.get("/projects/funding/KEN/")
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and "Kenya" in text
    assert f"{api['totals']['disbursements_usd']:,.0f}" in text
    assert client.get("/projects/funding/ZZZ/").status_code == 404


def test_upload_page_is_for_the_secretariat_and_imports_in_the_background(client: Client) -> None:
    assert client.get("/projects/upload/").status_code == 302  # to the login page
    editor = user("editor", None)
    client.login(username=editor.username, password=PASSWORD)
    assert client.get("/projects/upload/").status_code == 403

    staff = user("sec", Role.SECRETARIAT)
    client.login(username=staff.username, password=PASSWORD)
    assert client.get("/projects/upload/").status_code == 200
    response = client.post(
        "/projects/upload/", {"file": SimpleUploadedFile("ict.xml", ICT_201.read_bytes(), "application/xml")}
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED and job.size == ICT_201.stat().st_size
    waiting = client.get(f"/projects/upload/{job.pk}/", HTTP_HX_REQUEST="true")
    assert b'hx-trigger="every 1s"' in waiting.content  # the page polls while the job runs

    assert services.work_queue("test-worker", once=True) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.summary["activities"]["new"] == 13
    assert Activity.objects.filter(source_file__name=services.upload_file_name(job)).count() == 13
    done = client.get(f"/projects/upload/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and "13 new" in done
    history = list(ImportJobTransition.objects.filter(job=job).values_list("from_status", "to_status"))
    assert history == [("", "queued"), ("queued", "running"), ("running", "done")]


def test_an_upload_over_the_size_limit_is_refused_and_nothing_is_stored(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    settings.IATI_UPLOAD_MAX_BYTES = 10_000
    settings.VAR_DIR = tmp_path
    staff = user("sec-big", Role.SECRETARIAT)
    client.login(username=staff.username, password=PASSWORD)
    big = ICT_201.read_bytes()
    assert len(big) > 10_000
    response = client.post(
        "/projects/upload/", {"file": SimpleUploadedFile("ict.xml", big, "application/xml")}
    )
    assert response.status_code == 413
    assert "upload limit" in response.content.decode()
    assert not ImportJob.objects.exists() and not (tmp_path / "uploads").exists()
    # A file within the limit still goes through.
    settings.IATI_UPLOAD_MAX_BYTES = len(big) + 50_000
    ok = client.post("/projects/upload/", {"file": SimpleUploadedFile("ict.xml", big, "application/xml")})
    assert ok.status_code == 302 and ImportJob.objects.count() == 1


def test_a_bad_upload_fails_with_the_reason(client: Client) -> None:
    staff = user("sec2", Role.SECRETARIAT)
    client.login(username=staff.username, password=PASSWORD)
    client.post(
        "/projects/upload/", {"file": SimpleUploadedFile("x.xml", b'{"result": []}', "application/json")}
    )
    services.work_queue("test-worker", once=True)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and "JSON" in job.message
    assert "JSON" in client.get(f"/projects/upload/{job.pk}/").content.decode()
    french = client.get(f"/projects/upload/{job.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<strong>échoué</strong>" in french and "<strong>failed</strong>" not in french


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_registry_pages_name_countries_in_the_visitors_language(
    client: Client, loaded: None, lang: str
) -> None:
    # a recipient country of the loaded data whose name differs in `lang` (Kenya is "Kenya" in French)
    recipients = set(Activity.objects.values_list("recipient_countries__iso3", flat=True))
    country = next(
        e for e in Economy.objects.filter(iso3__in=recipients).order_by("iso3") if e.name_fr != e.name_en
    )
    localised = getattr(country, f"name_{lang}")
    assert localised and localised != country.name_en
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    search = client.get("/projects/").content.decode()
    assert f'<option value="{country.iso3}">{localised}</option>' in search
    funding = client.get("/projects/funding/").content.decode()
    assert localised in funding and f">{country.name_en}<" not in funding
    activity = Activity.objects.filter(recipient_countries__iso3=country.iso3).first()
    assert activity is not None
    page = client.get(f"/projects/{activity.pk}/").content.decode()
    assert localised in page
    api = client.get("/api/v1/funding", {"group_by": "country"}, HTTP_ACCEPT_LANGUAGE=lang).json()
    assert {r["country"]: r["country_name"] for r in api["rows"]}[country.iso3] == localised
    detail = client.get(f"/api/v1/activities/{activity.pk}", HTTP_ACCEPT_LANGUAGE=lang).json()
    assert localised in {c["name"] for c in detail["recipient_countries"]}


def test_small_amounts_on_the_funding_map_keep_their_decimals() -> None:
    with translation.override("en"):
        assert (millions(0.0123), millions(0.5), millions(12.34), millions(1234.5)) == (
            "0.01",
            "0.50",
            "12.3",
            "1,235",
        )
