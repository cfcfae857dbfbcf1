"""The page half of the matrix: one entry per URL pattern whose view accepts POST (form fields as the
pages send them). Account pages that act only on the caller's own session are listed in `PAGE_EXEMPT`
with the reason; the Django admin (`admin/`) is staff-only and covered by its own test."""

from __future__ import annotations

from collections.abc import Callable

from tests.integration.permission_matrix import objects as o
from tests.integration.permission_matrix.api_writes import BOTH, COUNTRY, HIDDEN, ONLY_SECRETARIAT, PROVIDER
from tests.integration.permission_matrix.matrix import Call, Exempt, Write, write
from tests.integration.permission_matrix.world import (
    FOCAL_OTHER,
    FOCAL_OWN,
    PROVIDER_OTHER,
    PROVIDER_OWN,
    SECRETARIAT,
    SIGNED_IN,
    USER,
    World,
)

ADMIN_PREFIX = "admin/"


#: Sessions are removed only while the event is a draft, and a draft event is seen only by the
#: secretariat: to everyone else it does not exist (404).
DRAFT_EVENT_HIDDEN = {USER: 404, FOCAL_OWN: 404, FOCAL_OTHER: 404, PROVIDER_OWN: 404, PROVIDER_OTHER: 404}


# --- offers, needs, matches ----------------------------------------------------------------------------


def _offer_new(w: World) -> Call:
    return Call(
        "/offers/new/",
        {
            "provider": str(w.org.pk),
            "title": "Training for regulators",
            "description": "Three-day course.",
            "language": "en",
            "kind": "training",
            "focus_areas": ["digital-skills"],
        },
    )


def _offer_edit(w: World) -> Call:
    offer = o.offer(w, "published")
    body = _offer_new(w).body | {"title": "Renamed offer"}
    return Call(f"/offers/{offer.pk}/edit/", body)


def _offer_status(w: World) -> Call:
    return Call(f"/offers/{o.offer(w, 'published').pk}/status/", {"to": "closed", "reason": "full"})


def _need_body(w: World) -> dict[str, object]:
    return {
        "country": w.country.iso3,
        "requester_type": "government",
        "title": "Cybersecurity strategy",
        "description": "Help draft a national strategy.",
        "language": "en",
        "focus_areas": ["data-regulation"],
        "priority": "medium",
    }


def _need_new(w: World) -> Call:
    return Call("/needs/new/", _need_body(w))


def _need_edit(w: World) -> Call:
    return Call(f"/needs/{o.need(w, 'submitted').pk}/edit/", _need_body(w) | {"title": "Renamed need"})


def _need_status(w: World) -> Call:
    return Call(f"/needs/{o.need(w, 'submitted').pk}/status/", {"to": "validated", "reason": "checked"})


def _need_validate_for_org(w: World) -> Call:
    # P requested the need and may edit it; validating it is for the country's focal points.
    need = o.need(w, "submitted")
    o.Need.objects.filter(pk=need.pk).update(requesting_organization=w.org)
    return Call(f"/needs/{need.pk}/status/", {"to": "validated", "reason": "checked"})


def _need_adopt(w: World) -> Call:
    return Call(f"/needs/{o.need(w, 'submitted', indicative=True).pk}/adopt/", {})


def _match_act(action: str) -> Callable[[World], Call]:
    def build(w: World) -> Call:
        need, offer = o.need(w, "submitted").pk, o.offer(w, "published").pk
        return Call("/matches/act/", {"need": need, "offer": offer, "action": action, "reason": "matrix"})

    return build


def _match_status(w: World) -> Call:
    return Call(f"/matches/{o.match(w).pk}/status/", {"to": "contacted", "reason": "let us talk"})


def _alerts_delete(w: World) -> Call:
    searches = o.searches_and_notifications(w)
    return Call("/matches/alerts/", {"action": "delete", "search": searches[w.users[FOCAL_OWN].pk].pk})


def _alerts_save(w: World) -> Call:
    return Call("/matches/alerts/", {"action": "save", "name": "Payments", "focus_area": "digital-payments"})


def _alerts_read(w: World) -> Call:
    o.searches_and_notifications(w)
    return Call("/matches/alerts/", {"action": "read"})


# --- barriers ------------------------------------------------------------------------------------------


def _barrier_body(w: World) -> dict[str, object]:
    return {
        "title": "Data localisation rule",
        "description": "All payment data must stay in the country.",
        "language": "en",
        "country": w.country.iso3,
        "category": "data_flows",
        "impact": "",
        "priority": "medium",
    }


def _barrier_report(w: World) -> Call:
    return Call("/barriers/report/", _barrier_body(w))


def _barrier_report_for_org(w: World) -> Call:
    return Call("/barriers/report/", _barrier_body(w) | {"reporter_organization": str(w.org.pk)})


def _barrier_edit(w: World) -> Call:
    return Call(f"/barriers/{o.barrier(w).pk}/edit/", _barrier_body(w) | {"title": "Renamed barrier"})


def _barrier_status(w: World) -> Call:
    return Call(f"/barriers/{o.barrier(w).pk}/status/", {"to": "being_addressed", "reason": "reform"})


def _barrier_archive(w: World) -> Call:
    return Call(f"/barriers/{o.barrier(w).pk}/status/", {"to": "archived", "reason": "out of scope"})


def _barrier_update(w: World) -> Call:
    return Call(f"/barriers/{o.barrier(w).pk}/updates/", {"text": "Draft law tabled", "public": "on"})


def _barrier_link(w: World) -> Call:
    return Call(
        f"/barriers/{o.barrier(w).pk}/links/", {"kind": "need", "object_id": str(o.need(w, "submitted").pk)}
    )


def _barrier_unlink(w: World) -> Call:
    link = o.barrier_link(w)
    return Call(f"/barriers/{link.barrier_id}/links/{link.pk}/remove/", {})


def _barrier_merge(w: World) -> Call:
    keep, dup = o.barrier(w), o.barrier(w)
    return Call(f"/barriers/{dup.pk}/merge/", {"into": keep.pk, "reason": "same measure"})


def _barrier_raise_need(w: World) -> Call:
    return Call(f"/barriers/{o.barrier(w).pk}/raise-need/", {})


def _following(w: World) -> Call:
    return Call("/barriers/following/", {"country": w.country.iso3, "category": ""})


def _token_create(w: World) -> Call:
    return Call("/account/tokens/", {"name": "matrix", "scopes": "read", "days": "30"})


def _token_revoke(w: World) -> Call:
    return Call(f"/account/tokens/{o.api_token(w, FOCAL_OWN).pk}/revoke/", {})


def _unfollow(w: World) -> Call:
    return Call(f"/barriers/following/{o.barrier_subscription(w, FOCAL_OWN).pk}/remove/", {})


def _barrier_read(w: World) -> Call:
    o.barrier_notifications(w)
    return Call("/barriers/following/read/", {})


# --- pledges, analytics --------------------------------------------------------------------------------


def _pledge_new(w: World) -> Call:
    return Call(
        "/pledges/new/",
        {
            "provider": str(w.org.pk),
            "title": "Skills pledge",
            "amount": "500000",
            "currency": "USD",
            "period_start": "2026-01-01",
            "period_end": "2027-12-31",
        },
    )


def _pledge_flow(w: World) -> Call:
    return Call(
        f"/pledges/{o.pledge(w, announced=True).pk}/flows/",
        {"kind": "disbursement", "amount": "2500", "currency": "USD", "date": "2026-06-01"},
    )


def _pledge_status(w: World) -> Call:
    return Call(f"/pledges/{o.pledge(w, announced=True).pk}/status/", {"to": "completed", "reason": "done"})


def _pledge_activity(w: World) -> Call:
    return Call(f"/pledges/{o.pledge(w, announced=True).pk}/activities/", {"activity_id": o.activity(w).pk})


def _alert_status(w: World) -> Call:
    return Call(f"/analytics/alerts/{o.alert(w).pk}/status/", {"to": "confirmed", "reason": "same project"})


def _alert_reopen(w: World) -> Call:
    alert = o.alert(w)
    o.CoordinationAlert.objects.filter(pk=alert.pk).update(status="confirmed")
    return Call(f"/analytics/alerts/{alert.pk}/status/", {"to": "open", "reason": "not the same after all"})


# --- events --------------------------------------------------------------------------------------------


def _event_body() -> dict[str, object]:
    return {
        "title": "Pacific matchmaking",
        "starts_on": "2027-03-01",
        "ends_on": "2027-03-01",
        "time_zone": "Pacific/Fiji",
        "registration": "open",
        "buffer_slots": "0",
    }


def _event_new(w: World) -> Call:
    return Call("/events/new/", _event_body())


def _event_edit(w: World) -> Call:
    e = o.event(w).event
    body = {
        "title": "Renamed event",
        "starts_on": e.starts_on.isoformat(),
        "ends_on": e.ends_on.isoformat(),
        "time_zone": e.time_zone,
        "registration": e.registration,
        "buffer_slots": str(e.buffer_slots),
    }
    return Call(f"/events/{e.pk}/edit/", body)


def _event_status(w: World) -> Call:
    return Call(
        f"/events/{o.event(w).event.pk}/status/", {"to": "registration_closed", "reason": "programme full"}
    )


def _session_add(w: World) -> Call:
    s = o.event(w)
    return Call(
        f"/events/{s.event.pk}/sessions/",
        {
            "title": "Afternoon",
            "day": s.event.starts_on.isoformat(),
            "start_time": "14:00",
            "slot_minutes": "30",
            "break_minutes": "0",
            "slot_count": "2",
        },
    )


def _session_remove(w: World) -> Call:
    s = o.event(w, status="draft")
    session = s.event.sessions.first()
    assert session is not None
    return Call(f"/events/{s.event.pk}/sessions/{session.pk}/remove/", {})


def _slot_toggle(w: World) -> Call:
    s = o.event(w)
    slot = s.event.slots.first()
    assert slot is not None
    return Call(f"/events/{s.event.pk}/slots/{slot.pk}/toggle/", {"reason": "lunch"})


def _tables_add(w: World) -> Call:
    return Call(f"/events/{o.event(w).event.pk}/tables/", {"count": "1", "name_prefix": "Table"})


def _table_toggle(w: World) -> Call:
    s = o.event(w)
    table = s.event.tables.first()
    assert table is not None
    return Call(f"/events/{s.event.pk}/tables/{table.pk}/toggle/", {"reason": "broken"})


def _invite(w: World) -> Call:
    return Call(f"/events/{o.event(w).event.pk}/invite/", {"kind": "delegation", "country": "TZA"})


def _register(w: World) -> Call:
    s = o.event(w, registration="open")
    return Call(f"/events/{s.event.pk}/register/", {"kind": "delegation", "country": "TZA"})


def _participant_status(w: World) -> Call:
    s = o.event(w)
    return Call(
        f"/events/{s.event.pk}/participants/{s.delegation.pk}/status/",
        {"to": "withdrawn", "reason": "cannot travel"},
    )


def _participant_self_approve(w: World) -> Call:
    s = o.event(w, registration="open")
    o.Participant.objects.filter(pk=s.delegation.pk).update(status="pending")
    return Call(
        f"/events/{s.event.pk}/participants/{s.delegation.pk}/status/",
        {"to": "registered", "reason": "approve myself"},
    )


def _participation_update(w: World) -> Call:
    s = o.event(w)
    return Call(
        f"/events/{s.event.pk}/participation/update/",
        {"as": s.delegation.pk, "max_meetings": "3", "note": "x"},
    )


def _availability(w: World) -> Call:
    s = o.event(w)
    slot = s.event.slots.order_by("starts_at").first()
    assert slot is not None
    return Call(
        f"/events/{s.event.pk}/participation/availability/",
        {"as": s.delegation.pk, "unavailable": [slot.pk], "reason": "flight"},
    )


def _member_add(w: World) -> Call:
    s = o.event(w)
    return Call(
        f"/events/{s.event.pk}/participation/members/",
        {"as": s.delegation.pk, "name": "Delegate", "email": "delegate@example.org"},
    )


def _member_remove(w: World) -> Call:
    s = o.event(w)
    m = o.member(s, w)
    return Call(f"/events/{s.event.pk}/participation/members/{m.pk}/remove/", {"as": s.delegation.pk})


def _request_send(w: World) -> Call:
    s = o.event(w)
    return Call(
        f"/events/{s.event.pk}/requests/send/",
        {"as": s.delegation.pk, "recipient": s.provider.pk, "preference": "must"},
    )


def _request_respond(w: World) -> Call:
    s = o.event_request(w)
    assert s.request is not None
    return Call(
        f"/events/{s.event.pk}/requests/{s.request.pk}/respond/", {"as": s.provider.pk, "answer": "accept"}
    )


def _request_withdraw(w: World) -> Call:
    s = o.event_request(w)
    assert s.request is not None
    return Call(
        f"/events/{s.event.pk}/requests/{s.request.pk}/withdraw/",
        {"as": s.delegation.pk, "reason": "changed plans"},
    )


def _schedule(w: World) -> Call:
    s = o.event_request(w)
    o.accept(s)
    return Call(f"/events/{s.event.pk}/schedule/", {"time_limit": "2"})


def _meeting_cancel(w: World) -> Call:
    s = o.event_meeting(w)
    assert s.meeting is not None
    return Call(f"/events/{s.event.pk}/meetings/{s.meeting.pk}/cancel/", {"reason": "travel"})


def _meeting_outcome(w: World) -> Call:
    s = o.event_meeting(w, finished=True)
    assert s.meeting is not None
    return Call(
        f"/events/{s.event.pk}/meetings/{s.meeting.pk}/outcome/", {"kind": "follow_up_agreed", "note": "June"}
    )


def _event_notifications_read(w: World) -> Call:
    s = o.event(w)
    o.event_notifications(s, w)
    return Call("/events/notifications/read/", {})


def _upload(w: World) -> Call:
    return Call("/projects/upload/", {})


def _upload_retry(w: World) -> Call:
    return Call(f"/projects/upload/{o.failed_upload(w).pk}/retry/", {})


PAGE_WRITES: tuple[Write, ...] = (
    write("POST offers/new/", _offer_new, PROVIDER),
    write("POST offers/<int:offer_id>/edit/", _offer_edit, PROVIDER),
    write("POST offers/<int:offer_id>/status/", _offer_status, PROVIDER),
    write("POST needs/new/", _need_new, COUNTRY),
    write("POST needs/<int:need_id>/edit/", _need_edit, COUNTRY),
    write("POST needs/<int:need_id>/status/", _need_status, COUNTRY),
    write(
        "POST needs/<int:need_id>/status/",
        _need_validate_for_org,
        COUNTRY,
        variant="validate a need requested by P",
    ),
    write("POST needs/<int:need_id>/adopt/", _need_adopt, COUNTRY),
    write("POST matches/act/", _match_act("contact"), BOTH, variant="contact"),
    write("POST matches/act/", _match_act("accepted"), BOTH, variant="accepted"),
    write("POST matches/act/", _match_act("declined"), BOTH, variant="declined"),
    write("POST matches/<int:match_id>/status/", _match_status, BOTH),
    write("POST matches/alerts/", _alerts_delete, {FOCAL_OWN}, variant="delete"),
    write("POST matches/alerts/", _alerts_save, SIGNED_IN, variant="save"),
    write("POST matches/alerts/", _alerts_read, SIGNED_IN, variant="read"),
    write("POST barriers/report/", _barrier_report, SIGNED_IN),
    write(
        "POST barriers/report/",
        _barrier_report_for_org,
        PROVIDER,
        variant="on behalf of P",
    ),
    write("POST barriers/<int:barrier_id>/edit/", _barrier_edit, BOTH),
    write("POST barriers/<int:barrier_id>/status/", _barrier_status, BOTH, variant="progress move"),
    write(
        "POST barriers/<int:barrier_id>/status/",
        _barrier_archive,
        ONLY_SECRETARIAT,
        variant="moderation move",
    ),
    write("POST barriers/<int:barrier_id>/updates/", _barrier_update, BOTH),
    write("POST barriers/<int:barrier_id>/links/", _barrier_link, BOTH),
    write("POST barriers/<int:barrier_id>/links/<int:link_id>/remove/", _barrier_unlink, BOTH),
    write("POST barriers/<int:barrier_id>/merge/", _barrier_merge, ONLY_SECRETARIAT),
    write("POST barriers/<int:barrier_id>/raise-need/", _barrier_raise_need, COUNTRY),
    write("POST barriers/following/", _following, SIGNED_IN),
    write("POST barriers/following/<int:subscription_id>/remove/", _unfollow, {FOCAL_OWN, SECRETARIAT}),
    write("POST account/tokens/", _token_create, SIGNED_IN),
    write("POST account/tokens/<int:token_id>/revoke/", _token_revoke, {FOCAL_OWN, SECRETARIAT}),
    write("POST barriers/following/read/", _barrier_read, SIGNED_IN),
    write("POST pledges/new/", _pledge_new, PROVIDER),
    write("POST pledges/<int:pledge_id>/flows/", _pledge_flow, PROVIDER),
    write("POST pledges/<int:pledge_id>/status/", _pledge_status, PROVIDER),
    write("POST pledges/<int:pledge_id>/activities/", _pledge_activity, PROVIDER),
    write("POST analytics/alerts/<int:alert_id>/status/", _alert_status, PROVIDER, variant="confirm"),
    write("POST analytics/alerts/<int:alert_id>/status/", _alert_reopen, ONLY_SECRETARIAT, variant="reopen"),
    write("POST events/new/", _event_new, ONLY_SECRETARIAT),
    write("POST events/<int:event_id>/edit/", _event_edit, ONLY_SECRETARIAT),
    write("POST events/<int:event_id>/status/", _event_status, ONLY_SECRETARIAT),
    write("POST events/<int:event_id>/sessions/", _session_add, ONLY_SECRETARIAT),
    write(
        "POST events/<int:event_id>/sessions/<int:session_id>/remove/",
        _session_remove,
        ONLY_SECRETARIAT,
        status=DRAFT_EVENT_HIDDEN,
    ),
    write("POST events/<int:event_id>/slots/<int:slot_id>/toggle/", _slot_toggle, ONLY_SECRETARIAT),
    write("POST events/<int:event_id>/tables/", _tables_add, ONLY_SECRETARIAT),
    write("POST events/<int:event_id>/tables/<int:table_id>/toggle/", _table_toggle, ONLY_SECRETARIAT),
    write("POST events/<int:event_id>/invite/", _invite, ONLY_SECRETARIAT),
    write("POST events/<int:event_id>/register/", _register, ONLY_SECRETARIAT),  # Tanzania has no focal point
    write(
        "POST events/<int:event_id>/participants/<int:participant_id>/status/", _participant_status, COUNTRY
    ),
    write(
        "POST events/<int:event_id>/participants/<int:participant_id>/status/",
        _participant_self_approve,
        ONLY_SECRETARIAT,
        variant="pending to registered",
    ),
    write("POST events/<int:event_id>/participation/update/", _participation_update, COUNTRY),
    write("POST events/<int:event_id>/participation/availability/", _availability, COUNTRY),
    write("POST events/<int:event_id>/participation/members/", _member_add, COUNTRY),
    write(
        "POST events/<int:event_id>/participation/members/<int:member_id>/remove/", _member_remove, COUNTRY
    ),
    write("POST events/<int:event_id>/requests/send/", _request_send, COUNTRY),
    write("POST events/<int:event_id>/requests/<int:request_id>/respond/", _request_respond, PROVIDER),
    write("POST events/<int:event_id>/requests/<int:request_id>/withdraw/", _request_withdraw, COUNTRY),
    write("POST events/<int:event_id>/schedule/", _schedule, ONLY_SECRETARIAT),
    write(
        "POST events/<int:event_id>/meetings/<int:meeting_id>/cancel/", _meeting_cancel, BOTH, status=HIDDEN
    ),
    write(
        "POST events/<int:event_id>/meetings/<int:meeting_id>/outcome/", _meeting_outcome, BOTH, status=HIDDEN
    ),
    write("POST events/notifications/read/", _event_notifications_read, SIGNED_IN),
    # The secretariat passes the permission check and is told the file is missing (400, nothing written):
    # a real upload starts the background import worker, tested in tests/web/test_projects_pages.py.
    write("POST projects/upload/", _upload, ONLY_SECRETARIAT, status={SECRETARIAT: 400}),
    write("POST projects/upload/<int:pk>/retry/", _upload_retry, ONLY_SECRETARIAT),
)

_SELF = "acts only on the caller's own session or account, not on any object of the platform"
PAGE_EXEMPT: tuple[Exempt, ...] = (
    Exempt("POST accounts/login/", f"sign-in; {_SELF}; throttling tested in tests/web/test_security.py"),
    Exempt("POST accounts/logout/", f"sign-out; {_SELF}"),
    Exempt("POST accounts/password_change/", f"{_SELF}; needs the current password (Django's view)"),
    Exempt("POST accounts/password_reset/", f"sends a reset e-mail; {_SELF}"),
    Exempt("POST accounts/reset/<uidb64>/<token>/", f"needs the e-mailed one-time token; {_SELF}"),
    Exempt("POST i18n/setlang/", f"language switcher; {_SELF} (a cookie)"),
)
