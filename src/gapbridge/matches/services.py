"""Writes on matches. Each function: one transaction, a permission check first, an audit record.

Who may do what: both sides of a match act on it — the provider's editors, and the need's country focal
points and requesting organization's editors — and the secretariat may do all. Moving a match moves the
need where its lifecycle allows (accepted → matched, project started → in implementation, completed →
fulfilled; the last accepted match declined → matching again), recorded in the need's history too.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gapbridge.accounts.permissions import Actor, PermissionDenied, can_edit, require_secretariat
from gapbridge.audit import services as audit
from gapbridge.domain.matching import Suggestion, assign
from gapbridge.matches import engine
from gapbridge.matches.lifecycle import TAKES_CAPACITY, MatchStatus, TransitionError, check_move
from gapbridge.matches.models import Match, MatchOrigin, MatchStatusChange
from gapbridge.needs import lifecycle as need_lifecycle
from gapbridge.needs import services as need_services
from gapbridge.needs.models import Need, NeedOrigin
from gapbridge.offers.models import Offer, OfferStatus
from gapbridge.offers.services import user_or_none


class MatchError(ValueError):
    """A match change that cannot be made; the message names the rule."""


def may_act(actor: Actor, need: Need, offer: Offer) -> bool:
    return can_edit(actor, need) or can_edit(actor, offer)


def explanation_of(suggestion: Suggestion) -> dict[str, Any]:
    data = suggestion.as_dict()
    return {
        "components": [
            c | {"message": comp.message, "params": _jsonable(comp.params)}
            for c, comp in zip(data["components"], suggestion.components, strict=True)
        ],
        "checks": [
            c | {"message": chk.message, "params": _jsonable(chk.params)}
            for c, chk in zip(data["checks"], suggestion.checks, strict=True)
        ],
    }


def _jsonable(params: Any) -> dict[str, Any]:
    return {
        k: (list(v) if isinstance(v, list | tuple | set | frozenset) else v) for k, v in dict(params).items()
    }


def record_move(match: Match, frm: str, to: str, actor: Actor, reason: str) -> MatchStatusChange:
    engine.invalidate()  # places and provider load changed
    return MatchStatusChange.objects.create(
        match=match,
        from_status=frm,
        to_status=to,
        at=match.status_changed_at or timezone.now(),
        actor=user_or_none(actor),
        actor_label=audit.actor_label(actor),
        reason=reason,
    )


def _score(need: Need, offer: Offer) -> Suggestion:
    matcher = engine.matcher()
    profile = engine.need_profile(need)
    if str(offer.pk) in matcher.offer_index:
        return matcher.suggestion(profile, str(offer.pk))
    # an offer that is not published (or was just created): score it on its own
    from gapbridge.domain.matching import Matcher

    single = Matcher(engine.offer_profiles([offer]), on=timezone.localdate(), track_records=engine.tracks())
    return single.suggestion(profile, str(offer.pk))


@transaction.atomic
def suggest(actor: Actor, need_id: int, offer_id: int, *, origin: str = MatchOrigin.NEED_PAGE) -> Match:
    """Record a suggestion (need, offer) with its score and explanation; returns the existing one if any."""
    need = Need.objects.select_for_update().get(pk=need_id)
    offer = Offer.objects.select_related("provider").get(pk=offer_id)
    if actor is not None and not may_act(actor, need, offer):
        raise PermissionDenied(
            _("%(actor)s is on neither side of need #%(need)s and offer #%(offer)s")
            % {"actor": audit.actor_label(actor), "need": need.pk, "offer": offer.pk}
        )
    if need.is_indicative:
        raise MatchError(
            _("an indicative need is derived from data; adopt it as a need before contacting providers")
        )
    existing = Match.objects.filter(need=need, offer=offer).first()
    if existing is not None:
        return existing
    if offer.status != OfferStatus.PUBLISHED:
        raise MatchError(_("offer #%(offer)s is not published") % {"offer": offer.pk})
    suggestion = _score(need, offer)
    if not suggestion.eligible:
        raise MatchError(
            _("the offer is not open to this need: %(reasons)s")
            % {"reasons": "; ".join(c.text for c in suggestion.failed)}
        )
    match = Match.objects.create(
        need=need,
        offer=offer,
        score=suggestion.score,
        explanation=explanation_of(suggestion),
        status=MatchStatus.SUGGESTED,
        status_changed_at=timezone.now(),
        origin=origin,
        created_by=user_or_none(actor),
    )
    with translation.override("en"):  # stored in English, shown in each reader's language (audit.public)
        said = f"suggested ({MatchOrigin(origin).label})"
    record_move(match, "", MatchStatus.SUGGESTED, actor, said)
    audit.record(actor, "create", match, after=audit.snapshot(match))
    return match


@transaction.atomic
def change_status(
    actor: Actor, match_id: int, target: str, reason: str, *, iati_identifier: str = ""
) -> Match:
    match = (
        Match.objects.select_for_update().select_related("need", "offer", "offer__provider").get(pk=match_id)
    )
    if actor is not None and not may_act(actor, match.need, match.offer):
        raise PermissionDenied(
            _("%(actor)s is on neither side of match #%(match)s")
            % {"actor": audit.actor_label(actor), "match": match.pk}
        )
    if not reason.strip():
        raise MatchError(_("a reason is required for every change of status"))
    try:
        frm, to = check_move(match.status, target)
    except TransitionError as exc:
        raise MatchError(str(exc)) from None
    if to == MatchStatus.ACCEPTED and match.offer.capacity is not None:
        taken = Match.objects.filter(offer=match.offer, status__in=[s.value for s in TAKES_CAPACITY]).count()
        if taken >= match.offer.capacity:
            raise MatchError(
                _("offer #%(offer)s has no place left (%(taken)s of %(capacity)s taken)")
                % {"offer": match.offer_id, "taken": taken, "capacity": match.offer.capacity}
            )
    if to == MatchStatus.PROJECT_STARTED:
        if not iati_identifier.strip():
            raise MatchError(_("a started project needs the IATI identifier of the activity that carries it"))
        match.iati_identifier = iati_identifier.strip()[:200]
    before = audit.snapshot(match)
    match.status = to.value
    match.status_changed_at = timezone.now()
    match.save()
    record_move(match, frm.value, to.value, actor, reason)
    audit.record(actor, "transition", match, before=before, after=audit.snapshot(match), reason=reason)
    _follow(actor, match, to, reason)
    return match


def _follow(actor: Actor, match: Match, to: MatchStatus, reason: str) -> None:
    """Move the need along with its match, where the need's lifecycle allows it."""
    need = Need.objects.select_for_update().get(pk=match.need_id)
    S = need_lifecycle.NeedStatus
    target: str | None = None
    if to == MatchStatus.ACCEPTED and need.status in {S.VALIDATED, S.MATCHING}:
        target = S.MATCHED
    elif to == MatchStatus.PROJECT_STARTED and need.status == S.MATCHED:
        target = S.IN_IMPLEMENTATION
    elif to == MatchStatus.COMPLETED and need.status == S.IN_IMPLEMENTATION:
        target = S.FULFILLED
    elif to == MatchStatus.DECLINED and need.status == S.MATCHED:
        still = Match.objects.filter(need=need, status__in=[s.value for s in TAKES_CAPACITY]).exclude(
            pk=match.pk
        )
        if not still.exists():
            target = S.MATCHING
    if target is not None:
        need_services.move(actor, need, target, f"match #{match.pk} {to.value}: {reason}")


@transaction.atomic
def contact(
    actor: Actor, need_id: int, offer_id: int, reason: str, *, origin: str = MatchOrigin.NEED_PAGE
) -> Match:
    """The need's side (or the provider) gets in touch about a suggested offer: suggestion + contacted."""
    match = suggest(actor, need_id, offer_id, origin=origin)
    if match.status == MatchStatus.SUGGESTED:
        match = change_status(actor, match.pk, MatchStatus.CONTACTED, reason or "contacted")
    return match


def run_batch(actor: Actor, *, min_score: float = 0.35) -> dict[str, Any]:
    """Assign open requested needs without an accepted match to offers, within capacity; store suggestions.

    The assignment is exact (min-cost flow, see :func:`gapbridge.domain.matching.assign`). Indicative
    needs take no part.
    """
    if actor is not None:
        require_secretariat(actor, "run the batch assignment")
    started = time.perf_counter()
    busy = Match.objects.filter(status__in=[s.value for s in TAKES_CAPACITY]).values_list(
        "need_id", flat=True
    )
    needs = list(engine.open_needs().filter(origin=NeedOrigin.REQUESTED).exclude(pk__in=busy).order_by("pk"))
    matcher = engine.matcher()
    result = assign(matcher, engine.need_profiles(needs), min_score=min_score)
    created = 0
    with transaction.atomic():
        for s in result.matches:
            need_id, offer_id = int(s.need), int(s.offer)
            if Match.objects.filter(need_id=need_id, offer_id=offer_id).exists():
                continue
            match = Match.objects.create(
                need_id=need_id,
                offer_id=offer_id,
                score=s.score,
                explanation=explanation_of(s),
                status=MatchStatus.SUGGESTED,
                status_changed_at=timezone.now(),
                origin=MatchOrigin.BATCH,
            )
            record_move(match, "", MatchStatus.SUGGESTED, actor, "batch assignment")
            audit.record(actor, "create", match, after=audit.snapshot(match), reason="batch assignment")
            need = Need.objects.select_for_update().get(pk=need_id)
            if need.status == need_lifecycle.NeedStatus.VALIDATED:
                need_services.move(
                    actor, need, need_lifecycle.NeedStatus.MATCHING, "suggestions from the batch assignment"
                )
            created += 1
    return {
        "needs": len(needs),
        "matched": len(result.matches),
        "unmatched": len(result.unmatched),
        "created": created,
        "unmatched_reasons": {u.need: u.text for u in result.unmatched},
        "seconds": round(time.perf_counter() - started, 3),
    }
