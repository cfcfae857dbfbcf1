"""The API half of the matrix: one entry per write operation of /api/v1."""

from __future__ import annotations

from tests import factories
from tests.integration.permission_matrix import objects as o
from tests.integration.permission_matrix.matrix import Call, Write, write
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

V1 = "/api/v1"
PROVIDER = {PROVIDER_OWN, SECRETARIAT}  # the organisation's editors and the secretariat
COUNTRY = {FOCAL_OWN, SECRETARIAT}  # the country's focal points and the secretariat
BOTH = {
    FOCAL_OWN,
    PROVIDER_OWN,
    SECRETARIAT,
}  # either side (a match, a barrier, a meeting) or the secretariat
ONLY_SECRETARIAT = {SECRETARIAT}
#: A meeting is seen only by its two sides and the secretariat: to anyone else it does not exist (404).
HIDDEN = {USER: 404, FOCAL_OTHER: 404, PROVIDER_OTHER: 404}


# --- offers --------------------------------------------------------------------------------------------


def _offer_create(w: World) -> Call:
    return Call(
        f"{V1}/offers",
        {
            "provider_id": w.org.pk,
            "title": "Training for regulators",
            "description": "Three-day course.",
            "kind": "training",
            "focus_areas": ["digital-skills"],
        },
    )


def _offer_patch(w: World) -> Call:
    return Call(f"{V1}/offers/{o.offer(w).pk}", {"title": "Renamed offer", "reason": "matrix"})


def _offer_transition(w: World) -> Call:
    return Call(f"{V1}/offers/{o.offer(w).pk}/transitions", {"to": "published", "reason": "ready"})


# --- needs ---------------------------------------------------------------------------------------------


def _need_create(w: World) -> Call:
    return Call(
        f"{V1}/needs",
        {
            "country": w.country.iso3,
            "title": "Cybersecurity strategy",
            "description": "Help draft a national strategy.",
            "focus_areas": ["data-regulation"],
        },
    )


def _need_create_for_org(w: World) -> Call:
    call = _need_create(w)
    return Call(call.path, call.body | {"requesting_organization": w.org.pk})


def _need_create_for_local_org(w: World) -> Call:
    # An organisation based in the need's country, which its focal points may name as the requester.
    local = factories.organization("Kenya SME Agency", "XM-MATRIX-KE-SME")
    local.country = w.country
    local.save(update_fields=["country"])
    call = _need_create(w)
    return Call(call.path, call.body | {"requesting_organization": local.pk})


def _need_patch_to_other_org(w: World) -> Call:
    # Naming another organisation hands it the need's edit rights: only one the actor speaks for.
    return Call(f"{V1}/needs/{o.need(w).pk}", {"requesting_organization": w.other_org.pk, "reason": "matrix"})


def _need_validate(w: World) -> Call:
    # The requesting organisation P may edit the need, but validating it is for the country's focal points.
    need = o.need(w, "submitted")
    o.Need.objects.filter(pk=need.pk).update(requesting_organization=w.org)
    return Call(f"{V1}/needs/{need.pk}/transitions", {"to": "validated", "reason": "checked"})


def _need_patch(w: World) -> Call:
    return Call(f"{V1}/needs/{o.need(w).pk}", {"title": "Renamed need", "reason": "matrix"})


def _need_submit(w: World) -> Call:
    return Call(f"{V1}/needs/{o.need(w).pk}/transitions", {"to": "submitted", "reason": "ready"})


# --- matches -------------------------------------------------------------------------------------------


def _match_create(w: World) -> Call:
    return Call(
        f"{V1}/matches", {"need_id": o.need(w, "submitted").pk, "offer_id": o.offer(w, "published").pk}
    )


def _match_contact(w: World) -> Call:
    call = _match_create(w)
    return Call(call.path, call.body | {"contact": True, "reason": "let us talk"})


def _match_batch(w: World) -> Call:
    o.need(w, "submitted")
    o.offer(w, "published")
    return Call(f"{V1}/matches/batch", {"min_score": 0.0})


def _match_transition(w: World) -> Call:
    return Call(f"{V1}/matches/{o.match(w).pk}/transitions", {"to": "contacted", "reason": "let us talk"})


def _search_save(w: World) -> Call:
    return Call(f"{V1}/saved-searches", {"name": "Payments offers", "focus_area": "digital-payments"})


def _search_delete(w: World) -> Call:
    searches = o.searches_and_notifications(w)
    return Call(f"{V1}/saved-searches/{searches[w.users[FOCAL_OWN].pk].pk}")


def _notifications_read(w: World) -> Call:
    o.searches_and_notifications(w)
    return Call(f"{V1}/notifications/read", {})


# --- events --------------------------------------------------------------------------------------------


def _event_create(w: World) -> Call:
    return Call(
        f"{V1}/events",
        {
            "title": "Pacific matchmaking",
            "starts_on": "2027-03-01",
            "ends_on": "2027-03-01",
            "time_zone": "Pacific/Fiji",
            "registration": "open",
        },
    )


def _event_status(w: World) -> Call:
    s = o.event(w)
    return Call(
        f"{V1}/events/{s.event.pk}/status", {"status": "registration_closed", "reason": "programme full"}
    )


def _event_sessions(w: World) -> Call:
    s = o.event(w)
    return Call(
        f"{V1}/events/{s.event.pk}/sessions",
        {
            "title": "Afternoon",
            "day": s.event.starts_on.isoformat(),
            "start_time": "14:00",
            "slot_minutes": 30,
            "slot_count": 2,
            "break_minutes": 0,
        },
    )


def _event_tables(w: World) -> Call:
    return Call(f"{V1}/events/{o.event(w).event.pk}/tables", {"names": ["Lagoon"]})


def _event_participants(w: World) -> Call:
    s = o.event(w, registration="open")
    return Call(f"{V1}/events/{s.event.pk}/participants", {"kind": "delegation", "country": "TZA"})


def _participant_status(w: World) -> Call:
    s = o.event(w)
    return Call(
        f"{V1}/events/{s.event.pk}/participants/{s.delegation.pk}/status",
        {"status": "withdrawn", "reason": "cannot travel"},
    )


def _participant_register_now(w: World) -> Call:
    s = o.event(w, registration="open")
    body = {"kind": "delegation", "country": "TZA", "register_now": True}
    return Call(f"{V1}/events/{s.event.pk}/participants", body)


def _participant_self_approve(w: World) -> Call:
    # A's delegation applied to an open event and is pending: only the secretariat registers it.
    s = o.event(w, registration="open")
    o.Participant.objects.filter(pk=s.delegation.pk).update(status="pending")
    return Call(
        f"{V1}/events/{s.event.pk}/participants/{s.delegation.pk}/status",
        {"status": "registered", "reason": "approve myself"},
    )


def _participant_availability(w: World) -> Call:
    s = o.event(w)
    slot = s.event.slots.order_by("starts_at").first()
    assert slot is not None
    return Call(
        f"{V1}/events/{s.event.pk}/participants/{s.delegation.pk}/availability",
        {"unavailable_slots": [slot.pk], "reason": "flight"},
    )


def _request_send(w: World) -> Call:
    s = o.event(w)
    return Call(
        f"{V1}/events/{s.event.pk}/requests",
        {"requester": s.delegation.pk, "recipient": s.provider.pk, "preference": "must"},
    )


def _request_respond(w: World) -> Call:
    s = o.event_request(w)
    assert s.request is not None
    return Call(f"{V1}/events/{s.event.pk}/requests/{s.request.pk}/respond", {"answer": "accept"})


def _request_withdraw(w: World) -> Call:
    s = o.event_request(w)
    assert s.request is not None
    return Call(f"{V1}/events/{s.event.pk}/requests/{s.request.pk}/withdraw", {"reason": "changed plans"})


def _event_schedule(w: World) -> Call:
    s = o.event_request(w)
    o.accept(s)
    return Call(f"{V1}/events/{s.event.pk}/schedule", {"time_limit": 2})


def _meeting_cancel(w: World) -> Call:
    s = o.event_meeting(w)
    assert s.meeting is not None
    return Call(f"{V1}/events/{s.event.pk}/meetings/{s.meeting.pk}/cancel", {"reason": "travel"})


def _meeting_outcome(w: World) -> Call:
    s = o.event_meeting(w, finished=True)
    assert s.meeting is not None
    return Call(
        f"{V1}/events/{s.event.pk}/meetings/{s.meeting.pk}/outcome",
        {"kind": "follow_up_agreed", "note": "June"},
    )


# --- barriers ------------------------------------------------------------------------------------------


def _barrier_report(w: World) -> Call:
    return Call(
        f"{V1}/barriers",
        {
            "title": "Data localisation rule",
            "description": "All payment data must stay in the country.",
            "country": w.country.iso3,
            "category": "data_flows",
        },
    )


def _barrier_report_for_org(w: World) -> Call:
    call = _barrier_report(w)
    return Call(call.path, call.body | {"reporter_organization": w.org.pk})


def _barrier_restricted_notes(w: World) -> Call:
    return Call(f"{V1}/barriers/{o.barrier(w).pk}", {"restricted_notes": "moderators only"})


def _barrier_archive(w: World) -> Call:
    # A moderation move, not a progress move: the secretariat's alone.
    return Call(f"{V1}/barriers/{o.barrier(w).pk}/transitions", {"to": "archived", "reason": "out of scope"})


def _barrier_patch(w: World) -> Call:
    return Call(f"{V1}/barriers/{o.barrier(w).pk}", {"title": "Renamed barrier"})


def _barrier_transition(w: World) -> Call:
    return Call(f"{V1}/barriers/{o.barrier(w).pk}/transitions", {"to": "being_addressed", "reason": "reform"})


def _barrier_update(w: World) -> Call:
    return Call(f"{V1}/barriers/{o.barrier(w).pk}/updates", {"text": "Draft law tabled", "public": True})


def _barrier_link(w: World) -> Call:
    return Call(
        f"{V1}/barriers/{o.barrier(w).pk}/links",
        {"kind": "need", "object_id": str(o.need(w, "submitted").pk)},
    )


def _barrier_unlink(w: World) -> Call:
    link = o.barrier_link(w)
    return Call(f"{V1}/barriers/{link.barrier_id}/links/{link.pk}")


def _barrier_raise_need(w: World) -> Call:
    return Call(f"{V1}/barriers/{o.barrier(w).pk}/raise-need", {})


def _barrier_merge(w: World) -> Call:
    keep, dup = o.barrier(w), o.barrier(w)
    return Call(f"{V1}/barriers/{dup.pk}/merge", {"into": keep.pk, "reason": "same measure"})


def _subscription_create(w: World) -> Call:
    return Call(f"{V1}/barrier-subscriptions", {"country": w.country.iso3, "category": "", "email": False})


def _subscription_delete(w: World) -> Call:
    return Call(f"{V1}/barrier-subscriptions/{o.barrier_subscription(w, FOCAL_OWN).pk}")


def _barrier_notifications_read(w: World) -> Call:
    o.barrier_notifications(w)
    return Call(f"{V1}/barrier-notifications/read", {})


# --- pledges -------------------------------------------------------------------------------------------


def _pledge_create(w: World) -> Call:
    return Call(
        f"{V1}/pledges",
        {
            "provider": w.org.pk,
            "title": "Skills pledge",
            "amount": "500000",
            "currency": "USD",
            "period_start": "2026-01-01",
            "period_end": "2027-12-31",
        },
    )


def _pledge_patch(w: World) -> Call:
    return Call(f"{V1}/pledges/{o.pledge(w).pk}", {"title": "Renamed pledge"})


def _pledge_transition(w: World) -> Call:
    return Call(f"{V1}/pledges/{o.pledge(w).pk}/transitions", {"to": "announced", "reason": "launched"})


def _pledge_flow(w: World) -> Call:
    return Call(
        f"{V1}/pledges/{o.pledge(w).pk}/flows",
        {"kind": "disbursement", "amount": "2500", "currency": "USD", "date": "2026-06-01"},
    )


def _pledge_flow_delete(w: World) -> Call:
    flow = o.pledge_flow(w)
    return Call(f"{V1}/pledges/{flow.pledge_id}/flows/{flow.pk}")


def _pledge_activity(w: World) -> Call:
    return Call(f"{V1}/pledges/{o.pledge(w).pk}/activities", {"activity_id": o.activity(w).pk})


def _pledge_activity_delete(w: World) -> Call:
    link = o.pledge_activity(w)
    return Call(f"{V1}/pledges/{link.pledge_id}/activities/{link.pk}")


# --- analytics -----------------------------------------------------------------------------------------


def _alert_status(w: World) -> Call:
    return Call(
        f"{V1}/analytics/alerts/{o.alert(w).pk}/status", {"status": "confirmed", "reason": "same project"}
    )


def _alert_reopen(w: World) -> Call:
    alert = o.alert(w)
    o.CoordinationAlert.objects.filter(pk=alert.pk).update(status="confirmed")
    return Call(
        f"{V1}/analytics/alerts/{alert.pk}/status", {"status": "open", "reason": "not the same after all"}
    )


API_WRITES: tuple[Write, ...] = (
    write("POST /api/v1/offers", _offer_create, PROVIDER),
    write("PATCH /api/v1/offers/{offer_id}", _offer_patch, PROVIDER),
    write("POST /api/v1/offers/{offer_id}/transitions", _offer_transition, PROVIDER),
    write("POST /api/v1/needs", _need_create, COUNTRY),
    write("POST /api/v1/needs", _need_create_for_org, PROVIDER, variant="for requesting organisation P"),
    write(
        "POST /api/v1/needs",
        _need_create_for_local_org,
        COUNTRY,
        variant="for an organisation of the country",
    ),
    write("PATCH /api/v1/needs/{need_id}", _need_patch, COUNTRY),
    write(
        "PATCH /api/v1/needs/{need_id}",
        _need_patch_to_other_org,
        ONLY_SECRETARIAT,
        variant="hand it to organisation Q",
    ),
    write("POST /api/v1/needs/{need_id}/transitions", _need_submit, COUNTRY),
    write(
        "POST /api/v1/needs/{need_id}/transitions",
        _need_validate,
        COUNTRY,
        variant="validate a need requested by P",
    ),
    write("POST /api/v1/matches", _match_create, BOTH, variant="suggest"),
    write("POST /api/v1/matches", _match_contact, BOTH, variant="contact"),
    write("POST /api/v1/matches/batch", _match_batch, ONLY_SECRETARIAT),
    write("POST /api/v1/matches/{match_id}/transitions", _match_transition, BOTH),
    write("POST /api/v1/saved-searches", _search_save, SIGNED_IN),
    write("DELETE /api/v1/saved-searches/{search_id}", _search_delete, {FOCAL_OWN}),
    write("POST /api/v1/notifications/read", _notifications_read, SIGNED_IN),
    write("POST /api/v1/events", _event_create, ONLY_SECRETARIAT),
    write("POST /api/v1/events/{event_id}/status", _event_status, ONLY_SECRETARIAT),
    write("POST /api/v1/events/{event_id}/sessions", _event_sessions, ONLY_SECRETARIAT),
    write("POST /api/v1/events/{event_id}/tables", _event_tables, ONLY_SECRETARIAT),
    # Tanzania has no focal point here: only the secretariat may apply for it (tests/web/test_events_fixes.py
    # has a focal point applying for its own country)
    write("POST /api/v1/events/{event_id}/participants", _event_participants, ONLY_SECRETARIAT),
    write(
        "POST /api/v1/events/{event_id}/participants",
        _participant_register_now,
        ONLY_SECRETARIAT,
        variant="register_now",
    ),
    write(
        "POST /api/v1/events/{event_id}/participants/{participant_id}/status", _participant_status, COUNTRY
    ),
    write(
        "POST /api/v1/events/{event_id}/participants/{participant_id}/status",
        _participant_self_approve,
        ONLY_SECRETARIAT,
        variant="pending to registered",
    ),
    write(
        "PUT /api/v1/events/{event_id}/participants/{participant_id}/availability",
        _participant_availability,
        COUNTRY,
    ),
    write("POST /api/v1/events/{event_id}/requests", _request_send, COUNTRY),
    write("POST /api/v1/events/{event_id}/requests/{request_id}/respond", _request_respond, PROVIDER),
    write("POST /api/v1/events/{event_id}/requests/{request_id}/withdraw", _request_withdraw, COUNTRY),
    write("POST /api/v1/events/{event_id}/schedule", _event_schedule, ONLY_SECRETARIAT),
    write(
        "POST /api/v1/events/{event_id}/meetings/{meeting_id}/cancel", _meeting_cancel, BOTH, status=HIDDEN
    ),
    write(
        "POST /api/v1/events/{event_id}/meetings/{meeting_id}/outcome", _meeting_outcome, BOTH, status=HIDDEN
    ),
    write("POST /api/v1/barriers", _barrier_report, SIGNED_IN),
    write("POST /api/v1/barriers", _barrier_report_for_org, PROVIDER, variant="on behalf of P"),
    write("PATCH /api/v1/barriers/{barrier_id}", _barrier_patch, BOTH),
    write(
        "PATCH /api/v1/barriers/{barrier_id}",
        _barrier_restricted_notes,
        ONLY_SECRETARIAT,
        variant="restricted_notes",
    ),
    write(
        "POST /api/v1/barriers/{barrier_id}/transitions", _barrier_transition, BOTH, variant="progress move"
    ),
    write(
        "POST /api/v1/barriers/{barrier_id}/transitions",
        _barrier_archive,
        ONLY_SECRETARIAT,
        variant="moderation move",
    ),
    write("POST /api/v1/barriers/{barrier_id}/updates", _barrier_update, BOTH),
    write("POST /api/v1/barriers/{barrier_id}/links", _barrier_link, BOTH),
    write("DELETE /api/v1/barriers/{barrier_id}/links/{link_id}", _barrier_unlink, BOTH),
    write("POST /api/v1/barriers/{barrier_id}/raise-need", _barrier_raise_need, COUNTRY),
    write("POST /api/v1/barriers/{barrier_id}/merge", _barrier_merge, ONLY_SECRETARIAT),
    write("POST /api/v1/barrier-subscriptions", _subscription_create, SIGNED_IN),
    write(
        "DELETE /api/v1/barrier-subscriptions/{subscription_id}",
        _subscription_delete,
        {FOCAL_OWN, SECRETARIAT},
    ),
    write("POST /api/v1/barrier-notifications/read", _barrier_notifications_read, SIGNED_IN),
    write("POST /api/v1/pledges", _pledge_create, PROVIDER),
    write("PATCH /api/v1/pledges/{pledge_id}", _pledge_patch, PROVIDER),
    write("POST /api/v1/pledges/{pledge_id}/transitions", _pledge_transition, PROVIDER),
    write("POST /api/v1/pledges/{pledge_id}/flows", _pledge_flow, PROVIDER),
    write("DELETE /api/v1/pledges/{pledge_id}/flows/{flow_id}", _pledge_flow_delete, PROVIDER),
    write("POST /api/v1/pledges/{pledge_id}/activities", _pledge_activity, PROVIDER),
    write("DELETE /api/v1/pledges/{pledge_id}/activities/{link_id}", _pledge_activity_delete, PROVIDER),
    write("POST /api/v1/analytics/alerts/{alert_id}/status", _alert_status, PROVIDER, variant="confirm"),
    write(
        "POST /api/v1/analytics/alerts/{alert_id}/status", _alert_reopen, ONLY_SECRETARIAT, variant="reopen"
    ),
)
