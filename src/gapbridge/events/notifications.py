"""Telling participants about changes: a page notification per member and an e-mail, each exactly once.

A notification is keyed by the change it reports (`request:12:new`, `run:7:p3`, `meeting:40:cancelled`);
the pair (member, key) is unique, so the same change never notifies anybody twice, even when a job runs
again. E-mails go after the transaction commits (nothing is sent for a change that was rolled back); a
notification is claimed (`emailed_at`) before it is sent so that two workers cannot both send it.

Each reader gets the text in their own language, whoever caused the change: a notification stores what to
say (`message_key` and `params`: message keys of `TEXTS` and their parameters, as JSON) and the text is
made when it is shown, in the reader's active language, or when it is e-mailed, in the recipient's language
(`recipient_language`). Participants are stored by id and named when shown (a delegation is its country's
name in the reader's language). The `subject` and `message` columns keep the text in the site's default
language: a record, and what is shown for notifications stored before the parameters were (they have none).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gapbridge.events import times
from gapbridge.events.models import (
    Event,
    Notification,
    Participant,
    ParticipantKind,
    ParticipantMember,
    ParticipantStatus,
    Preference,
    label_of,
)

log = logging.getLogger(__name__)

#: What notifications say, by a stable key (the key is stored, never the text). The English text is the
#: msgid: changing it leaves stored notifications untranslated until the catalogues follow.
TEXTS: dict[str, str] = {
    "invitation.subject": gettext_noop("Invitation: %(event)s"),
    "invitation.message": gettext_noop(
        "%(party)s is invited to %(event)s (%(start)s to %(end)s). Accept or decline on the event page."
    ),
    "participant.registered": gettext_noop("%(party)s is registered for %(event)s."),
    "participant.rejected": gettext_noop("The registration of %(party)s for %(event)s was not accepted."),
    "request.new": gettext_noop("%(other)s asks %(who)s for a meeting (%(preference)s)."),
    "request.accepted": gettext_noop("%(other)s accepted the meeting with %(who)s."),
    "request.declined": gettext_noop("%(other)s declined the meeting with %(who)s."),
    "request.no_thanks": gettext_noop(
        "%(other)s said no thanks to a meeting with %(who)s: the two will not be scheduled to meet."
    ),
    "meeting.cancelled": gettext_noop("Meeting %(ref)s with %(other)s is cancelled%(when)s."),
    "run.scheduled": gettext_noop("Your meetings at %(event)s are scheduled"),
    "run.changed": gettext_noop("Your agenda at %(event)s changed"),
    "run.placed": gettext_noop("Meeting %(ref)s with {other}: %(where)s."),
    "run.moved": gettext_noop("Meeting %(ref)s with {other} moved from %(was)s to %(where)s (%(why)s)."),
    "run.dropped": gettext_noop("Meeting %(ref)s with {other} could not be kept: %(why)s."),
    "why.request_withdrawn": gettext_noop("the request was withdrawn"),
    "why.party_left": gettext_noop("%(party)s withdrew from the event"),
    "why.from_scratch": gettext_noop("re-optimised from scratch"),
    "why.placed": gettext_noop("placed by the scheduler"),
    "why.placed_again": gettext_noop("placed again"),
    "why.not_accepted": gettext_noop("the request is no longer accepted between registered participants"),
    "why.no_room": gettext_noop("no room left for it"),
    # Why the scheduler could not keep a meeting where it was (`gapbridge.domain.scheduling`).
    "why.table_taken": gettext_noop("%(table)s in %(slot)s is taken by a meeting that stays (%(pair)s)"),
    "why.party_busy": gettext_noop("%(party)s has a meeting that stays in %(slot)s (%(pair)s)"),
    "why.party_limit": gettext_noop("%(party)s would have more than %(n)s meetings"),
    "why.conflicts": gettext_noop("it conflicts with other meetings that stay"),
    "why.party_away": gettext_noop("%(party)s is not available in %(slot)s"),
    "why.slot_gone": gettext_noop("the slot %(slot)s is no longer open"),
    "why.table_gone": gettext_noop("%(table)s is no longer open"),
}

#: Choice lists whose labels a notification may name (stored as the code, shown as the label).
CHOICES: dict[str, type[models.TextChoices]] = {
    "preference": Preference,
    "participant_status": ParticipantStatus,
    "participant_kind": ParticipantKind,
}

#: A part of a notification: a plain string (shown as it is: names, dates, what people wrote) or a spec
#: made by `text`, `party`, `choice` or `joined`.
Part = str | dict[str, Any]


def text(key: str, **params: Any) -> dict[str, Any]:
    """The message `TEXTS[key]` with its parameters (plain values or other parts), translated when shown."""
    if key not in TEXTS:
        raise KeyError(f"no notification text {key!r}")
    return {"t": key, "p": params}


def party(participant: Participant) -> dict[str, Any]:
    """A participant, named in the reader's language when shown (its name now is kept in case it goes)."""
    return {"party": participant.pk, "name": participant.name}


def party_id(participant_id: int, name: str = "") -> dict[str, Any]:
    return {"party": participant_id, "name": name}


def choice(kind: str, value: str) -> dict[str, Any]:
    if kind not in CHOICES:
        raise KeyError(f"no choice list {kind!r}")
    return {"choice": kind, "v": value}


def joined(parts: Sequence[Part], sep: str) -> dict[str, Any]:
    return {"join": list(parts), "sep": sep}


def _parties(part: Any) -> Iterator[int]:
    """The participants named in a part, its parameters and what it joins (or in a list of parts)."""
    if isinstance(part, dict):
        if "party" in part and isinstance(part["party"], int):
            yield part["party"]
        for value in dict(part.get("p") or {}).values():
            yield from _parties(value)
        yield from _parties(part.get("join"))
    elif isinstance(part, list):
        for value in part:
            yield from _parties(value)


def _participants(parts: Iterable[Any]) -> dict[int, Participant]:
    ids = {pk for part in parts for pk in _parties(part)}
    if not ids:
        return {}
    return {p.pk: p for p in Participant.objects.filter(pk__in=ids).select_related("economy", "organization")}


def _render(part: Any, people: Mapping[int, Participant]) -> str:
    """A part in the active language; KeyError, TypeError or ValueError when it cannot be made."""
    if isinstance(part, str):
        return part
    if isinstance(part, int | float):
        return str(part)
    if not isinstance(part, dict):
        raise TypeError(f"not a notification part: {part!r}")
    if "t" in part:
        params = {name: _render(value, people) for name, value in dict(part.get("p") or {}).items()}
        said = _(TEXTS[part["t"]])
        # `{other}`-style placeholders (filled after the %-formatting in the scheduler's texts)
        braces = {name: value for name, value in params.items() if "{" + name + "}" in said}
        for name, value in braces.items():
            said = said.replace("{" + name + "}", value.replace("%", "%%"))
        return said % params if params else said
    if "party" in part:
        found = people.get(int(part["party"]))
        return found.name if found is not None else str(part.get("name") or "")
    if "choice" in part:
        return label_of(CHOICES[part["choice"]], str(part["v"]))
    if "join" in part:
        return str(part.get("sep", "")).join(_render(value, people) for value in part["join"])
    raise ValueError(f"not a notification part: {part!r}")


def _lines(message: Part | Sequence[Part]) -> list[Part]:
    return [message] if isinstance(message, str | dict) else list(message)


def _content(subject: Part, lines: list[Part]) -> tuple[str, str]:
    people = _participants([subject, *lines])
    return _render(subject, people), "\n".join(_render(line, people) for line in lines)


def notify(
    participant: Participant,
    key: str,
    subject: Part,
    message: Part | Sequence[Part],
    *,
    url: str = "",
    batch: list[int] | None = None,
) -> list[int]:
    """Notify every member of `participant` once about the change named `key`; returns the new ids.

    `subject` is a part, `message` a part or a list of parts (one line each): see `text`. E-mails are sent
    when the transaction commits, or by the caller when it passes `batch`.
    """
    members = list(participant.members.all())  # prefetched by callers that notify many participants
    if not members:
        return []
    already = set(
        Notification.objects.filter(key=key, member__in=members).values_list("member_id", flat=True)
    )
    lines = _lines(message)
    with translation.override(settings.LANGUAGE_CODE):
        record_subject, record_message = _content(subject, lines)
    params: dict[str, Any] = {}
    if isinstance(subject, dict) or any(isinstance(line, dict) for line in lines):
        params = {"subject": subject, "lines": lines}
    message_key = str(subject.get("t", "")) if isinstance(subject, dict) else ""
    created = Notification.objects.bulk_create(
        [
            Notification(
                member=m,
                event_id=participant.event_id,
                key=key[:120],
                subject=record_subject[:200],
                message=record_message,
                message_key=message_key[:60],
                params=params,
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


def _stored_parts(params: Any) -> list[Any]:
    if not isinstance(params, dict):
        return []
    lines = params.get("lines")
    return [params.get("subject"), *(lines if isinstance(lines, list) else [])]


@dataclass(frozen=True)
class Shown:
    """A notification as a reader sees it: its subject and message in the active language."""

    note: Notification
    subject: str
    message: str

    @property
    def pk(self) -> int:
        return int(self.note.pk)

    @property
    def url(self) -> str:
        return self.note.url

    @property
    def event(self) -> Event:
        return self.note.event

    @property
    def created_at(self) -> Any:
        return self.note.created_at

    @property
    def read_at(self) -> Any:
        return self.note.read_at


def shown(notes: Iterable[Notification]) -> list[Shown]:
    """The notifications' texts in the active language (the stored text for those without parameters, or
    whose message is no longer known)."""
    notes = list(notes)
    people = _participants(_stored_parts(n.params) for n in notes if n.params)
    out = []
    for note in notes:
        subject, message = note.subject, note.message
        if note.params:
            try:
                subject = _render(note.params["subject"], people)
                message = "\n".join(_render(line, people) for line in note.params.get("lines", []))
            except (KeyError, TypeError, ValueError):
                log.warning("event notification %s: stored parameters not understood", note.pk)
                subject, message = note.subject, note.message
        out.append(Shown(note, _directed(subject[:200]), _directed(message)))
    return out


def _directed(text: str) -> str:
    """In a right-to-left language, dates and time spans inside a text are isolated as left-to-right runs
    (in the others the text is left as it is, so English or French e-mails carry no invisible marks)."""
    return times.isolate_dates(text) if translation.get_language_bidi() else text


def texts_of(parts: Sequence[Any], fallbacks: Sequence[str], *, directed: bool = True) -> list[str]:
    """Each stored part (`said` of a history row or of a schedule run's details) in the active language,
    naming participants as the reader's language names them; where a part is empty or no longer understood,
    its fallback (the text stored beside it). One query for all the participants named. `directed`: dates
    and times isolated left to right in a right-to-left language, for pages; the API gives plain text."""
    people = _participants(part for part in parts if part)

    def shown(text: str) -> str:
        return _directed(text) if directed else text

    out = []
    for part, fallback in zip(parts, fallbacks, strict=True):
        if not part:
            out.append(shown(fallback))
            continue
        try:
            out.append(shown(_render(part, people)))
        except (KeyError, TypeError, ValueError):
            log.warning("event text not understood: %r", part)
            out.append(shown(fallback))
    return out


def recipient_language(member: ParticipantMember) -> str:  # noqa: ARG001 (the hook for a stored preference)
    """The language a member's e-mails are written in. Users have no stored language preference (the
    interface language is chosen per request, from the browser or the language cookie), so this is the
    site's default language, `settings.LANGUAGE_CODE`."""
    return str(settings.LANGUAGE_CODE)


def send_emails(notification_ids: list[int]) -> int:
    """Send the e-mails of these notifications (one message each); returns how many were sent.

    The notifications not yet e-mailed are claimed in one update first, so that a second worker (or a
    second call) finds nothing left to send; a message that fails is released for a later retry. Each
    message is written in its recipient's language (`recipient_language`), whoever caused the change.
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
        with translation.override(recipient_language(note.member)):
            [said] = shown([note])
            body = "\n".join(
                [
                    said.message,
                    "",
                    f"{base}{note.url}" if note.url else "",
                    _("You receive this because you take part in %(event)s on GapBridge.")
                    % {"event": note.event},
                ]
            )
        try:
            send_mail(said.subject, body, None, [address])
        except Exception:
            # Release the claim so that a later run can retry; the page notification is there regardless.
            Notification.objects.filter(pk=note.pk).update(emailed_at=None)
            log.exception("could not e-mail event notification %s", note.pk)
            continue
        sent += 1
    return sent


def for_user(user_id: int, event: Event | None = None, limit: int = 200) -> list[Shown]:
    """A user's latest notifications (`limit` at most), in the active language."""
    qs = Notification.objects.filter(member__user_id=user_id).select_related("event")
    if event is not None:
        qs = qs.filter(event=event)
    return shown(qs[:limit])


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(member__user_id=user_id, read_at__isnull=True).count()
