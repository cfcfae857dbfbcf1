"""Matchmaking events: sessions of time slots, tables, participants, meeting requests and scheduled meetings.

An event has sessions (a day, a start time, slots of a fixed length with breaks between them) and tables
(physical tables or virtual rooms). Participants are a country delegation or a provider organization; the
people of a delegation are its members and it meets as one. Participants ask each other for meetings;
accepted requests are placed in (slot, table) by the scheduler (`gapbridge.events.planner`), each placement
a `Meeting` with a stable id whose every move is a `MeetingChange`. Everything with a lifecycle (events,
participants, requests, meetings) keeps a history table (from, to, who, when, why).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gapbridge.events.weights import request_weight


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    REGISTRATION_CLOSED = "registration_closed", _("Registration closed")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.TextChoices):
    INVITATION = "invitation", _("By invitation")
    OPEN = "open", _("Open (moderated by the secretariat)")


class EventQuerySet(models.QuerySet["Event"]):
    def public(self) -> EventQuerySet:
        return self.exclude(status=EventStatus.DRAFT)


class Event(models.Model):
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    focus_areas = models.JSONField(_("focus areas"), default=list, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    venue = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    registration = models.CharField(
        _("registration"), max_length=20, choices=Registration.choices, default=Registration.INVITATION
    )
    status = models.CharField(
        _("status"), max_length=30, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Scheduling options set by the organisers.
    buffer_slots = models.PositiveSmallIntegerField(
        _("free slots between two meetings of a participant"), default=0
    )
    delegation_max_meetings = models.PositiveSmallIntegerField(
        _("maximum meetings per delegation"), null=True, blank=True
    )
    provider_max_meetings = models.PositiveSmallIntegerField(
        _("maximum meetings per provider"), null=True, blank=True
    )
    auto_reschedule = models.BooleanField(_("reschedule automatically after a cancellation"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="event_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.title

    def type_limit(self, kind: str) -> int | None:
        return (
            self.delegation_max_meetings if kind == ParticipantKind.DELEGATION else self.provider_max_meetings
        )

    # Only the secretariat organises events (gapbridge.accounts.permissions).
    def owning_organization_id(self) -> int | None:
        return None

    def owning_country_id(self) -> int | None:
        return None


class History(models.Model):
    """Common columns of the history tables: one row per move (from, to, who, when, why)."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    reason = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class EventStatusChange(History):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=30, choices=EventStatus.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=EventStatus.choices)

    class Meta(History.Meta):
        pass

    def __str__(self) -> str:
        return f"event {self.event_id}: {self.from_status or '∅'} → {self.to_status}"


class Session(models.Model):
    """Consecutive slots on one day: `slot_count` slots of `slot_minutes`, `break_minutes` apart."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    day = models.DateField(_("day"))
    start_time = models.TimeField(_("start time"))
    slot_minutes = models.PositiveSmallIntegerField(_("meeting length (minutes)"))
    break_minutes = models.PositiveSmallIntegerField(_("break between meetings (minutes)"), default=0)
    slot_count = models.PositiveSmallIntegerField(_("number of slots"))

    class Meta:
        ordering = ["day", "start_time", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(slot_minutes__gt=0), name="session_slot_minutes_positive"),
            models.CheckConstraint(condition=Q(slot_count__gt=0), name="session_has_slots"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.day:%Y-%m-%d})"


class Slot(models.Model):
    """A time period in which every participant has at most one meeting. Closed slots are not scheduled."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="slots")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    is_open = models.BooleanField(default=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def key(self) -> str:
        """The slot's stable id in scheduler instances."""
        return f"s{self.pk}"


class Table(models.Model):
    """A table at the venue or a virtual room (with its link)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tables")
    name = models.CharField(_("name"), max_length=100)
    is_virtual = models.BooleanField(_("virtual room"), default=False)
    online_url = models.URLField(_("room link"), max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)
    is_open = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="table_name_unique_in_event")]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        return f"t{self.pk}"


class ParticipantKind(models.TextChoices):
    DELEGATION = "delegation", _("Country delegation")
    PROVIDER = "provider", _("Provider organization")


class ParticipantStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    PENDING = "pending", _("Awaiting moderation")
    REGISTERED = "registered", _("Registered")
    DECLINED = "declined", _("Declined the invitation")
    REJECTED = "rejected", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Participant(models.Model):
    """A country delegation or a provider organization at an event; its members meet as one."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("kind"), max_length=20, choices=ParticipantKind.choices)
    economy = models.ForeignKey(
        "countries.Economy", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ParticipantStatus.choices, default=ParticipantStatus.PENDING
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    max_meetings = models.PositiveSmallIntegerField(_("maximum number of meetings"), null=True, blank=True)
    focus_areas = models.JSONField(_("focus areas"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    unavailable_slots = models.ManyToManyField(Slot, blank=True, related_name="unavailable_participants")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="delegation", economy__isnull=False, organization__isnull=True)
                    | Q(kind="provider", economy__isnull=True, organization__isnull=False)
                ),
                name="participant_kind_matches_party",
            ),
            models.UniqueConstraint(
                fields=["event", "economy"],
                condition=Q(economy__isnull=False),
                name="one_delegation_per_country",
            ),
            models.UniqueConstraint(
                fields=["event", "organization"],
                condition=Q(organization__isnull=False),
                name="one_participant_per_organization",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.economy_id is not None and self.economy is not None:
            return self.economy.name
        return self.organization.name if self.organization is not None else f"#{self.pk}"

    @property
    def key(self) -> str:
        return f"p{self.pk}"

    # A delegation is its country's focal points' business, a provider its organization editors'.
    def owning_organization_id(self) -> int | None:
        return self.organization_id

    def owning_country_id(self) -> int | None:
        return self.economy_id


class ParticipantStatusChange(History):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=ParticipantStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ParticipantStatus.choices)

    class Meta(History.Meta):
        pass

    def __str__(self) -> str:
        return f"participant {self.participant_id}: {self.from_status or '∅'} → {self.to_status}"


class ParticipantMember(models.Model):
    """A person of a delegation or provider team; members act for the participant and get notifications."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    role = models.CharField(_("role"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "user"],
                condition=Q(user__isnull=False),
                name="member_once_per_participant",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def address(self) -> str:
        if self.email:
            return self.email
        return str(getattr(self.user, "email", "") or "") if self.user_id else ""


class Preference(models.TextChoices):
    MUST = "must", _("Must meet")
    WOULD_LIKE = "would_like", _("Would like to meet")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    NO_THANKS = "no_thanks", _("No thanks (never scheduled)")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RequestSource(models.TextChoices):
    MANUAL = "manual", _("Asked by the participant")
    SUGGESTED = "suggested", _("From a matchmaking suggestion")


class MeetingRequest(models.Model):
    """One participant asks another for a meeting; `recipient_preference` is set when interest is mutual."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="requests")
    requester = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="requests_sent")
    recipient = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="requests_received")
    preference = models.CharField(_("preference"), max_length=20, choices=Preference.choices)
    recipient_preference = models.CharField(
        _("the other side's interest"), max_length=20, choices=Preference.choices, blank=True
    )
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=RequestSource.choices, default=RequestSource.MANUAL)
    explanation = models.TextField(_("why it was suggested"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(requester=F("recipient")), name="request_not_to_self"),
            models.UniqueConstraint(
                fields=["event", "requester", "recipient"], name="one_request_per_direction"
            ),
        ]

    def __str__(self) -> str:
        return f"R{self.pk}: {self.requester_id} → {self.recipient_id}"

    @property
    def key(self) -> str:
        return f"r{self.pk}"

    @property
    def mutual(self) -> bool:
        return bool(self.recipient_preference)

    @property
    def weight(self) -> int:
        return request_weight(self.preference, self.recipient_preference or None)


class RequestStatusChange(History):
    request = models.ForeignKey(MeetingRequest, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=RequestStatus.choices)

    class Meta(History.Meta):
        pass

    def __str__(self) -> str:
        return f"request {self.request_id}: {self.from_status or '∅'} → {self.to_status}"


#: The scheduler's result statuses (`gapbridge.domain.scheduling.Status`, stored as the code) as pages say.
RUN_STATUSES = {
    # Translators: the scheduler's result: the best schedule there is ("Status optimal: value 9 of …").
    "optimal": _("optimal"),
    # Translators: the scheduler's result: a valid schedule, maybe not the best one.
    "feasible": _("feasible, not proven optimal"),
}


class ScheduleRun(models.Model):
    """One run of the scheduler for an event: its figures and exactly what changed."""

    class Kind(models.TextChoices):
        SCHEDULE = "schedule", _("First schedule")
        RESCHEDULE = "reschedule", _("Reschedule")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=20)
    objective = models.FloatField()
    bound = models.FloatField()
    gap = models.FloatField()
    greedy_objective = models.FloatField(null=True, blank=True)
    seconds = models.FloatField()
    time_limit = models.FloatField()
    requests = models.PositiveIntegerField()
    kept = models.PositiveIntegerField(default=0)
    moved = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    dropped = models.PositiveIntegerField(default=0)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} of event {self.event_id} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def status_label(self) -> str:
        """The result status in the reader's language (the API gives the code, `status`)."""
        return str(RUN_STATUSES.get(self.status, self.status))


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    UNSCHEDULED = "unscheduled", _("Could not be scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    """An accepted request's place in the schedule. One row per request, so its id is stable across runs."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meetings")
    request = models.OneToOneField(MeetingRequest, on_delete=models.CASCADE, related_name="meeting")
    slot = models.ForeignKey(Slot, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings")
    table = models.ForeignKey(Table, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings")
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    # Bumped on every change of time, place or status: the ICS SEQUENCE, so calendars replace the entry.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slot__starts_at", "table__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "table"],
                condition=Q(status="scheduled"),
                name="one_meeting_per_table_and_slot",
            ),
            models.CheckConstraint(
                condition=Q(status="scheduled", slot__isnull=False, table__isnull=False)
                | ~Q(status="scheduled"),
                name="scheduled_meeting_has_place",
            ),
        ]

    def __str__(self) -> str:
        return self.ref

    @property
    def ref(self) -> str:
        """The meeting's stable public reference."""
        return f"M{self.pk}"

    # Either side's people may act on a meeting (cancel it, record its outcome).
    def owning_organization_id(self) -> int | None:
        return None

    def owning_country_id(self) -> int | None:
        return None


class MeetingChange(History):
    """A meeting was placed, moved, dropped from the schedule or cancelled (with the run that did it)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=MeetingStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=MeetingStatus.choices)
    from_slot = models.ForeignKey(Slot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_slot = models.ForeignKey(Slot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_table = models.ForeignKey(Table, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_table = models.ForeignKey(Table, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    run = models.ForeignKey(
        ScheduleRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    #: a reason the platform gave, as a message key with its parameters (`events.notifications.text`), so
    #: each reader reads it in their own language; `reason` keeps it in the language of whoever caused it.
    #: Empty for reasons a person wrote.
    said = models.JSONField(null=True, blank=True)

    class Meta(History.Meta):
        pass

    def __str__(self) -> str:
        return f"M{self.meeting_id}: {self.from_status or '∅'} → {self.to_status}"


class OutcomeKind(models.TextChoices):
    FOLLOW_UP = "follow_up_agreed", _("Follow-up agreed")
    NEED = "need_identified", _("A need for assistance was identified")
    MATCH = "match_agreed", _("Support agreed (a match)")
    NO_FOLLOW_UP = "no_follow_up", _("No follow-up")
    NOT_HELD = "not_held", _("The meeting did not take place")


class LinkKind(models.TextChoices):
    NEED = "need", _("Need for assistance")
    MATCH = "match", _("Match")
    PROJECT = "project", _("Project")


class MeetingOutcome(models.Model):
    """What came out of a meeting, and the need, match or project it created or advanced (generic link)."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="outcome")
    kind = models.CharField(_("outcome"), max_length=30, choices=OutcomeKind.choices)
    note = models.TextField(_("note"), blank=True)
    link_kind = models.CharField(_("linked to"), max_length=10, choices=LinkKind.choices, blank=True)
    link_id = models.CharField(_("linked object id"), max_length=100, blank=True)
    link_label = models.CharField(max_length=300, blank=True)
    # How the link was made: "service" (created or advanced through the needs/matches services) or "manual".
    link_method = models.CharField(max_length=20, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    #: Not stored: what `services.record_outcome` says when nothing could be linked or advanced.
    link_warning: str = ""

    def __str__(self) -> str:
        return f"M{self.meeting_id}: {self.kind}"


class Notification(models.Model):
    """A message to one member about a change; `key` names the change so nobody is told twice.

    What it says is `message_key` and `params` (`gapbridge.events.notifications.TEXTS` and parameters),
    made into text in each reader's language when shown; `subject` and `message` keep the text in the
    site's default language, as a record (and the text of notifications stored without parameters).
    """

    member = models.ForeignKey(ParticipantMember, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=120)
    subject = models.CharField(max_length=200)
    message = models.TextField()
    message_key = models.CharField(max_length=60, blank=True, default="")
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["member", "key"], name="one_notification_per_change")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.subject}"


def label_of(choices: Any, value: str) -> str:
    """The display label of a TextChoices value (the value itself when unknown)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value
