"""The barrier register's services: reporting, moderation with history, permissions, links, merge,
derived cyberlaw barriers on the real UNCTAD data, and follower notifications (page + e-mail, once)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from gapbridge.accounts.models import Role
from gapbridge.accounts.permissions import PermissionDenied
from gapbridge.audit.models import AuditEntry
from gapbridge.barriers import derived, queries, services
from gapbridge.barriers.models import Barrier, BarrierNotification, BarrierStatusChange, Origin
from gapbridge.countries.models import Economy, LegalStatus
from gapbridge.needs import services as need_services
from gapbridge.offers import services as offer_services
from tests import factories

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def report(actor: Any, **extra: Any) -> Barrier:
    fields: dict[str, Any] = {
        "title": "Mobile money licences limited to banks",
        "description": "Only licensed banks may issue e-money; telecom operators and fintechs are excluded.",
        "country": "KEN",
        "category": "e_payments",
        "focus_areas": ["digital-payments"],
        "measure_title": "National Payment System Regulations",
        "measure_date": "2014-06-01",
    }
    fields.update(extra)
    return services.report_barrier(actor, **fields)


@pytest.fixture
def people() -> dict[str, Any]:
    org = factories.organization("Kenya Fintech Association", "KE-FTA")
    return {
        "sec": factories.user("sec", Role.SECRETARIAT),
        "fp": factories.user("fp_ken", Role.FOCAL_POINT, iso3="KEN"),
        "fp_other": factories.user("fp_ner", Role.FOCAL_POINT, iso3="NER"),
        "editor": factories.user("fta_editor", Role.ORG_EDITOR, organization=org),
        "public": factories.user("visitor"),
        "org": org,
    }


def test_report_creates_a_reported_barrier_with_history_and_audit(people: dict[str, Any]) -> None:
    b = report(people["public"], reporter_name="A. Trader")
    assert b.status == "reported" and b.origin == Origin.REPORTED and b.country.iso3 == "KEN"
    (h,) = b.history.all()
    assert (h.from_status, h.to_status, h.actor_label, h.reason) == ("", "reported", "visitor", "reported")
    assert AuditEntry.objects.filter(
        object_type="barriers.barrier", object_id=str(b.pk), action="create"
    ).exists()
    assert b.measure_date.isoformat() == "2014-06-01"


def test_anonymous_cannot_report_and_invalid_input_is_named(people: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        report(None)
    with pytest.raises(services.BarrierError, match="no economy with ISO3 code 'ZZZ'"):
        report(people["public"], country="ZZZ")
    with pytest.raises(services.BarrierError, match="unknown focus area"):
        report(people["public"], focus_areas=["space-travel"])
    with pytest.raises(services.BarrierError, match="either a country or a group"):
        report(people["public"], group="ldc")
    with pytest.raises(services.BarrierError, match="category"):
        report(people["public"], category="weather")
    assert not Barrier.objects.filter(origin=Origin.REPORTED).exists()


def test_reporting_on_behalf_of_an_organization_needs_its_editor_role(people: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        report(people["public"], reporter_organization=people["org"])
    b = report(people["editor"], reporter_organization=people["org"])
    assert b.owning_organization_id() == people["org"].pk


def test_lifecycle_moderation_and_progress_with_reasons(people: dict[str, Any]) -> None:
    b = report(people["public"])
    with pytest.raises(PermissionDenied):  # focal points do not moderate
        services.change_status(people["fp"], b.pk, "verified", "looks right")
    with pytest.raises(services.BarrierError, match="reason"):
        services.change_status(people["sec"], b.pk, "under_review", "  ")
    with pytest.raises(services.BarrierError, match="cannot go from reported to resolved_in_full"):
        services.change_status(people["sec"], b.pk, "resolved_in_full", "x")
    services.change_status(people["sec"], b.pk, "under_review", "checking with the regulator")
    services.change_status(people["sec"], b.pk, "verified", "confirmed by the central bank circular")
    # The country's focal point may report progress, another country's may not.
    with pytest.raises(PermissionDenied):
        services.change_status(people["fp_other"], b.pk, "being_addressed", "x")
    services.change_status(people["fp"], b.pk, "being_addressed", "draft amendment tabled")
    with pytest.raises(PermissionDenied):  # archiving is moderation
        services.change_status(people["fp"], b.pk, "archived", "x")
    services.change_status(people["fp"], b.pk, "resolved_in_part", "fintechs may apply from 2026")
    moves = [(h.from_status, h.to_status, h.actor_label, h.reason) for h in b.history.all()]
    assert moves == [
        ("", "reported", "visitor", "reported"),
        ("reported", "under_review", "sec", "checking with the regulator"),
        ("under_review", "verified", "sec", "confirmed by the central bank circular"),
        ("verified", "being_addressed", "fp_ken", "draft amendment tabled"),
        ("being_addressed", "resolved_in_part", "fp_ken", "fintechs may apply from 2026"),
    ]
    b.refresh_from_db()
    assert b.status == "resolved_in_part" and b.status_changed_at == b.history.last().at  # type: ignore[union-attr]
    assert AuditEntry.objects.filter(object_id=str(b.pk), action="transition").count() == 4


def test_reporter_edits_only_while_in_moderation_and_restricted_notes_are_secretariat_only(
    people: dict[str, Any],
) -> None:
    b = report(people["public"])
    services.update_barrier(people["public"], b.pk, title="E-money licences limited to banks")
    with pytest.raises(PermissionDenied):
        services.update_barrier(people["public"], b.pk, restricted_notes="x")
    services.change_status(people["sec"], b.pk, "verified", "ok")
    with pytest.raises(PermissionDenied):
        services.update_barrier(people["public"], b.pk, title="changed after publication")
    services.update_barrier(people["sec"], b.pk, restricted_notes="source: meeting of 3 May, not public")
    b.refresh_from_db()
    assert b.title == "E-money licences limited to banks" and b.restricted_notes.startswith("source")


def test_visibility_and_withheld_reporter(people: dict[str, Any]) -> None:
    b = report(people["public"], reporter_name="A. Trader", reporter_is_public=False)
    assert not queries.visible(None).filter(pk=b.pk).exists()  # not moderated yet
    assert queries.visible(people["public"]).filter(pk=b.pk).exists()  # the reporter sees their own
    assert queries.visible(people["fp"]).filter(pk=b.pk).exists()  # the country's focal point too
    assert not queries.visible(people["fp_other"]).filter(pk=b.pk).exists()
    services.change_status(people["sec"], b.pk, "verified", "ok")
    services.update_barrier(people["sec"], b.pk, restricted_notes="confidential")
    b.refresh_from_db()
    public_view = queries.view(None, b)
    assert public_view.reporter is None and public_view.reporter_organization is None
    assert public_view.restricted_notes is None
    mine = queries.view(people["public"], b)
    assert mine.reporter == "A. Trader"
    assert queries.view(people["sec"], b).restricted_notes == "confidential"


def test_restricted_progress_updates_are_hidden_from_the_public(people: dict[str, Any]) -> None:
    b = report(people["public"])
    services.change_status(people["sec"], b.pk, "verified", "ok")
    services.add_update(people["fp"], b.pk, "Cabinet approved the bill.")
    services.add_update(people["fp"], b.pk, "Minister hesitant, do not publish.", is_public=False)
    with pytest.raises(PermissionDenied):
        services.add_update(people["fp_other"], b.pk, "x")
    assert [u.text for u in queries.updates(None, b)] == ["Cabinet approved the bill."]
    assert len(queries.updates(people["sec"], b)) == 2


def test_an_unknown_code_is_refused_with_the_codes_accepted(people: dict[str, Any]) -> None:
    with pytest.raises(
        services.BarrierError, match=r"category: unknown value 'regulatory'; expected one of .*e_payments"
    ):
        report(people["public"], category="regulatory")
    assert not Barrier.objects.exists()


def test_links_need_an_existing_object(people: dict[str, Any]) -> None:
    b = report(people["public"])
    with pytest.raises(services.BarrierError, match="unknown link kind"):
        services.link(people["sec"], b.pk, "rumour", "1")
    with pytest.raises(services.BarrierError, match="no project with id '999999'"):
        services.link(people["sec"], b.pk, "project", "999999")


def test_a_link_cannot_reveal_a_draft_the_linker_may_not_see(people: dict[str, Any]) -> None:
    """The focal point responsible for a KEN barrier may link what it can see, not another organisation's
    private draft: that is answered as if it did not exist, and nothing is stored."""
    b = report(people["fp"])
    other = factories.organization("Another Provider", "XM-ANOTHER")
    other_editor = factories.user("another_editor", Role.ORG_EDITOR, organization=other)
    draft = offer_services.create_offer(
        other_editor,
        other,
        title="ANOTHER PRIVATE DRAFT",
        description="Not public yet.",
        kind="training",
        focus_areas=["digital-payments"],
    )
    with pytest.raises(services.BarrierError, match=f"no offer with id '{draft.pk}'"):
        services.link(people["fp"], b.pk, "offer", str(draft.pk))
    assert not b.links.exists()
    ner_need = need_services.create_need(
        people["fp_other"],
        Economy.objects.get(iso3="NER"),
        title="Private draft need",
        description="Not submitted.",
        focus_areas=["digital-payments"],
    )
    with pytest.raises(services.BarrierError, match="no need with id"):
        services.link(people["fp"], b.pk, "need", str(ner_need.pk))
    # once published, the same offer can be linked, and the secretariat sees everything
    offer_services.change_status(other_editor, draft.pk, "published", "ready")
    assert services.link(people["fp"], b.pk, "offer", str(draft.pk)).label == "ANOTHER PRIVATE DRAFT"
    assert services.link(people["sec"], b.pk, "need", str(ner_need.pk)).label == "Private draft need"


def test_merge_moves_links_and_archives_the_duplicate(people: dict[str, Any]) -> None:
    first = report(people["public"])
    dup = report(people["editor"], title="Banks-only e-money licensing")
    with pytest.raises(PermissionDenied):
        services.merge(people["fp"], dup.pk, first.pk, "same")
    services.merge(people["sec"], dup.pk, first.pk, "same regulation")
    dup.refresh_from_db()
    assert dup.merged_into_id == first.pk and dup.status == "archived"
    assert dup.history.last().reason == f"merged into #{first.pk}: same regulation"  # type: ignore[union-attr]
    with pytest.raises(services.BarrierError, match="into itself"):
        services.merge(people["sec"], first.pk, first.pk, "x")


def test_related_barriers_across_languages(people: dict[str, Any]) -> None:
    en = report(
        people["public"],
        title="Data localisation requirement for cloud services",
        description="All personal data must be stored on servers located in the country.",
        category="data_flows",
        focus_areas=["data-regulation"],
    )
    fr = report(
        people["public"],
        title="Obligation de localisation des données pour les services cloud",
        description="Toutes les données personnelles doivent être stockées sur des serveurs "
        "situés dans le pays.",
        category="data_flows",
        language="fr",
        country="SEN",
    )
    other = report(
        people["public"],
        title="Customs de minimis threshold lowered",
        description="Parcels above 10 dollars now pay duty.",
        category="customs_de_minimis",
    )
    for b in (en, fr, other):
        services.change_status(people["sec"], b.pk, "verified", "ok")
    found = queries.related(None, en, threshold=0.1)
    ids = [r.barrier.pk for r in found]
    assert fr.pk in ids
    assert other.pk not in ids or ids.index(fr.pk) < ids.index(other.pk)


def test_derived_cyberlaw_barriers_cover_every_country_without_a_law_and_are_idempotent() -> None:
    first = derived.derive_cyberlaw_barriers()
    missing = LegalStatus.objects.filter(area__in=list(derived.RULES), status=LegalStatus.Status.NONE)
    assert first.created == missing.count() > 100
    expected = {derived.source_key(s.economy.iso3, s.area) for s in missing.select_related("economy")}
    made = Barrier.objects.filter(origin=Origin.DERIVED)
    assert set(made.values_list("source_key", flat=True)) == expected
    niger = (
        LegalStatus.objects.filter(status="none", area="consumer_protection")
        .select_related("economy")
        .first()
    )
    assert niger is not None
    b = made.get(source_key=derived.source_key(niger.economy.iso3, "consumer_protection"))
    assert b.category == "consumer_protection" and b.status == "verified"
    assert b.source_name == "UNCTAD Global Cyberlaw Tracker" and b.source_date.isoformat() == "2026-04-27"
    assert "derived from the UNCTAD Global Cyberlaw Tracker" in b.history.get().reason
    assert queries.view(None, b).reporter == "UNCTAD Global Cyberlaw Tracker"
    again = derived.derive_cyberlaw_barriers()
    assert (again.created, again.unchanged) == (0, first.created)
    assert made.count() == first.created
    # No barrier for areas the tracker records as legislated or draft, nor for indirect taxation.
    legislated = (
        LegalStatus.objects.filter(status="legislation", area="data_protection")
        .select_related("economy")
        .first()
    )
    assert legislated is not None
    assert not made.filter(source_key=derived.source_key(legislated.economy.iso3, "data_protection")).exists()
    assert not made.filter(source_key__endswith=":indirect_taxation").exists()


def test_a_new_snapshot_with_legislation_resolves_the_derived_barrier() -> None:
    derived.derive_cyberlaw_barriers()
    status = (
        LegalStatus.objects.filter(status="none", area="data_protection").select_related("economy").first()
    )
    assert status is not None
    status.status = LegalStatus.Status.LEGISLATION
    status.save()
    summary = derived.derive_cyberlaw_barriers()
    assert summary.resolved == 1
    b = Barrier.objects.get(source_key=derived.source_key(status.economy.iso3, "data_protection"))
    assert b.status == "resolved_in_full" and "now records legislation" in b.history.last().reason  # type: ignore[union-attr]


def test_followers_are_notified_once_by_page_and_email(
    people: dict[str, Any], django_capture_on_commit_callbacks: Capture
) -> None:
    follower = people["public"]
    services.subscribe(follower, country="KEN")
    services.subscribe(follower, category="e_payments")  # both cover the barrier: still one notification
    services.subscribe(people["fp_other"], country="NER")  # does not cover it
    with django_capture_on_commit_callbacks(execute=True):
        b = report(people["editor"])
    assert not BarrierNotification.objects.exists()  # unmoderated reports notify nobody
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(people["sec"], b.pk, "verified", "ok")
    (note,) = BarrierNotification.objects.filter(user=follower)
    assert note.event == "added" and "Kenya" in note.message and note.emailed_at is not None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["visitor@example.org"]
    assert f"/barriers/{b.pk}/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(people["fp"], b.pk, "being_addressed", "bill tabled")
    notes = BarrierNotification.objects.filter(user=follower).order_by("id")
    assert [n.event for n in notes] == ["added", "status"]
    assert len(mail.outbox) == 2 and "Being addressed" in mail.outbox[1].subject
    # Delivering the same event again sends nothing.
    from gapbridge.barriers import notifications

    change = BarrierStatusChange.objects.filter(barrier=b).last()
    assert change is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notify_status(b, change) == []
    assert notifications.send_emails([n.pk for n in notes]) == 0
    assert len(mail.outbox) == 2
    assert not BarrierNotification.objects.filter(user=people["fp_other"]).exists()


def test_notifications_read_in_the_readers_language(
    people: dict[str, Any], django_capture_on_commit_callbacks: Capture, client: Any
) -> None:
    from django.utils import translation

    from gapbridge.barriers import notifications

    follower = people["public"]
    services.subscribe(follower, country="KEN")
    b = report(people["editor"])
    Barrier.objects.filter(pk=b.pk).update(
        translations={"fr": {"title": "Licences de monnaie mobile réservées aux banques"}}
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(people["sec"], b.pk, "verified", "ok")
        services.change_status(people["fp"], b.pk, "being_addressed", "bill tabled")
    added, moved = BarrierNotification.objects.filter(user=follower).order_by("id")
    assert "Mobile money licences" in added.message  # written in English, the language active then
    with translation.override("fr"):
        text = notifications.describe(added)
        assert text.startswith("Nouvel obstacle dans ")
        assert "Licences de monnaie mobile réservées aux banques" in text
        assert "En cours de traitement" in notifications.describe(moved)
        assert "Being addressed" not in notifications.describe(moved)
    with translation.override("es"):  # no Spanish version of the title: as written, status in Spanish
        text = notifications.describe(moved)
        assert "Mobile money licences" in text and "Being addressed" not in text
    client.force_login(follower)
    page = client.get("/barriers/following/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Licences de monnaie mobile réservées aux banques" in page and "En cours de traitement" in page
    api = client.get("/api/v1/barrier-notifications", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert any("En cours de traitement" in n["message"] for n in api)


def test_email_can_be_turned_off_and_rolled_back_changes_send_nothing(
    people: dict[str, Any], django_capture_on_commit_callbacks: Capture
) -> None:
    services.subscribe(people["public"], country="KEN", email=False)
    b = report(people["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(people["sec"], b.pk, "verified", "ok")
    assert BarrierNotification.objects.filter(user=people["public"]).count() == 1
    assert mail.outbox == []
    with pytest.raises(services.BarrierError, match="follow a country, a category"):
        services.subscribe(people["public"])


def test_derived_barriers_notify_followers_of_their_country_in_one_email(
    people: dict[str, Any], django_capture_on_commit_callbacks: Capture
) -> None:
    iso3s = list(
        LegalStatus.objects.filter(area__in=list(derived.RULES), status="none").values_list(
            "economy__iso3", flat=True
        )
    )
    busiest = max(set(iso3s), key=iso3s.count)
    services.subscribe(people["public"], country=busiest)
    with django_capture_on_commit_callbacks(execute=True):
        derived.derive_cyberlaw_barriers()
    assert BarrierNotification.objects.filter(user=people["public"]).count() == iso3s.count(busiest) > 1
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        derived.derive_cyberlaw_barriers()
    assert len(mail.outbox) == 1


def test_a_barrier_links_to_a_real_registry_project_and_shows_the_chain(people: dict[str, Any]) -> None:
    from pathlib import Path

    from gapbridge.projects import services as registry
    from gapbridge.projects.models import Activity

    registry.import_files(
        None,
        [
            Path(__file__).resolve().parents[2]
            / "data/iati/activities/ict-sector-activities_dportal-covid-2021_v2.03.xml"
        ],
    )
    activity = Activity.objects.primary().exclude(title="").order_by("iati_identifier").first()
    assert activity is not None
    b = report(people["public"])
    with pytest.raises(PermissionDenied):  # the reporter is not responsible for the barrier
        services.link(people["public"], b.pk, "project", activity.pk)
    made = services.link(people["fp"], b.pk, "project", activity.pk, "funds the regulator's reform")
    assert services.link(people["fp"], b.pk, "project", str(activity.pk)).pk == made.pk  # linking twice: once
    chain = queries.chain(b)
    (project,) = chain["project"]
    assert (
        project.label == activity.title[:300] and project.exists and project.url.endswith(f"/{activity.pk}/")
    )
    assert chain["need"] == [] and chain["offer"] == []
    assert project.url == f"/projects/{activity.pk}/"  # the registry's project page
    # the same project named by its IATI identifier is the same link; an unknown identifier says so
    assert services.link(people["fp"], b.pk, "project", activity.iati_identifier).pk == made.pk
    with pytest.raises(services.BarrierError, match="no project with the number or IATI identifier"):
        services.link(people["fp"], b.pk, "project", "XM-NOT-A-PROJECT-1")
    services.unlink(people["fp"], made.pk)
    assert not b.links.exists()


def test_the_country_responsible_does_not_learn_who_reported_it(people: dict[str, Any]) -> None:
    """A reporter who keeps their name private is withheld from the focal points of the country the barrier is
    about — on the view, the history and updates, the edit form — while the secretariat, the reporting
    account and the reporting organization's editors see it; the focal point cannot rewrite it either."""
    from django.test import Client

    b = report(people["editor"], reporter_name="Moussa Secret-Name", reporter_organization=people["org"].pk)
    services.add_update(people["editor"], b.pk, "Filed with the regulator.", is_public=False)
    fp = people["fp"]
    seen = queries.view(fp, b)
    assert seen.restricted and seen.reporter is None and seen.reporter_organization is None
    assert queries.hidden_reporter(fp, b) >= {people["editor"].pk}
    for who in ("sec", "editor"):
        assert queries.view(people[who], b).reporter == "Moussa Secret-Name", who
        assert queries.hidden_reporter(people[who], b) == frozenset()
    client = Client()
    client.force_login(fp)
    for url in (f"/barriers/{b.pk}/", f"/barriers/{b.pk}/edit/", f"/api/v1/barriers/{b.pk}"):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "Moussa Secret-Name" not in text and "Kenya Fintech Association" not in text, url
        assert "fta_editor" not in text, url
    with pytest.raises(PermissionDenied):
        services.update_barrier(fp, b.pk, reporter_name="Someone else")
    services.update_barrier(fp, b.pk, impact_note="Costs operators a licence.")  # the rest stays theirs
    b.refresh_from_db()
    assert b.reporter_name == "Moussa Secret-Name" and b.reporter_organization_id == people["org"].pk
