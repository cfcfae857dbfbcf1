"""Content in the visitor's language: IATI narratives picked by `xml:lang`, barriers by their translations,
and a notice whenever the page falls back to another language (`gapbridge.web.content_language`)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from gapbridge.accounts.models import Role
from gapbridge.barriers import services as barrier_services
from gapbridge.barriers.models import Barrier
from gapbridge.projects.models import Activity
from gapbridge.web import codelist_names
from gapbridge.web.content_language import Shown, pick_narrative, pick_translation, primary
from gapbridge.web.templatetags.content_language import language_name
from tests import factories

from ..integration.test_projects_support import NL_203, run_import

# --- the pure helper ------------------------------------------------------------------------------------


def test_primary_subtag_is_compared_case_insensitively() -> None:
    assert primary("fr-CA") == "fr" and primary("EN") == "en" and primary("pt_BR") == "pt"
    assert primary(None) == "" and primary("") == ""


def test_pick_narrative_prefers_the_visitors_language_then_the_default_then_english() -> None:
    narratives = [["Titre", "fr"], ["Title", None], ["Título", "es"]]
    assert pick_narrative(narratives, "fr", "en") == Shown("Titre", "fr", "fr")
    assert pick_narrative(narratives, "es-ES", "en").text == "Título"
    ar = pick_narrative(narratives, "ar", "en")
    assert (ar.text, ar.lang, ar.fallback) == ("Title", "en", True)
    # lang None means the activity's default language, whatever it is.
    dutch = pick_narrative([["Titel", None], ["Title", "en"]], "fr", "nl")
    assert (dutch.text, dutch.lang, dutch.fallback) == ("Titel", "nl", True)
    assert pick_narrative([["Titel", None], ["Title", "en"]], "en", "nl").text == "Title"
    # nothing in the wanted, default or English language: the first non-empty one
    assert pick_narrative([["", "fr"], ["Título", "es"], ["Titolo", "it"]], "fr", "de").text == "Título"


def test_pick_narrative_in_the_visitors_language_is_no_fallback() -> None:
    assert not pick_narrative([["Titre", "FR"]], "fr", "en").fallback
    empty = pick_narrative([], "fr", "en")
    assert empty.text == "" and not empty.fallback
    assert not pick_narrative(None, "fr").fallback


def test_pick_translation_uses_a_translation_and_fills_missing_fields_from_the_original() -> None:
    original = {"title": "Data localisation rule", "description": "Servers must be in the country."}
    translations = {"fr": {"title": "Règle de localisation des données", "description": ""}}
    fr = pick_translation(original, "en", translations, "fr")
    assert fr.text == "Règle de localisation des données" and fr.lang == "fr" and not fr.fallback
    assert fr.fields["description"] == "Servers must be in the country."
    es = pick_translation(original, "en", translations, "es")
    assert es.text == "Data localisation rule" and es.lang == "en" and es.fallback
    assert not pick_translation(original, "en", translations, "en").fallback
    # a translation without its main field is not used
    assert pick_translation(original, "en", {"fr": {"title": " "}}, "fr").fallback


@pytest.mark.parametrize(
    ("code", "ui", "name"),
    [("en", "fr", "anglais"), ("nl", "es", "neerlandés"), ("fr", "ar", "الفرنسية"), ("en", "en", "English")],
)
def test_language_names_come_from_cldr_in_the_visitors_language(code: str, ui: str, name: str) -> None:
    assert language_name(code, ui) == name


# --- pages ------------------------------------------------------------------------------------------------

MULTILINGUAL = """<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03" generated-datetime="2026-11-01T00:00:00">
  <iati-activity last-updated-datetime="2026-11-01T00:00:00" xml:lang="en" default-currency="USD">
    <iati-identifier>XM-TEST-I18N-1</iati-identifier>
    <reporting-org ref="XM-TEST" type="10"><narrative>Test publisher</narrative></reporting-org>
    <title>
      <narrative>Rural broadband for schools</narrative>
      <narrative xml:lang="fr">Haut débit rural pour les écoles</narrative>
    </title>
    <description type="1">
      <narrative>Connect 200 rural schools.</narrative>
      <narrative xml:lang="fr">Connecter 200 écoles rurales.</narrative>
    </description>
    <activity-status code="2"/>
    <activity-date type="1" iso-date="2026-01-01"/>
    <recipient-country code="SN"/>
  </iati-activity>
</iati-activities>
"""


def _get(client: Client, path: str, lang: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(path)
    assert response.status_code == 200, (path, lang)
    return response.content.decode()


@pytest.mark.django_db
def test_project_page_shows_the_title_in_the_visitors_language_or_says_it_falls_back(
    client: Client, tmp_path: Path
) -> None:
    source = tmp_path / "multilingual.xml"
    source.write_text(MULTILINGUAL, encoding="utf-8")
    run_import([source])
    activity = Activity.objects.get(iati_identifier="XM-TEST-I18N-1")
    french = _get(client, f"/projects/{activity.pk}/", "fr")
    assert '<h1 lang="fr" dir="auto">Haut débit rural pour les écoles</h1>' in french
    assert "Connecter 200 écoles rurales." in french and "fallback-notice" not in french
    english = _get(client, f"/projects/{activity.pk}/", "en")
    assert '<h1 lang="en" dir="auto">Rural broadband for schools</h1>' in english
    assert "fallback-notice" not in english
    spanish = _get(client, f"/projects/{activity.pk}/", "es")
    assert '<h1 lang="en" dir="auto">Rural broadband for schools</h1>' in spanish
    notice = spanish[spanish.index("fallback-notice") :][:300]
    assert "inglés" in notice and "español" in notice  # "Shown in English; no Spanish version."


@pytest.mark.django_db
def test_project_page_in_the_publishers_only_language_says_so(client: Client) -> None:
    run_import([NL_203])  # xml:lang="nl" on the activity, narratives without their own xml:lang
    activity = Activity.objects.get(iati_identifier="NL-1-PPR-24706")
    page = _get(client, f"/projects/{activity.pk}/", "fr")
    assert '<h1 lang="nl" dir="auto">ICTJ 2013-2014</h1>' in page
    notice = page[page.index("fallback-notice") :][:300]
    assert "néerlandais" in notice and "français" in notice


@pytest.fixture
def barrier() -> Barrier:
    reporter = factories.user("i18n-reporter", Role.SECRETARIAT)
    return barrier_services.report_barrier(
        reporter,
        title="Servers must stay in the country",
        description="A data localisation rule for every online service.",
        language="en",
        country="SEN",
        category="data_flows",
        translations={
            "fr": {
                "title": "Les serveurs doivent rester dans le pays",
                "description": "Une règle de localisation.",
            }
        },
    )


@pytest.mark.django_db
def test_barrier_page_shows_the_translation_or_the_original_with_a_notice(
    client: Client, barrier: Barrier
) -> None:
    client.force_login(factories.user("i18n-sec", Role.SECRETARIAT))
    french = _get(client, f"/barriers/{barrier.pk}/", "fr")
    assert '<h1 lang="fr" dir="auto">Les serveurs doivent rester dans le pays</h1>' in french
    assert "Une règle de localisation." in french and "fallback-notice" not in french
    arabic = _get(client, f"/barriers/{barrier.pk}/", "ar")
    assert '<h1 lang="en" dir="auto">Servers must stay in the country</h1>' in arabic
    notice = arabic[arabic.index("fallback-notice") :][:300]
    assert "الإنجليزية" in notice and "العربية" in notice
    listing = _get(client, "/barriers/?country=SEN", "fr")
    assert ">Les serveurs doivent rester dans le pays</a>" in listing


@pytest.mark.django_db
def test_barrier_translations_are_validated_and_kept_through_the_form(
    client: Client, barrier: Barrier
) -> None:
    with pytest.raises(barrier_services.BarrierError, match="xx"):
        barrier_services.update_barrier(
            factories.user("i18n-sec2", Role.SECRETARIAT), barrier.pk, translations={"xx": {"title": "?"}}
        )
    sec = factories.user("i18n-editor", Role.SECRETARIAT)
    client.force_login(sec)
    form: dict[str, Any] = {
        "title": barrier.title,
        "description": barrier.description,
        "language": "en",
        "country": "SEN",
        "category": barrier.category,
        "priority": barrier.priority,
        "translation_language": "es",
        "translation_title": "Los servidores deben quedarse en el país",
        "translation_description": "",
    }
    unsaid = client.post(f"/barriers/{barrier.pk}/edit/", {**form, "translation_language": ""})
    assert (
        unsaid.status_code == 400 and "Say which language the translation is in." in unsaid.content.decode()
    )
    barrier.refresh_from_db()
    assert "es" not in barrier.translations  # refused, not silently dropped
    response = client.post(f"/barriers/{barrier.pk}/edit/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    barrier.refresh_from_db()
    assert barrier.translations["es"]["title"] == "Los servidores deben quedarse en el país"
    assert barrier.translations["fr"]["title"] == "Les serveurs doivent rester dans le pays"  # kept
    api = client.get(f"/api/v1/barriers/{barrier.pk}").json()
    assert api["translations"]["es"]["title"] == "Los servidores deben quedarse en el país"


# --- codelist names ---------------------------------------------------------------------------------------

CODELIST_XML = """<codelist name="ActivityStatus" xml:lang="en" complete="1" embedded="1">
  <codelist-items>
    <codelist-item><code>1</code><name><narrative>Pipeline/identification</narrative>
      <narrative xml:lang="fr">Planification</narrative></name></codelist-item>
    <codelist-item><code>2</code><name><narrative>Implementation</narrative></name></codelist-item>
  </codelist-items>
</codelist>
"""


def test_codelist_names_build_keeps_the_non_english_names(tmp_path: Path) -> None:
    (tmp_path / "embedded").mkdir()
    (tmp_path / "embedded" / "ActivityStatus.xml").write_text(CODELIST_XML, encoding="utf-8")
    document = codelist_names.build(tmp_path)
    assert document["codelists"] == {"ActivityStatus": {"fr": {"1": "Planification"}}}
    assert set(document["inputs_sha256"]) == {"embedded/ActivityStatus.xml"}


def test_bundled_codelist_names_are_used_in_the_visitors_language_with_english_fallback() -> None:
    assert codelist_names.code_name("TransactionType", "3", "fr") == "Décaissement"
    assert codelist_names.code_name("TransactionType", "3", "es") == "Disbursement"  # no Spanish names
    assert codelist_names.code_name("TransactionType", "3", "en") == "Disbursement"
    assert codelist_names.code_name("TransactionType", "99", "fr") == ""
    assert codelist_names.names("ActivityStatus", "fr")["2"] == "Actif"


@pytest.mark.django_db
def test_project_pages_name_codes_in_the_visitors_language(client: Client, tmp_path: Path) -> None:
    source = tmp_path / "multilingual.xml"
    source.write_text(MULTILINGUAL, encoding="utf-8")
    run_import([source])
    activity = Activity.objects.get(iati_identifier="XM-TEST-I18N-1")
    french = _get(client, f"/projects/{activity.pk}/", "fr")
    english = _get(client, f"/projects/{activity.pk}/", "en")
    assert "Actif" in french and "Implementation" not in french  # ActivityStatus 2
    assert "Implementation" in english
    search = _get(client, "/projects/?q=rural", "fr")
    assert '<option value="2">Actif</option>' in search
    assert "Haut débit rural pour les écoles" in search  # the French title in the results too
    # the API gives codes, not codelist names; its recipient country follows the request's language
    api = client.get(f"/api/v1/activities/{activity.pk}", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert api["activity_status"] == "2"
    assert {c["name"] for c in api["recipient_countries"]} == {"Sénégal"}


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_country_choices_in_forms_are_named_and_sorted_in_the_visitors_language(
    client: Client, lang: str
) -> None:
    from gapbridge.countries.models import Economy

    editor = factories.user("i18n-forms", Role.ORG_EDITOR, organization=factories.organization("Forms Org"))
    client.force_login(editor)
    senegal = Economy.objects.get(iso3="SEN")
    localised = getattr(senegal, f"name_{lang}")
    assert localised != senegal.name_en
    for path in ("/barriers/report/", "/pledges/new/"):
        page = _get(client, path, lang)
        assert f'value="SEN">{localised}</option>' in page, path
        assert f'value="SEN">{senegal.name_en} (SEN)</option>' not in page, path
    options = _get(client, "/barriers/report/", lang).split('name="country"')[1].split("</select>")[0]
    names = re.findall(r'<option value="[A-Z]{3}"[^>]*>([^<]*)</option>', options)

    def key(name: str) -> str:
        return "".join(
            c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
        ).casefold()

    assert len(names) > 150 and names == sorted(names, key=key)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["fr", "ar", "es"])
def test_creation_forms_start_in_the_visitors_language_and_name_places_in_it(
    client: Client, lang: str
) -> None:
    from gapbridge.countries import labels
    from gapbridge.countries.models import Economy

    client.force_login(factories.user(f"i18n-sec-{lang}", Role.SECRETARIAT))
    factories.organization("Forms Provider")  # the offer form needs an organization to publish for
    egypt = Economy.objects.get(iso3="EGY")
    localised = getattr(egypt, f"name_{lang}")
    for path in ("/offers/new/", "/needs/new/", "/barriers/report/"):
        page = _get(client, path, lang)
        language = page.split('name="language"')[1].split("</select>")[0]
        assert re.search(rf'<option value="{lang}"[^>]*selected', language), path
        assert not re.search(r'<option value="en"[^>]*selected', language), path
        assert f">{localised}</option>" in page, path
        assert f">{egypt.name_en} (EGY)</option>" not in page, path
    offer = _get(client, "/offers/new/", lang)
    with translation.override(lang):
        region = labels.region("Sub-Saharan Africa")
    assert region != "Sub-Saharan Africa" and f'value="Sub-Saharan Africa">{region}</option>' in offer
    english = _get(client, "/offers/new/", "en").split('name="language"')[1].split("</select>")[0]
    assert re.search(r'<option value="en"[^>]*selected', english)
