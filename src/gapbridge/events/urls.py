"""Pages of matchmaking events, under /events/."""

from django.urls import URLPattern, URLResolver, path

from gapbridge.events import views

app_name = "events"

E = "<int:event_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path(E, views.event_detail, name="detail"),
    path(E + "edit/", views.event_edit, name="edit"),
    path(E + "status/", views.event_status, name="status"),
    path(E + "organise/", views.organise, name="organise"),
    path(E + "sessions/", views.session_add, name="session-add"),
    path(E + "sessions/<int:session_id>/remove/", views.session_remove, name="session-remove"),
    path(E + "slots/<int:slot_id>/toggle/", views.slot_toggle, name="slot-toggle"),
    path(E + "tables/", views.tables_add, name="tables-add"),
    path(E + "tables/<int:table_id>/toggle/", views.table_toggle, name="table-toggle"),
    path(E + "invite/", views.invite, name="invite"),
    path(E + "register/", views.register, name="register"),
    path(
        E + "participants/<int:participant_id>/status/", views.participant_status, name="participant-status"
    ),
    path(E + "participation/", views.participation, name="participation"),
    path(E + "participation/update/", views.participation_update, name="participation-update"),
    path(E + "participation/availability/", views.availability, name="availability"),
    path(E + "participation/members/", views.member_add, name="member-add"),
    path(E + "participation/members/<int:member_id>/remove/", views.member_remove, name="member-remove"),
    path(E + "requests/", views.requests_page, name="requests"),
    path(E + "requests/send/", views.request_send, name="request-send"),
    path(E + "requests/<int:request_id>/respond/", views.request_respond, name="request-respond"),
    path(E + "requests/<int:request_id>/withdraw/", views.request_withdraw, name="request-withdraw"),
    path(E + "agenda/", views.agenda, name="agenda"),
    path(E + "agenda.pdf", views.agenda_pdf, name="agenda-pdf"),
    path(E + "agenda.ics", views.agenda_ics, name="agenda-ics"),
    path(E + "grid/", views.grid, name="grid"),
    path(E + "schedule/", views.schedule_run, name="schedule"),
    path(E + "meetings/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path(E + "meetings/<int:meeting_id>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path(E + "meetings/<int:meeting_id>/outcome/", views.meeting_outcome, name="meeting-outcome"),
]
