"""Server-rendered pages show real values: home map, countries table, profile, compare, CSV."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from gapbridge.accounts.models import Role
from gapbridge.charts.markup import format_number
from gapbridge.countries.models import CountryScore, PillarScore
from tests import factories

pytestmark = pytest.mark.django_db


def test_home_has_the_world_map_with_scores(client: Client) -> None:
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and 'data-iso3="KEN"' in html
    kenya = CountryScore.objects.get(economy__iso3="KEN")
    assert kenya.overall is not None
    assert f"Kenya: {format_number(kenya.overall)}" in html


def test_countries_table_lists_all_and_filters(client: Client) -> None:
    html = client.get("/countries/").content.decode()
    assert html.count('href="/countries/') >= 218
    ldc = client.get("/countries/?group=ldc&on=2026-11-25", HTTP_HX_REQUEST="true").content.decode()
    assert "41 economies" in ldc and "Bangladesh" not in ldc and "Niger" in ldc
    bad = client.get("/countries/?income_group=ZZ")
    assert bad.status_code == 400 and "income_group must be one of" in bad.content.decode()


def test_sorting_the_countries_replaces_the_sort_and_keeps_the_filters(client: Client) -> None:
    import re

    html = client.get("/countries/?group=ldc&sort=-name&sort=name").content.decode()
    links = re.findall(r'<th scope="col"[^>]*><a href="\?([^"]+)"', html)
    assert links and all(link.replace("&amp;", "&").count("sort=") == 1 for link in links)
    assert all("group=ldc" in link for link in links)
    csv_link = re.search(r'href="/countries\.csv\?([^"]*)"', html) or re.search(
        r'href="[^"]*csv[^"]*\?([^"]*)"', html
    )
    assert csv_link and "sort=" in csv_link.group(1)  # the download keeps the order shown


def test_countries_csv_download(client: Client) -> None:
    response = client.get("/countries.csv?region=Africa")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Disposition"].startswith("attachment")
    assert len(rows) > 50 and all(r["region"] == "Africa" for r in rows)


def test_profile_page_shows_scores_values_sources_and_chart(client: Client) -> None:
    response = client.get("/countries/KEN/")
    html = response.content.decode()
    assert response.status_code == 200
    connectivity = PillarScore.objects.get(economy__iso3="KEN", pillar="connectivity")
    assert connectivity.score is not None and f"{connectivity.score:.1f}" in html
    assert "Electronic transactions" in html and "UNCTAD Global Cyberlaw Tracker" in html
    assert 'id="pillar-chart"' in html
    chart = html.split('id="pillar-chart">', 1)[1].split("</figure>", 1)[0]
    ET.fromstring(chart)  # the inline chart is well-formed SVG


def test_profile_unknown_is_404(client: Client) -> None:
    assert client.get("/countries/ZZZ/").status_code == 404


def test_compare_two_to_five(client: Client) -> None:
    html = client.get("/compare/?c=KEN&c=NER&c=BGD").content.decode()
    assert 'id="compare-chart"' in html and "Niger" in html and "Bangladesh" in html
    assert "Unknown codes" in client.get("/compare/?c=KEN&c=QQQ").content.decode()


def test_search_partial(client: Client) -> None:
    html = client.get("/search/?q=keny").content.decode()
    assert "/countries/KEN/" in html


def test_language_switch_sets_rtl_for_arabic(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    html = client.get("/countries/KEN/").content.decode()
    assert 'dir="rtl"' in html and 'lang="ar"' in html and "كينيا" in html


def _nav(html: str) -> str:
    start = html.index('<nav aria-label="Main">')
    return html[start : html.index("</nav>", start)]


def test_navigation_links_funding_for_everyone(client: Client) -> None:
    nav = _nav(client.get("/").content.decode())
    assert f'href="{reverse("projects:funding")}"' in nav
    assert client.get(reverse("projects:funding")).status_code == 200
    profile = client.get("/countries/KEN/").content.decode()
    assert f'href="{reverse("projects:country-funding", args=["KEN"])}"' in profile


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (None, {"alerts"}),
        (Role.ORG_EDITOR, {"provider", "alerts"}),
        (Role.FOCAL_POINT, {"focal-point", "alerts"}),
        (Role.SECRETARIAT, {"focal-point", "alerts"}),
    ],
)
def test_navigation_shows_the_dashboards_of_the_users_roles(
    client: Client, role: Role | None, shown: set[str]
) -> None:
    dashboards = {name: reverse(f"matches:{name}") for name in ("provider", "focal-point", "alerts")}
    anonymous = _nav(client.get("/").content.decode())
    assert not any(f'href="{url}"' in anonymous for url in dashboards.values())
    org = factories.organization("Nav Org") if role == Role.ORG_EDITOR else None
    account = factories.user("nav-user", role, organization=org, iso3="KEN")
    client.force_login(account)
    nav = _nav(client.get("/").content.decode())
    linked = {name for name, url in dashboards.items() if f'href="{url}"' in nav}
    assert linked == shown
    for name in linked:  # every link offered opens for that user
        assert client.get(dashboards[name]).status_code == 200, name


def test_favicon_is_served(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    assert 'rel="icon"' in client.get("/").content.decode()


def test_offer_form_is_refused_with_a_reason_to_someone_with_no_organization(client: Client) -> None:
    from gapbridge.accounts.models import Role
    from tests import factories

    client.force_login(factories.user("fp-no-org", Role.FOCAL_POINT, iso3="KEN"))
    response = client.get("/offers/new/")
    assert response.status_code == 403
    reason = "Only an organization&#x27;s editors or the secretariat publish offers."
    assert reason in response.content.decode()
