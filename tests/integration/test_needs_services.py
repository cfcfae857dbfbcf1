"""Needs: focal points and requesters, validation rights, lifecycle history, indicative needs."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from gapbridge.accounts.models import Role
from gapbridge.accounts.permissions import PermissionDenied
from gapbridge.countries import labels
from gapbridge.countries.models import Economy, IndicatorValue, PillarScore
from gapbridge.needs import derived, services
from gapbridge.needs.models import Need, NeedOrigin, NeedStatus
from gapbridge.web.i18n import local_number
from tests import factories

pytestmark = pytest.mark.django_db


def _fields(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "title": "Broadband for district schools",
        "description": "Connect 40 secondary schools to fibre.",
        "focus_areas": ["connectivity"],
        "kinds": ["equipment", "technical-assistance"],
        "priority": "high",
        "languages": ["fr"],
    }
    base.update(kw)
    return base


def test_focal_point_runs_the_lifecycle_and_history_records_each_move() -> None:
    niger = Economy.objects.get(iso3="NER")
    fp = factories.user("fp", Role.FOCAL_POINT, iso3="NER")
    need = services.create_need(fp, niger, **_fields())
    assert need.focus_areas == ["connectivity-infrastructure"]
    for target in ("submitted", "validated", "matching"):
        services.change_status(fp, need.pk, target, f"to {target}")
    with pytest.raises(services.NeedError, match="cannot go from matching to fulfilled"):
        services.change_status(fp, need.pk, "fulfilled", "skip")
    assert [(h.from_status, h.to_status) for h in need.history.all()] == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "validated"),
        ("validated", "matching"),
    ]


def test_requesting_organization_submits_but_may_not_validate() -> None:
    agency = factories.organization("SME agency", "NE-SME-1")
    editor = factories.user("agency", Role.ORG_EDITOR, organization=agency)
    niger = Economy.objects.get(iso3="NER")
    need = services.create_need(
        editor, niger, requesting_organization=agency.pk, requester_type="sme-agency", **_fields()
    )
    services.change_status(editor, need.pk, "submitted", "please")
    with pytest.raises(PermissionDenied, match="only the focal points of Niger"):
        services.change_status(editor, need.pk, "validated", "self-validation")
    other_fp = factories.user("fp-ken", Role.FOCAL_POINT, iso3="KEN")
    with pytest.raises(PermissionDenied):
        services.create_need(other_fp, niger, **_fields())
    with pytest.raises(services.NeedError, match="at least one focus area"):
        services.create_need(editor, niger, requesting_organization=agency.pk, **_fields(focus_areas=[]))


def test_indicative_needs_are_derived_labelled_and_idempotent() -> None:
    first = derived.derive_indicative_needs(per_country=2)
    assert first["created"] > 50 and first["countries"] > 30
    again = derived.derive_indicative_needs(per_country=2)
    assert again["created"] == 0 and again["updated"] == 0 and again["unchanged"] == first["created"]
    need = Need.objects.get(source_key="gapindex:NER:skills")
    assert need.is_indicative and need.origin == NeedOrigin.DERIVED
    assert need.description.startswith("Derived from data, not a request from Niger")
    assert need.focus_areas == ["digital-skills"] and need.derived_from["pillar"] == "skills"
    assert not Need.objects.indicative().filter(country__income_group="H").exists()
    with pytest.raises(services.NeedError, match="derived from data"):
        services.update_need(None, need.pk, title="edited")
    # a pillar that is no longer weak closes its indicative need, with the reason in its history
    PillarScore.objects.filter(economy__iso3="NER", pillar="skills").update(score=95.0)
    third = derived.derive_indicative_needs(per_country=2)
    need.refresh_from_db()
    assert third["removed"] >= 1 and need.status == NeedStatus.CLOSED
    last = need.history.last()
    assert last is not None and last.reason == "no longer among the weakest pillars"


def test_focal_point_adopts_an_indicative_need_as_a_draft() -> None:
    derived.derive_indicative_needs(per_country=1)
    indicative = Need.objects.indicative().filter(country__iso3="NER").first()
    assert indicative is not None
    fp = factories.user("fp2", Role.FOCAL_POINT, iso3="NER")
    adopted = services.adopt(fp, indicative.pk)
    assert adopted.origin == NeedOrigin.REQUESTED and adopted.status == NeedStatus.DRAFT
    assert adopted.focus_areas == indicative.focus_areas and adopted.country_id == indicative.country_id
    stranger = factories.user("fp3", Role.FOCAL_POINT, iso3="KEN")
    with pytest.raises(PermissionDenied):
        services.adopt(stranger, indicative.pk)


def test_indicative_needs_are_written_in_every_interface_language() -> None:
    derived.derive_indicative_needs(per_country=2)
    need = Need.objects.get(source_key="gapindex:NER:skills")
    niger = need.country
    assert set(need.translations) == {"fr", "es", "ar"}
    for lang in ("fr", "es", "ar"):
        text = need.translations[lang]
        with translation.override(lang):
            pillar = labels.pillar_name("skills")
        assert getattr(niger, f"name_{lang}") in text["title"] and pillar in text["title"]
        assert text["description"].count("\n- ") >= 1, "the weakest indicators are listed"
        assert "Derived from data" not in text["description"] and text["title"] != need.title
    assert "Niger" in need.translations["fr"]["title"] and "Compétences" in need.translations["fr"]["title"]
    # values in each language's number format
    values = IndicatorValue.objects.filter(economy=niger, pillar="skills", normalised__isnull=False)
    weakest = min(values, key=lambda v: v.normalised or 0.0)
    for lang in ("en", "fr"):
        with translation.override(lang):
            shown = local_number(weakest.value or 0.0, 1)
        text = need.description if lang == "en" else need.translations[lang]["description"]
        assert f": {shown} " in text
    page = Client().get(f"/needs/{need.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert need.translations["fr"]["title"] in page and "déduit des scores des piliers" in page
    again = derived.derive_indicative_needs(per_country=2)
    assert again["updated"] == 0, "translations are stable from one run to the next"
    fp = factories.user("fp-ner", Role.FOCAL_POINT, iso3="NER")
    adopted = services.adopt(fp, need.pk)
    assert adopted.translations == need.translations


def test_a_focal_point_edits_a_need_naming_another_countrys_organisation_without_renaming_it() -> None:
    """The secretariat named a regional organisation based elsewhere; the focal point may still fix a typo."""
    kenya, senegal = Economy.objects.get(iso3="KEN"), Economy.objects.get(iso3="SEN")
    regional = factories.organization("East African Fintech Network", "XM-EAFN")
    regional.country = senegal
    regional.save(update_fields=["country"])
    sec = factories.user("sec-n", Role.SECRETARIAT)
    need = services.create_need(
        sec,
        kenya,
        title="Mobile money interoperabilty",
        description="Interoperable mobile money.",
        focus_areas=["digital-payments"],
        requesting_organization=regional.pk,
    )
    fp = factories.user("fp-ken-n", Role.FOCAL_POINT, iso3="KEN")
    fixed = services.update_need(
        fp, need.pk, title="Mobile money interoperability", requesting_organization=regional.pk
    )
    assert fixed.title == "Mobile money interoperability" and fixed.requesting_organization_id == regional.pk
    other = factories.organization("Somewhere Else", "XM-ELSE")
    with pytest.raises(PermissionDenied, match="may not name"):
        services.update_need(fp, need.pk, requesting_organization=other.pk)
