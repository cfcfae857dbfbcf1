"""API schemas of matchmaking events (In and Out kept apart)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class Schema(BaseModel):
    pass


# --- Out ------------------------------------------------------------------------------------------------


class EventOut(Schema):
    id: int
    title: str
    description: str
    focus_areas: list[str]
    starts_on: dt.date
    ends_on: dt.date
    time_zone: str
    venue: str
    online_url: str
    registration: str
    status: str
    buffer_slots: int
    delegation_max_meetings: int | None
    provider_max_meetings: int | None
    registered: int = Field(description="registered participants")


class EventPageOut(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    results: list[EventOut]


class SlotOut(Schema):
    id: int
    key: str = Field(description="stable id in scheduler instances")
    starts_at: dt.datetime
    ends_at: dt.datetime
    local: str = Field(description="the slot in the event's local time")
    is_open: bool


class SessionOut(Schema):
    id: int
    title: str
    day: dt.date
    start_time: dt.time
    slot_minutes: int
    break_minutes: int
    slot_count: int
    slots: list[SlotOut]


class TableOut(Schema):
    id: int
    key: str
    name: str
    is_virtual: bool
    online_url: str
    is_open: bool


class ParticipantOut(Schema):
    id: int
    key: str
    kind: str
    name: str
    country: str | None = Field(description="ISO3 of a delegation")
    organization_id: int | None
    status: str
    max_meetings: int | None
    effective_max_meetings: int | None = Field(description="own maximum or the organisers' limit, the lower")
    focus_areas: list[str]
    unavailable_slots: list[int] | None = Field(None, description="for those who act for it and organisers")


class EventDetailOut(EventOut):
    sessions: list[SessionOut]
    tables: list[TableOut]
    participants: list[ParticipantOut]


class RequestOut(Schema):
    id: int
    key: str
    requester: int
    requester_name: str
    recipient: int
    recipient_name: str
    preference: str
    recipient_preference: str
    mutual: bool
    weight: int
    status: str
    source: str
    explanation: str
    message: str
    meeting: int | None
    created_at: dt.datetime


class SuggestionOut(Schema):
    delegation: int
    delegation_name: str
    provider: int
    provider_name: str
    score: float
    source: str
    explanation: list[str]


class RunOut(Schema):
    id: int
    kind: str
    from_scratch: bool
    at: dt.datetime
    by: str
    status: str = Field(description="optimal | feasible")
    objective: float
    bound: float
    gap: float
    greedy_objective: float | None
    seconds: float
    requests: int
    kept: int
    moved: int
    added: int
    dropped: int
    moved_meetings: list[dict[str, object]]
    dropped_meetings: list[dict[str, object]]


class MeetingOut(Schema):
    id: int
    ref: str
    request: int
    status: str
    slot: int | None
    table: int | None
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    table_name: str
    a: str
    b: str
    conflicts: list[str] = []


class ScheduleOut(Schema):
    event: int
    last_run: RunOut | None
    meetings: list[MeetingOut]
    conflicts: int
    unplaced_requests: list[int]


class AgendaItemOut(Schema):
    meeting: int
    ref: str
    status: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    local: str
    table: str
    room_url: str
    other: str = Field(description="the participant met")
    other_kind: str
    mutual: bool
    outcome: str


class AgendaOut(Schema):
    event: int
    participant: int
    participant_name: str
    time_zone: str
    meetings: list[AgendaItemOut]
    pdf: str
    ics: str


class OutcomeOut(Schema):
    meeting: int
    kind: str
    note: str
    link_kind: str
    link_id: str
    link_label: str
    link_method: str
    recorded_at: dt.datetime
    warning: str = ""  # why nothing was linked (or the match not advanced), and what to do


# --- In -------------------------------------------------------------------------------------------------


class EventIn(Schema):
    title: str
    starts_on: dt.date
    ends_on: dt.date
    time_zone: str = "UTC"
    description: str = ""
    focus_areas: list[str] = []
    venue: str = ""
    online_url: str = ""
    registration: str = "invitation"
    buffer_slots: int = Field(0, ge=0)
    delegation_max_meetings: int | None = Field(None, ge=0)
    provider_max_meetings: int | None = Field(None, ge=0)
    auto_reschedule: bool = False


class StatusIn(Schema):
    status: str
    reason: str = ""


class SessionIn(Schema):
    title: str
    day: dt.date
    start_time: dt.time
    slot_minutes: int = Field(gt=0)
    slot_count: int = Field(gt=0)
    break_minutes: int = Field(0, ge=0)


class TablesIn(Schema):
    count: int = Field(1, ge=1, le=1000)
    prefix: str = ""
    names: list[str] = []
    is_virtual: bool = False
    online_url: str = ""


class MemberIn(Schema):
    name: str = ""
    email: str = ""
    username: str | None = None
    role: str = ""


class ParticipantIn(Schema):
    kind: str = Field(description="delegation | provider")
    country: str | None = Field(None, description="ISO3, for a delegation")
    organization: str | None = Field(None, description="IATI identifier or id, for a provider")
    max_meetings: int | None = Field(None, ge=0)
    focus_areas: list[str] = []
    note: str = ""
    members: list[MemberIn] = []
    register_now: bool = Field(False, description="secretariat only: register at once instead of inviting")


class AvailabilityIn(Schema):
    unavailable_slots: list[int]
    reason: str = ""


class RequestIn(Schema):
    requester: int = Field(description="participant id you act for")
    recipient: int
    preference: str = Field(description="must | would_like")
    message: str = ""


class RespondIn(Schema):
    answer: str = Field(description="accept | decline | no_thanks")
    interest: str | None = Field(None, description="must | would_like: your own interest (mutual)")
    reason: str = ""


class ReasonIn(Schema):
    reason: str = ""


class ScheduleIn(Schema):
    time_limit: float = Field(10.0, gt=0, le=300)
    reason: str = ""
    keep_existing: bool = Field(
        True, description="keep every current meeting that can stay (false: re-optimise from scratch)"
    )


class OutcomeIn(Schema):
    kind: str
    note: str = ""
    link_kind: str = ""
    link_id: str = ""
