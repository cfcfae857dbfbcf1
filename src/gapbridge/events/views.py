"""Pages of matchmaking events: list and detail, organising (sessions, tables, participants), registration,
meeting requests with suggestions, agendas (page, PDF, ICS), the organiser's grid with the scheduler, meetings
with their history and outcome, notifications. Views validate and call services; queries read."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import get_language_bidi, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gapbridge.accounts.permissions import PermissionDenied, is_secretariat
from gapbridge.events import (
    forms,
    ics,
    notifications,
    outcomes,
    pdf,
    planner,
    queries,
    services,
    suggestions,
    times,
)
from gapbridge.events.focus import focus_labels
from gapbridge.events.models import (
    Event,
    EventStatus,
    Meeting,
    MeetingChange,
    MeetingRequest,
    MeetingStatus,
    Participant,
    ParticipantMember,
    ParticipantStatus,
    Registration,
    RequestSource,
    RequestStatus,
    Session,
    Slot,
    Table,
)
from gapbridge.web import scope
from gapbridge.web.i18n import chart_number

ERRORS = (services.EventError,)


def refuse_denied(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A write the actor may not make is answered 403 (never a redirect with a message); nothing changed,
    because every service checks permission inside its own transaction before writing."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return scope.forbidden(str(exc))

    return wrapper


def _event(request: HttpRequest, event_id: int) -> Event:
    try:
        return queries.get_event(request.user, event_id)
    except Event.DoesNotExist:
        raise Http404(_("No event #%(id)s") % {"id": event_id}) from None


def _url(name: str, event: Event, me: Participant | None = None, **kwargs: Any) -> str:
    url = reverse(f"events:{name}", kwargs={"event_id": event.pk, **kwargs})
    return f"{url}?{urlencode({'as': me.pk})}" if me is not None else url


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


def _me(request: HttpRequest, event: Event) -> Participant | None:
    as_id = request.POST.get("as") if request.method == "POST" else request.GET.get("as")
    return queries.pick(request.user, event, as_id)


def _labelled(label: Any, text: str) -> str:
    # Translators: a form field's label and what is wrong with it ("Number of slots: Ensure this value…").
    return _("%(field)s: %(message)s") % {"field": label, "message": text}


def _errors(form: Any) -> str:
    """A form's errors for a message: each field by its label (never its code name)."""
    parts = []
    for name, errors in form.errors.items():
        text = " ".join(str(m) for m in errors)
        field = form.fields.get(name)
        parts.append(text if field is None else _labelled(field.label or name, text))
    return "; ".join(parts)


@functools.cache
def _service_fields() -> dict[str, Any]:
    """Labels of the field names the services' messages start with, from the event forms (first wins; the
    form of the page, when given, comes before these)."""
    labels: dict[str, Any] = {
        "names": forms.TablesForm.base_fields["name_prefix"].label,
        "members": forms.InviteForm.base_fields["member_name"].label,
        "unavailable_slots": forms.AvailabilityForm.base_fields["unavailable"].label,
    }
    for form_class in (
        forms.EventForm,
        forms.SessionForm,
        forms.TablesForm,
        forms.InviteForm,
        forms.RequestForm,
        forms.RespondForm,
        forms.ParticipationForm,
        forms.OutcomeForm,
    ):
        for name, field in form_class.base_fields.items():
            labels.setdefault(name, field.label)
    return labels


#: "day: …", "starts_on/ends_on: …" (any language's colon) at the start of a service message or of one of
#: its "; "-separated parts: the API's field names, which pages show as labels.
_FIELD_PREFIX = re.compile(r"(?:^|(?<=; ))([a-z][a-z_]*(?:/[a-z][a-z_]*)*)[ \u00a0\u202f]?:\s*")


def page_message(text: str, form: Any = None) -> str:
    """A service's message as a page shows it: a leading field name becomes the field's label (from the
    page's form, else the event forms), or goes when no label is known; the same after "; " for known
    fields (several fields' errors in one message). The API keeps the field names."""

    def label(found: re.Match[str]) -> str:
        names = found.group(1).split("/")
        fields = getattr(form, "fields", {}) if form is not None else {}
        known = [
            fields[n].label if n in fields and fields[n].label else _service_fields().get(n) for n in names
        ]
        if all(known):
            return _labelled(" / ".join(str(k) for k in known), "")
        # an unknown name opening the message is a field all the same (the API's); later, it may be words
        return "" if found.start() == 0 else found.group(0)

    return _FIELD_PREFIX.sub(label, text)


def _form_error(form: Any, exc: Exception) -> None:
    """A service's message on the page's form: on the field it names when the form has that one field
    (without the field name, which the field's label already says), else above the form."""
    text = str(exc)
    found = _FIELD_PREFIX.match(text)
    rest = text[found.end() :] if found is not None else text
    if found is not None and found.group(1) in form.fields and not _FIELD_PREFIX.search(rest):
        form.add_error(found.group(1), rest)
    else:
        form.add_error(None, page_message(text, form))


def _done(request: HttpRequest, text: str) -> None:
    messages.success(request, text)


def _failed(request: HttpRequest, exc: Exception, form: Any = None) -> None:
    messages.error(request, page_message(str(exc), form))


# --------------------------------------------------------------------------------------------------
# Events


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "events/event_list.html",
        {"events": queries.events_for(request.user), "organiser": is_secretariat(request.user)},
    )


def _event_fields(form: forms.EventForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


@refuse_denied
@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    if not is_secretariat(request.user):
        return scope.forbidden(_("Only the secretariat organises events."))
    form = forms.EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.create_event(request.user, **_event_fields(form))
        except ERRORS as exc:
            _form_error(form, exc)
        else:
            _done(request, _("Event created (draft). Add sessions and tables, then publish it."))
            return HttpResponseRedirect(reverse("events:organise", args=[event.pk]))
    return render(
        request, "events/event_form.html", {"form": form, "event": None}, status=400 if form.errors else 200
    )


@refuse_denied
@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    if not is_secretariat(request.user):
        return scope.forbidden(_("Only the secretariat organises events."))
    initial = {name: getattr(event, name) for name in forms.EventForm.base_fields}
    form = forms.EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = {k: v for k, v in _event_fields(form).items() if k in form.changed_data}
        try:
            services.update_event(request.user, event.pk, **changed)
        except ERRORS as exc:
            _form_error(form, exc)
        else:
            _done(request, _("Event saved."))
            return HttpResponseRedirect(reverse("events:organise", args=[event.pk]))
    return render(
        request, "events/event_form.html", {"form": form, "event": event}, status=400 if form.errors else 200
    )


@require_safe
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    mine = queries.acting_for(request.user, event)
    moves = {p.pk: services.allowed_participant_moves(request.user, p) for p in mine}
    can_register = (
        request.user.is_authenticated
        and event.registration == Registration.OPEN
        and event.status == EventStatus.PUBLISHED
    )
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "focus": focus_labels(event.focus_areas),
            "sessions": event.sessions.prefetch_related("slots"),
            "tables": event.tables.count(),
            "participants": queries.participants(event, registered_only=True),
            "mine": [(p, moves[p.pk]) for p in mine],
            "can_register": can_register,
            "organiser": is_secretariat(request.user),
            "tz": event.time_zone,
        },
    )


@refuse_denied
@login_required
@require_POST
def event_status(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    form = forms.EventStatusForm(request.POST)
    if form.is_valid():
        try:
            services.change_event_status(
                request.user, event.pk, form.cleaned_data["to"], form.cleaned_data["reason"]
            )
        except ERRORS as exc:
            _failed(request, exc, form)
        else:
            _done(request, _("Status changed."))
    else:
        messages.error(request, _errors(form))
    return _back(request, reverse("events:organise", args=[event.pk]))


# --------------------------------------------------------------------------------------------------
# Organising


@refuse_denied
@login_required
@require_safe
def organise(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    if not is_secretariat(request.user):
        return scope.forbidden(_("Only the secretariat organises events."))
    people = list(queries.participants(event).prefetch_related("members"))
    return render(
        request,
        "events/organise.html",
        {
            "event": event,
            "sessions": event.sessions.prefetch_related("slots"),
            "tables": event.tables.all(),
            "participants": [(p, services.allowed_participant_moves(request.user, p)) for p in people],
            "pending": sum(1 for p in people if p.status == ParticipantStatus.PENDING),
            "history": event.history.all(),
            "moves": [s for s in EventStatus.values if s in services.EVENT_MOVES[event.status]],
            "status_labels": dict(EventStatus.choices),
            "session_form": forms.SessionForm(initial={"day": event.starts_on}),
            "tables_form": forms.TablesForm(),
            "invite_form": forms.InviteForm(),
            "tz": event.time_zone,
        },
    )


@refuse_denied
@login_required
@require_POST
def session_add(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    form = forms.SessionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            session = services.add_session(request.user, event.pk, **form.cleaned_data)
        except ERRORS as exc:
            _failed(request, exc, form)
        else:
            _done(
                request,
                _("Session %(title)s added with %(n)d slots.")
                % {"title": session.title, "n": session.slot_count},
            )
    return _back(request, reverse("events:organise", args=[event.pk]))


@refuse_denied
@login_required
@require_POST
def session_remove(request: HttpRequest, event_id: int, session_id: int) -> HttpResponse:
    event = _event(request, event_id)
    try:
        session = Session.objects.get(pk=session_id, event=event)
        services.remove_session(request.user, session.pk)
    except Session.DoesNotExist:
        raise Http404 from None
    except ERRORS as exc:
        _failed(request, exc)
    else:
        _done(request, _("Session removed."))
    return _back(request, reverse("events:organise", args=[event.pk]))


@refuse_denied
@login_required
@require_POST
def slot_toggle(request: HttpRequest, event_id: int, slot_id: int) -> HttpResponse:
    event = _event(request, event_id)
    try:
        slot = Slot.objects.get(pk=slot_id, event=event)
        services.set_slot_open(request.user, slot.pk, not slot.is_open, request.POST.get("reason", ""))
    except Slot.DoesNotExist:
        raise Http404 from None
    except ERRORS as exc:
        _failed(request, exc)
    return _back(request, reverse("events:organise", args=[event.pk]))


@refuse_denied
@login_required
@require_POST
def tables_add(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    form = forms.TablesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            data = form.cleaned_data
            added = services.add_tables(
                request.user,
                event.pk,
                count=data["count"],
                prefix=data["name_prefix"],
                is_virtual=data["is_virtual"],
                online_url=data["online_url"],
            )
        except ERRORS as exc:
            _failed(request, exc, form)
        else:
            _done(
                request,
                ngettext("%(n)d table added.", "%(n)d tables added.", len(added)) % {"n": len(added)},
            )
    return _back(request, reverse("events:organise", args=[event.pk]))


@refuse_denied
@login_required
@require_POST
def table_toggle(request: HttpRequest, event_id: int, table_id: int) -> HttpResponse:
    event = _event(request, event_id)
    try:
        table = Table.objects.get(pk=table_id, event=event)
        services.set_table_open(request.user, table.pk, not table.is_open, request.POST.get("reason", ""))
    except Table.DoesNotExist:
        raise Http404 from None
    except ERRORS as exc:
        _failed(request, exc)
    return _back(request, reverse("events:organise", args=[event.pk]))


@refuse_denied
@login_required
@require_POST
def invite(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    form = forms.InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
    else:
        data = form.cleaned_data
        try:
            p = services.invite(
                request.user,
                event.pk,
                kind=data["kind"],
                party=form.party(),
                members=form.members(),
                max_meetings=data["max_meetings"],
                focus_areas=data["focus_areas"],
                note=data["note"],
                register_now=data["register_now"],
            )
        except ERRORS as exc:
            _failed(request, exc, form)
        else:
            _done(request, _("%(party)s: %(status)s.") % {"party": p.name, "status": p.get_status_display()})
    return _back(request, reverse("events:organise", args=[event.pk]))


# --------------------------------------------------------------------------------------------------
# Registration and participation


@refuse_denied
@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    form = forms.PartyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            p = services.register(
                request.user,
                event.pk,
                kind=data["kind"],
                party=form.party(),
                max_meetings=data["max_meetings"],
                focus_areas=data["focus_areas"],
                note=data["note"],
            )
        except ERRORS as exc:
            form.add_error(None, page_message(str(exc), form))
        else:
            _done(
                request,
                _("Thank you: the registration of %(party)s awaits the secretariat.") % {"party": p.name},
            )
            return HttpResponseRedirect(reverse("events:detail", args=[event.pk]))
    return render(
        request, "events/register.html", {"event": event, "form": form}, status=400 if form.errors else 200
    )


@refuse_denied
@login_required
@require_POST
def participant_status(request: HttpRequest, event_id: int, participant_id: int) -> HttpResponse:
    event = _event(request, event_id)
    form = forms.StatusForm(request.POST)
    if form.is_valid():
        try:
            p = Participant.objects.get(pk=participant_id, event=event)
            services.change_participant_status(
                request.user, p.pk, form.cleaned_data["to"], form.cleaned_data["reason"]
            )
        except Participant.DoesNotExist:
            raise Http404 from None
        except ERRORS as exc:
            _failed(request, exc, form)
        else:
            _done(request, _("Registration updated."))
    else:
        messages.error(request, _errors(form))
    return _back(request, reverse("events:detail", args=[event.pk]))


def _need_me(request: HttpRequest, event: Event) -> Participant | HttpResponse:
    me = _me(request, event)
    if me is None:
        return scope.forbidden(_("You do not take part in this event (or may not act for that participant)."))
    return me


@refuse_denied
@login_required
@require_safe
def participation(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    me = _need_me(request, event)
    if isinstance(me, HttpResponse):
        return me
    slots = list(Slot.objects.filter(event=event).order_by("starts_at", "id"))
    availability = forms.AvailabilityForm(
        initial={"unavailable": list(me.unavailable_slots.values_list("pk", flat=True))}
    )
    rtl = get_language_bidi()  # a checkbox's label: the span isolated as one left-to-right run
    availability.fields["unavailable"].choices = [  # type: ignore[attr-defined]
        (s.pk, (times.isolate if rtl else str)(times.span(s.starts_at, s.ends_at, event.time_zone)))
        for s in slots
    ]
    settings_form = forms.ParticipationForm(
        initial={"max_meetings": me.max_meetings, "focus_areas": me.focus_areas, "note": me.note}
    )
    return render(
        request,
        "events/participation.html",
        {
            "event": event,
            "me": me,
            "mine": queries.acting_for(request.user, event),
            "availability": availability,
            "settings_form": settings_form,
            "member_form": forms.MemberForm(),
            "members": me.members.select_related("user"),
            "history": me.history.all(),
            "limit": planner.effective_max(me, event),
            "moves": services.allowed_participant_moves(request.user, me),
        },
    )


@refuse_denied
@login_required
@require_POST
def participation_update(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    me = _need_me(request, event)
    if isinstance(me, HttpResponse):
        return me
    form = forms.ParticipationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            services.update_participant(request.user, me.pk, **form.cleaned_data)
        except ERRORS as exc:
            _failed(request, exc, form)
        else:
            _done(request, _("Saved."))
    return HttpResponseRedirect(_url("participation", event, me))


@refuse_denied
@login_required
@require_POST
def availability(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    me = _need_me(request, event)
    if isinstance(me, HttpResponse):
        return me
    form = forms.AvailabilityForm(request.POST)
    form.fields["unavailable"].choices = [(s.pk, s.pk) for s in Slot.objects.filter(event=event)]  # type: ignore[attr-defined]
    if not form.is_valid():
        messages.error(request, _("Choose slots of this event."))
    else:
        try:
            services.set_availability(request.user, me.pk, form.cleaned_data["unavailable"])
        except ERRORS as exc:
            _failed(request, exc, form)
        else:
            _done(request, _("Availability saved. The organisers reschedule what no longer fits."))
    return HttpResponseRedirect(_url("participation", event, me))


@refuse_denied
@login_required
@require_POST
def member_add(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    me = _need_me(request, event)
    if isinstance(me, HttpResponse):
        return me
    form = forms.MemberForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_member(
                request.user,
                me.pk,
                name=data["name"],
                email=data["email"],
                user=data["username"] or None,
                role=data["role"],
            )
        except ERRORS as exc:
            _failed(request, exc, form)
        else:
            _done(request, _("Member added."))
    else:
        messages.error(request, _errors(form))
    return HttpResponseRedirect(_url("participation", event, me))


@refuse_denied
@login_required
@require_POST
def member_remove(request: HttpRequest, event_id: int, member_id: int) -> HttpResponse:
    event = _event(request, event_id)
    me = _need_me(request, event)
    if isinstance(me, HttpResponse):
        return me
    try:
        member = ParticipantMember.objects.get(pk=member_id, participant=me)
        services.remove_member(request.user, member.pk)
    except ParticipantMember.DoesNotExist:
        raise Http404 from None
    except ERRORS as exc:
        _failed(request, exc)
    return HttpResponseRedirect(_url("participation", event, me))


# --------------------------------------------------------------------------------------------------
# Meeting requests


@refuse_denied
@login_required
@require_safe
def requests_page(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    me = _need_me(request, event)
    if isinstance(me, HttpResponse):
        return me
    mine = queries.requests_of(me)
    taken = queries.blocked_pairs(event)
    others = [
        p
        for p in queries.participants(event, registered_only=True)
        if p.pk != me.pk and frozenset((p.pk, me.pk)) not in taken
    ]
    form = forms.RequestForm()
    form.fields["recipient"].choices = [(p.pk, f"{p.name} ({p.get_kind_display()})") for p in others]  # type: ignore[attr-defined]
    registered = me.status == ParticipantStatus.REGISTERED
    return render(
        request,
        "events/requests.html",
        {
            "event": event,
            "me": me,
            "mine": queries.acting_for(request.user, event),
            "incoming": mine.incoming,
            "outgoing": mine.outgoing,
            "form": form,
            "can_ask": registered and bool(others) and event.status in services.ACTIVE,
            "registered": registered,
            "suggestions": suggestions.suggest(event, participant=me, limit=10) if registered else [],
            "respond_form": forms.RespondForm(),
            "statuses": RequestStatus,
        },
    )


@refuse_denied
@login_required
@require_POST
def request_send(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    me = _need_me(request, event)
    if isinstance(me, HttpResponse):
        return me
    form = forms.RequestForm(request.POST)
    form.fields["recipient"].choices = [(p.pk, p.pk) for p in Participant.objects.filter(event=event)]  # type: ignore[attr-defined]
    if not form.is_valid():
        messages.error(request, _errors(form))
    else:
        data = form.cleaned_data
        try:
            req = services.send_request(
                request.user,
                me.pk,
                data["recipient"],
                data["preference"],
                message=data["message"],
                source=RequestSource.SUGGESTED if data["suggested"] else RequestSource.MANUAL,
                explanation=data["explanation"],
            )
        except ERRORS as exc:
            _failed(request, exc, form)
        else:
            if req.requester_id == me.pk:
                _done(request, _("Request sent."))
            else:
                _done(request, _("They had asked you too: the meeting is agreed (mutual interest)."))
    return HttpResponseRedirect(_url("requests", event, me))


@refuse_denied
@login_required
@require_POST
def request_respond(request: HttpRequest, event_id: int, request_id: int) -> HttpResponse:
    event = _event(request, event_id)
    me = _need_me(request, event)
    if isinstance(me, HttpResponse):
        return me
    form = forms.RespondForm(request.POST)
    if form.is_valid():
        try:
            req = MeetingRequest.objects.get(pk=request_id, event=event, recipient=me)
            services.respond(
                request.user,
                req.pk,
                form.cleaned_data["answer"],
                interest=form.cleaned_data["interest"] or None,
                reason=form.cleaned_data["reason"],
            )
        except MeetingRequest.DoesNotExist:
            raise Http404 from None
        except ERRORS as exc:
            _failed(request, exc, form)
        else:
            _done(request, _("Answer recorded."))
    else:
        messages.error(request, _errors(form))
    return HttpResponseRedirect(_url("requests", event, me))


@refuse_denied
@login_required
@require_POST
def request_withdraw(request: HttpRequest, event_id: int, request_id: int) -> HttpResponse:
    event = _event(request, event_id)
    me = _need_me(request, event)
    if isinstance(me, HttpResponse):
        return me
    try:
        req = MeetingRequest.objects.get(pk=request_id, event=event, requester=me)
        services.withdraw_request(request.user, req.pk, request.POST.get("reason", ""))
    except MeetingRequest.DoesNotExist:
        raise Http404 from None
    except ERRORS as exc:
        _failed(request, exc)
    else:
        _done(request, _("Request withdrawn."))
    return HttpResponseRedirect(_url("requests", event, me))


# --------------------------------------------------------------------------------------------------
# Agendas


@refuse_denied
@login_required
@require_safe
def agenda(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    me = _need_me(request, event)
    if isinstance(me, HttpResponse):
        return me
    items = queries.agenda(me, include_cancelled=True)
    return render(
        request,
        "events/agenda.html",
        {
            "event": event,
            "me": me,
            "mine": queries.acting_for(request.user, event),
            "scheduled": [i for i in items if i.status == MeetingStatus.SCHEDULED],
            "other": [i for i in items if i.status != MeetingStatus.SCHEDULED],
            "as_query": urlencode({"as": me.pk}),
            "notes": notifications.for_user(int(request.user.pk or 0), event, limit=10),
        },
    )


def _cut(slug: str, limit: int = 40) -> str:
    """A slug shortened to `limit` characters at a word boundary (a single word too long is cut)."""
    if len(slug) <= limit:
        return slug
    head = slug[: limit + 1]
    return head[: head.rfind("-")] if "-" in head else slug[:limit]


def _filename(event: Event, me: Participant, ext: str) -> str:
    return f"{_cut(slugify(event.title)) or 'event'}-{_cut(slugify(me.name)) or me.pk}.{ext}"


def _place(event: Event, item: queries.AgendaItem) -> str:
    if item.is_virtual:
        return f"{item.table} {item.room_url}".strip()
    return ", ".join(x for x in (item.table, event.venue) if x)


@refuse_denied
@login_required
@require_safe
def agenda_pdf(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    me = _need_me(request, event)
    if isinstance(me, HttpResponse):
        return me
    rows = [
        pdf.PdfRow(i.when, f"{i.other} ({i.other_kind})", _place(event, i), i.ref) for i in queries.agenda(me)
    ]
    facts = [
        f"{event.starts_on:%Y-%m-%d} – {event.ends_on:%Y-%m-%d}",
        event.venue,
        event.online_url,
        _("Times are local to the event: %(tz)s.") % {"tz": event.time_zone},
    ]
    document = pdf.PdfAgenda(
        title=event.title,
        participant=_("Agenda of %(party)s") % {"party": me.name},
        facts=facts,
        headers=(_("When"), _("Meeting with"), _("Table or room"), _("Ref.")),
        rows=rows,
        empty=_("No meeting scheduled yet."),
        footer=_(
            "GapBridge, %(now)s UTC. Meetings can move until the event: check the page or the calendar file."
        )
        % {"now": f"{timezone.now():%Y-%m-%d %H:%M}"},
        rtl=get_language_bidi(),
    )
    response = HttpResponse(pdf.render(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(event, me, "pdf")}"'
    return response


@refuse_denied
@login_required
@require_safe
def agenda_ics(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    me = _need_me(request, event)
    if isinstance(me, HttpResponse):
        return me
    entries = []
    for i in queries.agenda(me, include_cancelled=True):
        if i.starts_at is None or i.ends_at is None:
            continue
        lines = [
            _("Bilateral meeting %(ref)s at %(event)s.") % {"ref": i.ref, "event": event.title},
            _("With: %(other)s (%(kind)s)") % {"other": i.other, "kind": i.other_kind},
            _("Table or room: %(table)s") % {"table": i.table},
        ]
        if i.room_url or event.online_url:
            lines.append(i.room_url or event.online_url)
        entries.append(
            ics.CalendarEntry(
                uid=f"gapbridge-event{event.pk}-meeting{i.meeting_id}-{me.key}",
                starts_at=i.starts_at,
                ends_at=i.ends_at,
                summary=_("Meeting with %(other)s") % {"other": i.other},
                description="\n".join(lines),
                location=_place(event, i),
                url=i.room_url or event.online_url,
                sequence=i.sequence,
                cancelled=i.status != MeetingStatus.SCHEDULED,
                updated_at=i.updated_at,
            )
        )
    text = ics.calendar(
        entries,
        zone_name=event.time_zone,
        name=f"{event.title} – {me.name}",
        now=timezone.now(),
        host=request.get_host().split(":")[0] or "gapbridge",
    )
    response = HttpResponse(text.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(event, me, "ics")}"'
    return response


# --------------------------------------------------------------------------------------------------
# The organiser's grid and the scheduler


def _grid_context(request: HttpRequest, event: Event) -> dict[str, Any]:
    return {"event": event, "grid": queries.grid(event), "schedule_form": forms.ScheduleForm()}


def _meeting_history(meeting: Meeting) -> list[MeetingChange]:
    """The meeting's history rows, each with `shown_reason`: the platform's reason in the reader's language
    (empty where a person wrote the reason, which is shown as written)."""
    rows = list(meeting.history.select_related("from_slot", "to_slot", "from_table", "to_table"))
    texts = notifications.texts_of([h.said for h in rows], ["" for _h in rows])
    for row, text in zip(rows, texts, strict=True):
        row.shown_reason = text  # type: ignore[attr-defined]
    return rows


@refuse_denied
@login_required
@require_safe
def grid(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    if not is_secretariat(request.user):
        return scope.forbidden(_("Only the secretariat sees the grid."))
    return render(request, "events/grid.html", _grid_context(request, event))


@refuse_denied
@login_required
@require_POST
def schedule_run(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    if not is_secretariat(request.user):
        return scope.forbidden(_("Only the secretariat runs the scheduler."))
    form = forms.ScheduleForm(request.POST)
    if not form.is_valid():  # nothing runs on a time limit nobody chose
        messages.error(request, _errors(form))
        if request.headers.get("HX-Request"):
            return render(request, "events/_grid.html", _grid_context(request, event))
        return HttpResponseRedirect(reverse("events:grid", args=[event.pk]))
    data = form.cleaned_data
    try:
        run = planner.run_schedule(
            request.user,
            event.pk,
            time_limit=data["time_limit"],
            reason=data["reason"],
            keep=not data["from_scratch"],
        )
    except ERRORS as exc:
        _failed(request, exc, form)
    else:
        _done(
            request,
            _(
                "%(kind)s: %(kept)d kept, %(moved)d moved, %(added)d added, %(dropped)d dropped; %(status)s, "
                "objective %(objective)s of bound %(bound)s."
            )
            % {
                "kind": run.get_kind_display(),
                "kept": run.kept,
                "moved": run.moved,
                "added": run.added,
                "dropped": run.dropped,
                "status": run.status_label,
                "objective": chart_number(run.objective),
                "bound": chart_number(run.bound),
            },
        )
    if request.headers.get("HX-Request"):
        return render(request, "events/_grid.html", _grid_context(request, event))
    return HttpResponseRedirect(reverse("events:grid", args=[event.pk]))


# --------------------------------------------------------------------------------------------------
# Meetings


def _meeting(request: HttpRequest, event: Event, meeting_id: int) -> Meeting:
    try:
        meeting = (
            Meeting.objects.select_related(
                "slot",
                "table",
                "request__requester__economy",
                "request__requester__organization",
                "request__recipient__economy",
                "request__recipient__organization",
            )
            .filter(event=event)
            .get(pk=meeting_id)
        )
    except Meeting.DoesNotExist:
        raise Http404(_("No meeting M%(id)s") % {"id": meeting_id}) from None
    if not services.can_act_on_meeting(request.user, meeting):
        raise Http404(_("No meeting M%(id)s") % {"id": meeting_id})
    return meeting


@refuse_denied
@login_required
@require_safe
def meeting_detail(request: HttpRequest, event_id: int, meeting_id: int) -> HttpResponse:
    event = _event(request, event_id)
    meeting = _meeting(request, event, meeting_id)
    outcome = getattr(meeting, "outcome", None)
    initial = {"kind": outcome.kind, "note": outcome.note} if outcome else {}
    return render(
        request,
        "events/meeting.html",
        {
            "event": event,
            "meeting": meeting,
            "req": meeting.request,
            "when": times.span(meeting.slot.starts_at, meeting.slot.ends_at, event.time_zone)
            if meeting.slot
            else "",
            # the meeting's and its request's changes in one list, in time order (requests first on a tie:
            # a request is accepted before its meeting is placed)
            "history": sorted(
                [
                    *(("request", h) for h in meeting.request.history.all()),
                    *(("meeting", h) for h in _meeting_history(meeting)),
                ],
                key=lambda kind_row: kind_row[1].at,
            ),
            "outcome": outcome,
            "chain": outcomes.chain(outcome.link_kind, outcome.link_id, outcome.link_label)
            if outcome
            else [],
            "outcome_form": forms.OutcomeForm(initial=initial),
            "cancel_form": forms.ReasonForm(),
            "can_cancel": meeting.status != MeetingStatus.CANCELLED
            and event.status not in (EventStatus.FINISHED, EventStatus.CANCELLED),
            "can_record": meeting.status == MeetingStatus.SCHEDULED
            and meeting.slot is not None
            and (event.status == EventStatus.FINISHED or meeting.slot.ends_at <= timezone.now()),
            "tz": event.time_zone,
            "as_query": urlencode({"as": request.GET.get("as", "")}) if request.GET.get("as") else "",
        },
    )


@refuse_denied
@login_required
@require_POST
def meeting_cancel(request: HttpRequest, event_id: int, meeting_id: int) -> HttpResponse:
    event = _event(request, event_id)
    meeting = _meeting(request, event, meeting_id)
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the meeting is cancelled."))
    else:
        try:
            services.cancel_meeting(request.user, meeting.pk, form.cleaned_data["reason"])
        except ERRORS as exc:
            _failed(request, exc, form)
        else:
            _done(request, _("Meeting %(ref)s cancelled; both sides are told.") % {"ref": meeting.ref})
    return _back(request, reverse("events:meeting", args=[event.pk, meeting.pk]))


@refuse_denied
@login_required
@require_POST
def meeting_outcome(request: HttpRequest, event_id: int, meeting_id: int) -> HttpResponse:
    event = _event(request, event_id)
    meeting = _meeting(request, event, meeting_id)
    form = forms.OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            outcome = services.record_outcome(request.user, meeting.pk, **form.cleaned_data)
        except ERRORS as exc:
            _failed(request, exc, form)
        else:
            _done(request, _("Outcome recorded."))
            if outcome.link_warning:
                messages.warning(request, outcome.link_warning)
    return _back(request, reverse("events:meeting", args=[event.pk, meeting.pk]))


# --------------------------------------------------------------------------------------------------
# Notifications


@refuse_denied
@login_required
@require_safe
def notifications_page(request: HttpRequest) -> HttpResponse:
    return render(
        request, "events/notifications.html", {"notes": notifications.for_user(int(request.user.pk or 0))}
    )


@refuse_denied
@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.mark_read(request.user)
    return _back(request, reverse("events:notifications"))
