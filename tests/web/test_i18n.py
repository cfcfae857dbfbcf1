"""The public pages in French, Spanish and Arabic: no marked English string left, Arabic right-to-left,
country and pillar names in the visitor's language, dates and numbers formatted per locale.

The check is generic: every text node (and title/placeholder/aria-label) of the English page that is a
msgid with a different translation must not appear in the translated page. A handful of known strings and
country names are checked by hand as well, so the generic check cannot pass by finding nothing.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.test import Client
from django.utils import translation
from django.utils.formats import number_format

from gapbridge.countries.models import Economy, ReferenceLoad

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ("fr", "es", "ar")
PAGES = {
    "home": "/",
    "countries": "/countries/",
    "profile": "/countries/NER/",
    "compare": "/compare/?c=NER&c=KEN&c=EGY",
    "methodology": "/about/methodology/",
    "login": "/accounts/login/",
}
ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: set[str] = set()
        self._skip = 0
        self.root: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.root = dict(attrs)
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.nodes.add(" ".join(value.split()))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._skip:
            self.nodes.add(text)


def _parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def _translations(lang: str) -> dict[str, str]:
    """Singular msgid -> msgstr where the translation differs from the English."""
    with (LOCALE / lang / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    return {
        " ".join(m.id.split()): " ".join(m.string.split())
        for m in catalog
        if isinstance(m.id, str) and isinstance(m.string, str) and m.id and m.string and m.string != m.id
    }


def _get(client: Client, path: str, lang: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(path)
    assert response.status_code == 200, (path, lang, response.status_code)
    return response.content.decode()


@pytest.fixture(scope="module")
def catalogues() -> dict[str, dict[str, str]]:
    return {lang: _translations(lang) for lang in LANGUAGES}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_no_marked_english_string_is_left_untranslated(
    client: Client, page: str, catalogues: dict[str, dict[str, str]]
) -> None:
    english = _parse(_get(client, PAGES[page], "en"))
    assert english.root.get("dir") == "ltr" and english.root.get("lang") == "en"
    for lang in LANGUAGES:
        marked = english.nodes & catalogues[lang].keys()
        assert len(marked) >= 5, f"{page}: the English page should show marked strings, found {marked}"
        translated = _parse(_get(client, PAGES[page], lang))
        left = sorted(marked & translated.nodes)
        assert not left, f"{page} in {lang} still shows English: {left[:10]}"
        shown = {catalogues[lang][m] for m in marked} & translated.nodes
        assert len(shown) >= len(marked) // 2, f"{page} in {lang}: translations not shown"
        assert translated.root.get("lang") == lang
        assert translated.root.get("dir") == ("rtl" if lang == "ar" else "ltr"), (page, lang)


KNOWN = {
    # English -> (fr, es, ar), as they must appear on the Niger profile.
    "Connectivity": ("Connectivité", "Conectividad", "الاتصال"),
    "Internet users": ("Utilisateurs d'Internet", "Usuarios de Internet", "مستخدمو الإنترنت"),
    "Least developed countries (UN)": (
        "Pays les moins avancés (PMA) (ONU)",
        "Países menos adelantados (PMA) (ONU)",
        "أقل البلدان نموا (الأمم المتحدة)",
    ),
    "Sub-Saharan Africa": ("Afrique subsaharienne", "África Subsahariana", "أفريقيا جنوب الصحراء الكبرى"),
    "Low income": ("Faible revenu", "Ingreso bajo", "الدخل المنخفض"),
    "Electronic transactions": (
        "Transactions électroniques",
        "Transacciones electrónicas",
        "المعاملات الإلكترونية",
    ),
}


@pytest.mark.parametrize(("index", "lang"), list(enumerate(LANGUAGES)))
def test_profile_shows_pillars_indicators_regions_and_groups_translated(
    client: Client, index: int, lang: str
) -> None:
    english = _get(client, "/countries/NER/", "en")
    page = _get(client, "/countries/NER/", lang)
    for source, targets in KNOWN.items():
        assert source in english
        assert source not in page, f"{source!r} left in English on the {lang} profile"
        assert targets[index].replace("'", "&#x27;") in page, f"{targets[index]!r} missing in {lang}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_country_names_are_in_the_visitors_language(client: Client, lang: str) -> None:
    egypt = Economy.objects.get(iso3="EGY")
    localised = getattr(egypt, f"name_{lang}")
    assert localised and localised != egypt.name_en
    profile = _get(client, "/countries/EGY/", lang)
    assert f"<h1>{localised} " in profile
    listing = _get(client, "/countries/?q=EGY", lang)
    assert f">{localised}</a>" in listing
    compare = _get(client, "/compare/?c=EGY&c=KEN", lang)
    assert f">{localised}</a>" in compare and f">{egypt.name_en}</a>" not in compare


@pytest.mark.parametrize("lang", LANGUAGES)
def test_dates_and_numbers_follow_the_locale(client: Client, lang: str) -> None:
    load = ReferenceLoad.objects.first()
    assert load is not None
    niger = Economy.objects.get(iso3="NER")
    assert niger.latest_population is not None
    with translation.override("en"):
        english_date = date_filter(load.loaded_at)
        english_population = number_format(round(niger.latest_population), 0, force_grouping=True)
    with translation.override(lang):
        local_date = date_filter(load.loaded_at)
        local_population = number_format(round(niger.latest_population), 0, force_grouping=True)
    assert local_date != english_date and local_population != english_population
    home = _get(client, "/", lang)
    assert local_date in home and english_date not in home
    profile = _get(client, "/countries/NER/", lang)
    assert local_population in profile and english_population not in profile


def test_language_switcher_sets_the_language(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/countries/"})
    assert response.status_code == 302 and response["Location"] == "/countries/"
    page = _parse(client.get("/countries/").content.decode())
    assert page.root.get("dir") == "rtl" and page.root.get("lang") == "ar"
    assert "البلدان والاقتصادات" in page.nodes
