"""Telling followers when a barrier is added or changes status: a page notification and an e-mail, once.

A barrier is "added" for the public when it first reaches a public state (verified or later); later moves
into a public state are status changes. Unmoderated reports notify nobody. Each (user, event) pair is a
unique row, so a user who follows both the country and the category gets one notification, and re-running
a job never notifies twice. E-mails go after the transaction commits (nothing is sent for a change that
was rolled back), one message per user per batch, and a notification is claimed (`emailed_at`) before it
is sent so two workers cannot both send it.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gapbridge.barriers.lifecycle import PUBLIC, Status
from gapbridge.barriers.models import Barrier, BarrierNotification, BarrierStatusChange, BarrierSubscription
from gapbridge.countries.queries import today
from gapbridge.web.content_language import pick_translation

log = logging.getLogger(__name__)


def followers(barrier: Barrier) -> set[int]:
    """Ids of users whose subscriptions cover this barrier's country (or group members) and category."""
    if barrier.country_id is not None:
        countries = Q(country_id=barrier.country_id)
    else:
        members = barrier.group.members_on(today()).values_list("pk", flat=True) if barrier.group else []
        countries = Q(country_id__in=list(members))
    subs = BarrierSubscription.objects.filter(
        (countries | Q(country__isnull=True)) & (Q(category=barrier.category) | Q(category=""))
    )
    return set(subs.values_list("user_id", flat=True))


def _message(barrier: Barrier, event: str, change: BarrierStatusChange | None) -> str:
    """The text of a notification in the active language: the barrier's title in that language where it
    has a translation, the country's localised name and the status label."""
    shown = pick_translation({"title": barrier.title}, barrier.language, barrier.translations, get_language())
    title = shown.fields.get("title") or barrier.title
    if event == BarrierNotification.Event.ADDED or change is None:
        text = _("New barrier in %(where)s: %(title)s") % {"where": barrier.where, "title": title}
    else:
        text = _("%(title)s (%(where)s) is now %(status)s") % {
            "title": title,
            "where": barrier.where,
            "status": change.get_to_status_display(),
        }
    return text[:500]


def describe(note: BarrierNotification) -> str:
    """A notification's text in the reader's (active) language, made when it is shown. The stored
    ``message`` keeps the text as first written, in the language active then (a record, not for display)."""
    return _message(note.barrier, note.event, note.status_change)


def notify_status(
    barrier: Barrier, change: BarrierStatusChange, *, batch: list[int] | None = None
) -> list[int]:
    """Create the notifications for a move (if it is one followers hear about); returns their ids.

    E-mails go when the transaction commits; a job making many moves passes `batch` and sends the whole
    batch itself, so each follower gets one message for the run.
    """
    if Status(change.to_status) not in PUBLIC:
        return []
    earlier_public = barrier.history.filter(
        to_status__in=[s.value for s in PUBLIC], id__lt=change.pk
    ).exists()
    if earlier_public:
        event, key = BarrierNotification.Event.STATUS, f"barrier:{barrier.pk}:status:{change.pk}"
    else:
        event, key = BarrierNotification.Event.ADDED, f"barrier:{barrier.pk}:added"
    users = followers(barrier)
    if not users:
        return []
    already = set(
        BarrierNotification.objects.filter(event_key=key, user_id__in=users).values_list("user_id", flat=True)
    )
    message = _message(barrier, event, change)
    created = [
        BarrierNotification.objects.create(
            user_id=user_id,
            barrier=barrier,
            event=event,
            status_change=change,
            event_key=key,
            message=message,
        ).pk
        for user_id in sorted(users - already)
    ]
    if batch is not None:
        batch.extend(created)
    elif created:
        transaction.on_commit(lambda: send_emails(created))
    return created


def _email_enabled(user_id: int, barrier: Barrier) -> bool:
    """A user gets e-mail unless every subscription covering this barrier has e-mail turned off."""
    subs = BarrierSubscription.objects.filter(user_id=user_id)
    for sub in subs:
        country_ok = (
            sub.country_id is None
            or sub.country_id == barrier.country_id
            or (
                barrier.group_id is not None
                and barrier.group is not None
                and barrier.group.members_on(today()).filter(pk=sub.country_id).exists()
            )
        )
        if country_ok and sub.category in ("", barrier.category) and sub.email:
            return True
    return False


def send_emails(notification_ids: list[int]) -> int:
    """Send the e-mails of these notifications, one message per user; returns the number of messages sent."""
    by_user: dict[int, list[BarrierNotification]] = defaultdict(list)
    pending = BarrierNotification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("barrier", "barrier__country", "barrier__group", "status_change")
    for note in pending:
        if _email_enabled(note.user_id, note.barrier):
            by_user[note.user_id].append(note)
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=by_user)}
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    sent = 0
    for user_id, notes in by_user.items():
        user = users.get(user_id)
        address = getattr(user, "email", "") if user is not None else ""
        if not address:
            continue
        ids = [n.pk for n in notes]
        now = timezone.now()
        claimed = BarrierNotification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(
            emailed_at=now
        )
        if claimed != len(ids):
            # Another worker claimed some of them: send only what this one holds.
            ids = list(
                BarrierNotification.objects.filter(pk__in=ids, emailed_at=now).values_list("pk", flat=True)
            )
            notes = [n for n in notes if n.pk in ids]
            if not notes:
                continue
        texts = [describe(n) for n in notes]
        lines = [f"- {text}\n  {base}/barriers/{n.barrier_id}/" for n, text in zip(notes, texts, strict=True)]
        subject = texts[0] if len(notes) == 1 else _("%(n)d barrier notifications") % {"n": len(notes)}
        body = "\n".join(
            [
                _("Barriers you follow on GapBridge:"),
                "",
                *lines,
                "",
                _("Manage what you follow at %(url)s") % {"url": f"{base}/barriers/following/"},
            ]
        )
        try:
            send_mail(subject[:200], body, None, [address])
        except Exception:
            # Release the claim so a later run can retry; the page notification is there regardless.
            BarrierNotification.objects.filter(pk__in=ids).update(emailed_at=None)
            log.exception("could not e-mail barrier notifications %s to user %s", ids, user_id)
            continue
        sent += 1
    return sent
