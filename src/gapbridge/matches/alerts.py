"""Saved searches and their notifications: told once about each new offer or need that fits.

A saved search names a country, a focus area and a kind of support (each optional), what to watch (new
offers, new needs, or both), a minimum score and how often to be told. When an offer is published or a
need submitted, every saved search it fits is scored with the matcher (the search plays the need for an
offer, the offer for a need); at or above the threshold, a `Notification` is stored — unique per search and
object, so never twice — shown on the notifications page, and e-mailed through Django's e-mail backend at
once, or in the daily digest (`gapbridge send-alerts --digest`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gapbridge.accounts.permissions import Actor, PermissionDenied
from gapbridge.audit import services as audit
from gapbridge.domain.matching import Eligibility, Matcher, NeedProfile, OfferProfile, TextSpace
from gapbridge.matches import engine
from gapbridge.matches.models import Notification, SavedSearch
from gapbridge.needs.models import Need
from gapbridge.offers.choices import FocusArea, SupportKind
from gapbridge.offers.models import Offer, OfferStatus

log = logging.getLogger(__name__)


class AlertError(ValueError):
    """A saved search that cannot be made; the message names the field."""


@transaction.atomic
def save_search(
    actor: Actor,
    *,
    name: str,
    country_iso3: str = "",
    focus_area: str = "",
    kind: str = "",
    target: str = SavedSearch.Target.OFFERS,
    threshold: float = 0.4,
    frequency: str = SavedSearch.Frequency.INSTANT,
) -> SavedSearch:
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("sign in to save a search"))
    from gapbridge.countries.models import Economy

    if not name.strip():
        raise AlertError(_("name is required"))
    if focus_area and focus_area not in FocusArea.values:
        raise AlertError(
            _("focus_area: unknown %(value)s; expected one of %(expected)s")
            % {"value": repr(focus_area), "expected": ", ".join(FocusArea.values)}
        )
    if kind and kind not in SupportKind.values:
        raise AlertError(
            _("kind: unknown %(value)s; expected one of %(expected)s")
            % {"value": repr(kind), "expected": ", ".join(SupportKind.values)}
        )
    if target not in SavedSearch.Target.values:
        raise AlertError(
            _("target: expected one of %(expected)s") % {"expected": ", ".join(SavedSearch.Target.values)}
        )
    if frequency not in SavedSearch.Frequency.values:
        raise AlertError(
            _("frequency: expected one of %(expected)s")
            % {"expected": ", ".join(SavedSearch.Frequency.values)}
        )
    if not 0.0 <= threshold <= 1.0:
        raise AlertError(_("threshold must be between 0 and 1; got %(value)s") % {"value": threshold})
    country = None
    if country_iso3:
        country = Economy.objects.filter(iso3=country_iso3.upper()).first()
        if country is None:
            raise AlertError(_("country: no economy with ISO3 code %(code)s") % {"code": repr(country_iso3)})
    search = SavedSearch.objects.create(
        user_id=int(actor.pk or 0),
        name=name.strip()[:200],
        country=country,
        focus_area=focus_area,
        kind=kind,
        target=target,
        threshold=threshold,
        frequency=frequency,
    )
    audit.record(actor, "create", search, after=audit.snapshot(search))
    return search


@transaction.atomic
def delete_search(actor: Actor, search_id: int) -> None:
    search = SavedSearch.objects.get(pk=search_id)
    if actor is None or search.user_id != actor.pk:
        raise PermissionDenied(_("only its owner may delete a saved search"))
    audit.record(actor, "delete", search, before=audit.snapshot(search))
    search.delete()


def mark_read(actor: Actor, ids: Iterable[int] | None = None) -> int:
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("sign in to read notifications"))
    qs = Notification.objects.filter(user_id=actor.pk, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def _search_as_need(search: SavedSearch, offer: OfferProfile) -> NeedProfile:
    economy = search.country
    groups = engine.country_groups(economy.pk, timezone.localdate()) if economy else {}
    return NeedProfile(
        key=f"search:{search.pk}",
        country=economy.iso3 if economy else "",
        country_name=economy.name if economy else "",
        title=search.name,
        text="",
        focus_areas=frozenset([search.focus_area]) if search.focus_area else offer.focus_areas,
        kinds=frozenset([search.kind]) if search.kind else frozenset(),
        region=economy.sub_region if economy else "",
        groups=frozenset(groups),
        group_names=groups,
    )


def _fits_offer(search: SavedSearch, offer: Offer) -> bool:
    if search.focus_area and search.focus_area not in (offer.focus_areas or []):
        return False
    return not (search.kind and search.kind != offer.kind)


def on_offer_published(offer_id: int) -> int:
    """Notify saved searches a newly published offer fits; returns the number of new notifications."""
    offer = (
        Offer.objects.select_related("provider")
        .prefetch_related("eligible_countries", "eligible_groups")
        .get(pk=offer_id)
    )
    if offer.status != OfferStatus.PUBLISHED:
        return 0
    searches = [
        s
        for s in SavedSearch.objects.filter(
            target__in=[SavedSearch.Target.OFFERS, SavedSearch.Target.BOTH]
        ).select_related("country", "user")
        if _fits_offer(s, offer)
    ]
    if not searches:
        return 0
    profile = engine.offer_profiles([offer])[0]
    matcher = Matcher(
        [profile],
        on=timezone.localdate(),
        track_records=engine.tracks(),
        text_space=TextSpace([profile.title]),
    )
    created = 0
    for search in searches:
        pseudo = _search_as_need(search, profile)
        block = matcher.score_block([pseudo])
        geography_ok = block.check("geography", 0, 0) if search.country else True
        score = float(block.score[0, 0])
        if geography_ok and score >= search.threshold:
            suggestion = matcher.explain(pseudo, 0, block, 0)
            reasons = [
                c.text
                for c in suggestion.components
                if c.code in {"focus", "kind", "severity", "track_record"}
            ]
            created += _notify(
                search,
                Notification.Subject.OFFER,
                offer.pk,
                offer.title,
                offer.get_absolute_url(),
                score,
                reasons,
            )
    return created


def on_need_submitted(need_id: int) -> int:
    """Notify saved searches a newly submitted need fits."""
    need = Need.objects.select_related("country").get(pk=need_id)
    searches = SavedSearch.objects.filter(
        target__in=[SavedSearch.Target.NEEDS, SavedSearch.Target.BOTH]
    ).filter(Q(country__isnull=True) | Q(country_id=need.country_id))
    candidates = [
        s
        for s in searches.select_related("user")
        if (not s.focus_area or s.focus_area in need.focus_areas)
        and (not s.kind or s.kind in (need.kinds or []))
    ]
    if not candidates:
        return 0
    profile = engine.need_profile(need)
    created = 0
    for search in candidates:
        pseudo = OfferProfile(
            key=f"search:{search.pk}",
            provider=f"user:{search.user_id}",
            provider_name=search.name,
            title=search.name,
            text="",
            focus_areas=frozenset([search.focus_area]) if search.focus_area else profile.focus_areas,
            kinds=frozenset([search.kind]) if search.kind else profile.kinds,
            eligibility=Eligibility(countries=frozenset([need.country.iso3]))
            if search.country_id
            else Eligibility(),
        )
        matcher = Matcher([pseudo], on=timezone.localdate(), text_space=TextSpace([pseudo.title]))
        block = matcher.score_block([profile])
        score = float(block.score[0, 0])
        if bool(block.eligible[0, 0]) and score >= search.threshold:
            suggestion = matcher.explain(profile, 0, block, 0)
            reasons = [c.text for c in suggestion.components if c.code in {"focus", "kind", "severity"}]
            created += _notify(
                search,
                Notification.Subject.NEED,
                need.pk,
                need.title,
                need.get_absolute_url(),
                score,
                reasons,
            )
    return created


def _notify(
    search: SavedSearch, subject: str, object_id: int, title: str, url: str, score: float, reasons: list[str]
) -> int:
    try:
        with transaction.atomic():
            note, created = Notification.objects.get_or_create(
                search=search,
                subject=subject,
                object_id=object_id,
                defaults={
                    "user_id": search.user_id,
                    "title": title[:300],
                    "url": url,
                    "score": round(score, 4),
                    "reasons": reasons,
                },
            )
    except IntegrityError:  # a concurrent worker stored it first: still only one
        return 0
    if not created:
        return 0
    if search.frequency == SavedSearch.Frequency.INSTANT:
        _email_one(note)
    return 1


def _site_url(path: str) -> str:
    base = str(getattr(settings, "SITE_URL", "") or "").rstrip("/")
    return f"{base}{path}"


def _email_one(note: Notification) -> None:
    user = note.user
    if user.email:
        body = (
            f"{note.title}\n{_site_url(note.url)}\n\nScore {note.score:.2f} for your saved search "
            f"“{note.search.name}”.\n" + "\n".join(f"- {r}" for r in note.reasons)
        )
        try:
            send_mail(f"GapBridge: new {note.subject} for “{note.search.name}”", body, None, [user.email])
        except OSError as exc:  # the page still shows it; the e-mail is retried by send-alerts
            log.warning("alert e-mail to %s failed: %s", user.email, exc)
            return
    Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())


def send_pending() -> int:
    """E-mail instant notifications not yet e-mailed (a failed send is retried here)."""
    sent = 0
    for note in Notification.objects.filter(
        emailed_at__isnull=True, search__frequency=SavedSearch.Frequency.INSTANT
    ).select_related("user", "search"):
        _email_one(note)
        sent += 1
    return sent


def send_digests() -> int:
    """One e-mail per user with every daily-digest notification not yet e-mailed; each is sent once."""
    pending = defaultdict(list)
    for note in (
        Notification.objects.filter(emailed_at__isnull=True, search__frequency=SavedSearch.Frequency.DAILY)
        .select_related("user", "search")
        .order_by("created_at", "pk")
    ):
        pending[note.user_id].append(note)
    sent = 0
    now = timezone.now()
    for notes in pending.values():
        user = notes[0].user
        try:
            claimed_and_sent = _send_digest(user, notes, now)
        except OSError as exc:  # nothing was claimed (rolled back): the next run sends them
            log.warning("digest e-mail to %s failed: %s", user.email, exc)
            continue
        sent += claimed_and_sent
    return sent


def _send_digest(user: Any, notes: list[Notification], now: dt.datetime) -> int:
    """Claim ``notes`` and e-mail them in one transaction; 0 when another run claimed them first."""
    with transaction.atomic():
        # claim them first: a second digest run at the same time finds nothing left to send
        claimed = Notification.objects.filter(pk__in=[n.pk for n in notes], emailed_at__isnull=True).update(
            emailed_at=now
        )
        if claimed != len(notes):
            transaction.set_rollback(True)
            return 0
        if user.email:
            lines = [f"- {n.title} ({n.subject}, score {n.score:.2f}): {_site_url(n.url)}" for n in notes]
            send_mail(
                f"GapBridge daily digest: {len(notes)} new item(s) for your saved searches",
                "\n".join(lines),
                None,
                [user.email],
            )
        SavedSearch.objects.filter(pk__in={n.search_id for n in notes}).update(last_digest_at=now)
    return 1
