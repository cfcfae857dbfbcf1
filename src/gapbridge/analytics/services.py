"""Writes of the analytics app: rebuilding the derived funding tables, running overlap detection into
coordination alerts, and confirming or dismissing alerts. Each: one transaction, a permission check
first, an audit record.

Who may do what: ``actor=None`` is the system (the ``gapbridge`` command line, automatic refreshes when
the registry changed); the secretariat may rebuild and detect from the web; the secretariat and editors
of either organisation involved in an alert may confirm or dismiss it; only the secretariat may reopen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gapbridge.accounts.permissions import (
    Actor,
    PermissionDenied,
    is_secretariat,
    organization_ids,
    require_secretariat,
)
from gapbridge.analytics import source
from gapbridge.analytics.models import (
    AlertStatus,
    AlertStatusChange,
    AnalyticsState,
    CoordinationAlert,
    DedupWeight,
    FundingFlow,
    FundingRow,
    OverlapRun,
)
from gapbridge.audit import services as audit
from gapbridge.countries.models import Economy
from gapbridge.domain import dedup, overlap


class AlertError(ValueError):
    """A status change that is not allowed (unknown status, no move, missing reason)."""


def _check_system_or_secretariat(actor: Actor, what: str) -> None:
    if actor is not None:
        require_secretariat(actor, what)


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


# -- money counted once -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RefreshSummary:
    activities: int
    flows: int
    weighted: int
    duplicates: int
    funding_rows: int
    gross: dict[str, float]
    deduplicated: dict[str, float]
    seconds: float


def _state() -> AnalyticsState:
    state, _created = AnalyticsState.objects.get_or_create(pk=1)
    return state


def is_stale() -> bool:
    state = AnalyticsState.objects.filter(pk=1).first()
    return state is None or state.registry_fingerprint != source.registry_fingerprint()


def refresh(actor: Actor = None, *, reason: str = "") -> RefreshSummary:
    """Rebuild the de-duplication weights, funding chains and the funding table from the registry."""
    _check_system_or_secretariat(actor, "rebuild the funding analytics")
    started = time.perf_counter()
    with transaction.atomic():
        state = AnalyticsState.objects.select_for_update().get_or_create(pk=1)[0]
        fingerprint = source.registry_fingerprint()
        links = source.linked_transactions()
        duplicates = source.duplicate_identifiers()
        # only rows of identifiers that repeat, that report links or that links name can weigh less than 1
        involved = set(duplicates) | source.identifiers_of({link.activity_id for link in links})
        for link in links:
            involved.update(x for x in (link.provider_activity, link.receiver_activity) if x)
        money = source.activity_money(involved)
        result = dedup.deduplicate(money, links)
        DedupWeight.objects.all().delete()
        DedupWeight.objects.bulk_create(
            (
                DedupWeight(
                    activity_id=w.activity_id,
                    identifier=row.identifier,
                    publisher=row.publisher,
                    commitment=w.commitment,
                    disbursement=w.disbursement,
                    reason=w.reason.value,
                    upstream=list(w.upstream),
                    downstream=list(w.downstream),
                )
                for row in money
                if (w := result.weights[row.id]).commitment < 1 or w.disbursement < 1 or w.downstream
            ),
            batch_size=2000,
        )
        FundingFlow.objects.all().delete()
        FundingFlow.objects.bulk_create(
            (
                FundingFlow(
                    upstream=f.upstream,
                    downstream=f.downstream,
                    measure=f.measure.value,
                    reported_by_upstream=f.reported_by_upstream,
                    reported_by_downstream=f.reported_by_downstream,
                    counted=f.counted,
                )
                for f in result.flows
            ),
            batch_size=2000,
        )
        source.build_funding_rows(FundingRow._meta.db_table, DedupWeight._meta.db_table)
        totals = _totals()
        summary = RefreshSummary(
            activities=source.activity_count(),
            flows=len(result.flows),
            weighted=DedupWeight.objects.exclude(commitment=1, disbursement=1).count(),
            duplicates=len(duplicates),
            funding_rows=FundingRow.objects.count(),
            gross=totals["gross"],
            deduplicated=totals["dedup"],
            seconds=round(time.perf_counter() - started, 3),
        )
        before = {"registry_fingerprint": state.registry_fingerprint, "summary": state.summary}
        state.registry_fingerprint = fingerprint
        state.refreshed_at = timezone.now()
        state.seconds = summary.seconds
        state.summary = asdict(summary)
        state.save()
        audit.record(
            actor, "update", state, before=before, after=state.summary, reason=reason or "analytics refresh"
        )
    return summary


def _totals() -> dict[str, dict[str, float]]:
    from django.db.models import Sum

    found: dict[str, dict[str, float]] = {"gross": {}, "dedup": {}}
    for row in FundingRow.objects.values("measure").annotate(g=Sum("gross_usd"), d=Sum("dedup_usd")):
        found["gross"][row["measure"]] = round(float(row["g"] or 0), 2)
        found["dedup"][row["measure"]] = round(float(row["d"] or 0), 2)
    return found


def ensure_fresh() -> bool:
    """Rebuild (as the system) if the registry changed since the last build; True if it did."""
    if not is_stale():
        return False
    refresh(None, reason="the IATI registry changed")
    return True


# -- coordination alerts ----------------------------------------------------------------------------------
def params_dict(params: overlap.Params) -> dict[str, Any]:
    return asdict(params)


def detect_overlaps(
    actor: Actor = None,
    params: overlap.Params | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> OverlapRun:
    """Run overlap detection on every stored activity and bring the alerts up to date.

    New pairs become open alerts (history: detected); pairs found again keep their status and get the
    new evidence; alerts whose pair is no longer found are kept, marked ``still_detected=False``.
    """
    _check_system_or_secretariat(actor, "run overlap detection")
    params = params or overlap.Params()
    started = timezone.now()
    clock = time.perf_counter()
    if progress:
        progress("reading activities")
    records, info = source.overlap_records()
    if progress:
        progress("comparing activities")
    found = overlap.detect(records, params)
    if progress:
        progress("saving alerts")
    with transaction.atomic():
        run = OverlapRun.objects.create(
            started_at=started,
            actor_label=audit.actor_label(actor),
            records=found.records,
            blocks=found.blocks,
            comparisons=found.comparisons,
            all_pairs=found.all_pairs,
            candidates=found.candidates,
            found={tier.value: len(pairs) for tier, pairs in found.by_tier().items()},
            params=params_dict(params),
        )
        _save_alerts(actor, run, found, info)
        run.finished_at = timezone.now()
        run.seconds = round(time.perf_counter() - clock, 3)
        run.save()
        audit.record(actor, "create", run, after=audit.snapshot(run), reason="overlap detection")
    return run


def _save_alerts(
    actor: Actor, run: OverlapRun, found: overlap.Detection, info: dict[int, source.ActivityInfo]
) -> None:
    now = run.started_at
    existing = {
        (a.a_identifier, a.a_publisher, a.b_identifier, a.b_publisher): a
        for a in CoordinationAlert.objects.all()
    }
    economies = dict(Economy.objects.values_list("iso3", "pk"))
    seen: set[int] = set()
    new_alerts: list[tuple[CoordinationAlert, list[int]]] = []
    changed: list[CoordinationAlert] = []
    for pair in found.pairs:
        a, b = info[pair.a], info[pair.b]
        if (b.identifier, b.publisher) < (a.identifier, a.publisher):
            a, b = b, a  # one orientation per pair, whatever the row ids, so re-runs find the same alert
        key = (a.identifier, a.publisher, b.identifier, b.publisher)
        fields = {
            "a_activity_id": a.id,
            "a_title": a.title[:2000],
            "a_organization_id": a.organization_id,
            "b_activity_id": b.id,
            "b_title": b.title[:2000],
            "b_organization_id": b.organization_id,
            "tier": pair.tier.value,
            "score": pair.score,
            "text_similarity": pair.text_similarity,
            "shared_organisations": list(pair.shared_organisations),
            "places": list(pair.shared_places),
            "areas": list(pair.shared_areas),
            "last_seen_at": now,
            "still_detected": True,
            "run": run,
        }
        country_ids = [economies[p] for p in pair.shared_places if p in economies]
        alert = existing.get(key)
        if alert is None:
            alert = CoordinationAlert(
                a_identifier=a.identifier,
                a_publisher=a.publisher,
                b_identifier=b.identifier,
                b_publisher=b.publisher,
                detected_at=now,
                status=AlertStatus.OPEN,
                **fields,
            )
            new_alerts.append((alert, country_ids))
            continue
        for name, value in fields.items():
            setattr(alert, name, value)
        changed.append(alert)
        seen.add(alert.pk)
    update_fields = [
        "a_activity_id",
        "a_title",
        "a_organization",
        "b_activity_id",
        "b_title",
        "b_organization",
        "tier",
        "score",
        "text_similarity",
        "shared_organisations",
        "places",
        "areas",
        "last_seen_at",
        "still_detected",
        "run",
    ]
    CoordinationAlert.objects.bulk_update(changed, update_fields, batch_size=1000)
    CoordinationAlert.objects.exclude(pk__in=seen).filter(still_detected=True).update(still_detected=False)
    # PostgreSQL and SQLite (3.35+) both return the new ids from bulk inserts
    created = CoordinationAlert.objects.bulk_create([alert for alert, _ in new_alerts], batch_size=1000)
    label = audit.actor_label(actor)
    AlertStatusChange.objects.bulk_create(
        [
            AlertStatusChange(
                alert=alert,
                from_status="",
                to_status=AlertStatus.OPEN,
                at=now,
                actor=_user(actor),
                actor_label=label,
                reason=f"detected by overlap run {run.pk} ({alert.tier})",
            )
            for alert in created
        ],
        batch_size=1000,
    )
    through = CoordinationAlert.countries.through
    links = [
        through(coordinationalert_id=alert.pk, economy_id=country)
        for alert, countries in new_alerts
        for country in countries
    ]
    changed_ids = [alert.pk for alert in changed]
    for start in range(0, len(changed_ids), 2000):  # places can change between runs
        through.objects.filter(coordinationalert_id__in=changed_ids[start : start + 2000]).delete()
    links.extend(
        through(coordinationalert_id=alert.pk, economy_id=economies[p])
        for alert in changed
        for p in alert.places
        if p in economies
    )
    through.objects.bulk_create(links, batch_size=2000)


def can_act_on_alert(actor: Actor, alert: CoordinationAlert) -> bool:
    """The secretariat, or an editor of either organisation whose activity the alert is about."""
    return is_secretariat(actor) or bool(alert.organization_ids() & organization_ids(actor))


ALLOWED_MOVES = {
    AlertStatus.OPEN: {AlertStatus.CONFIRMED, AlertStatus.DISMISSED},
    AlertStatus.CONFIRMED: {AlertStatus.DISMISSED, AlertStatus.OPEN},
    AlertStatus.DISMISSED: {AlertStatus.CONFIRMED, AlertStatus.OPEN},
}


@transaction.atomic
def set_alert_status(actor: Actor, alert_id: int, to: str, reason: str) -> CoordinationAlert:
    """Confirm, dismiss or (secretariat only) reopen an alert; a reason is required and kept in history."""
    alert = CoordinationAlert.objects.select_for_update().get(pk=alert_id)
    if not can_act_on_alert(actor, alert):
        raise PermissionDenied(
            _("only the secretariat or the providers involved may confirm or dismiss this alert")
        )
    try:
        target = AlertStatus(to)
    except ValueError:
        raise AlertError(
            _("status: %(status)s is not one of %(known)s")
            % {"status": repr(to), "known": ", ".join(AlertStatus.values)}
        ) from None
    current = AlertStatus(alert.status)
    if target not in ALLOWED_MOVES[current]:
        raise AlertError(_("status: the alert is already %(status)s") % {"status": current.value})
    if target is AlertStatus.OPEN and not is_secretariat(actor):
        raise PermissionDenied(_("only the secretariat may reopen an alert"))
    reason = reason.strip()
    if not reason:
        raise AlertError(_("reason: say why (it is kept in the alert's history)"))
    before = audit.snapshot(alert)
    now = timezone.now()
    alert.status = target.value
    alert.status_changed_at = now
    alert.save(update_fields=["status", "status_changed_at"])
    AlertStatusChange.objects.create(
        alert=alert,
        from_status=current.value,
        to_status=target.value,
        at=now,
        actor=_user(actor),
        actor_label=audit.actor_label(actor),
        reason=reason,
    )
    audit.record(actor, "transition", alert, before=before, after=audit.snapshot(alert), reason=reason)
    return alert
