"""Telling participants about changes: a page notification per member and an e-mail, each exactly once.

A notification is keyed by the change it reports (`request:12:new`, `run:7:p3`, `meeting:40:cancelled`);
the pair (member, key) is unique, so the same change never notifies anybody twice, even when a job runs
again. E-mails go after the transaction commits (nothing is sent for a change that was rolled back); a
notification is claimed (`emailed_at`) before it is sent so that two workers cannot both send it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gapbridge.events.models import Event, Notification, Participant

log = logging.getLogger(__name__)


def notify(
    participant: Participant,
    key: str,
    subject: str,
    message: str,
    *,
    url: str = "",
    batch: list[int] | None = None,
) -> list[int]:
    """Notify every member of `participant` once about the change named `key`; returns the new ids.

    E-mails are sent when the transaction commits, or by the caller when it passes `batch`.
    """
    members = list(participant.members.all())  # prefetched by callers that notify many participants
    if not members:
        return []
    already = set(
        Notification.objects.filter(key=key, member__in=members).values_list("member_id", flat=True)
    )
    created = Notification.objects.bulk_create(
        [
            Notification(
                member=m,
                event_id=participant.event_id,
                key=key[:120],
                subject=subject[:200],
                message=message,
                url=url[:300],
            )
            for m in members
            if m.pk not in already
        ]
    )
    ids = [n.pk for n in created]
    if batch is not None:
        batch.extend(ids)
    elif ids:
        transaction.on_commit(lambda: send_emails(ids))
    return ids


def send_emails(notification_ids: list[int]) -> int:
    """Send the e-mails of these notifications (one message each); returns how many were sent.

    The notifications not yet e-mailed are claimed in one update first, so that a second worker (or a
    second call) finds nothing left to send; a message that fails is released for a later retry.
    """
    now = timezone.now()
    Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).update(emailed_at=now)
    claimed = (
        Notification.objects.filter(pk__in=notification_ids, emailed_at=now)
        .select_related("member", "member__user", "event")
        .order_by("id")
    )
    base = str(getattr(settings, "SITE_URL", "")).rstrip("/")
    sent = 0
    for note in claimed:
        address = note.member.address()
        if not address:
            continue
        body = "\n".join(
            [
                note.message,
                "",
                f"{base}{note.url}" if note.url else "",
                _("You receive this because you take part in %(event)s on GapBridge.")
                % {"event": note.event},
            ]
        )
        try:
            send_mail(note.subject, body, None, [address])
        except Exception:
            # Release the claim so that a later run can retry; the page notification is there regardless.
            Notification.objects.filter(pk=note.pk).update(emailed_at=None)
            log.exception("could not e-mail event notification %s", note.pk)
            continue
        sent += 1
    return sent


def for_user(user_id: int, event: Event | None = None) -> list[Notification]:
    qs = Notification.objects.filter(member__user_id=user_id).select_related("event")
    if event is not None:
        qs = qs.filter(event=event)
    return list(qs[:200])


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(member__user_id=user_id, read_at__isnull=True).count()
