"""Needs: focal points and requesters, validation rights, lifecycle history, indicative needs."""

from __future__ import annotations

import pytest

from gapbridge.accounts.models import Role
from gapbridge.accounts.permissions import PermissionDenied
from gapbridge.countries.models import Economy, PillarScore
from gapbridge.needs import derived, services
from gapbridge.needs.models import Need, NeedOrigin, NeedStatus
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
