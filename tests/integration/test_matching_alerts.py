"""Alerts are never sent twice: two runs of `gapbridge send-alerts --digest` (as cron or a systemd timer
would start them, a day apart), and instant alerts retried by `gapbridge send-alerts`."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from typer.testing import CliRunner

from gapbridge.accounts.models import Role
from gapbridge.cli import app
from gapbridge.matches import alerts, engine
from gapbridge.matches.models import Notification, SavedSearch
from gapbridge.offers import services as offers
from gapbridge.offers.models import Offer
from tests import factories

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    engine.clear_cache()
    yield
    engine.clear_cache()


def _publish(sec: Any, org: Any, title: str, capture: Any) -> Offer:
    with capture(execute=True):
        offer = offers.create_offer(
            sec,
            org,
            title=title,
            description="Rural broadband, fibre backbone and community networks.",
            kind="equipment",
            focus_areas=["connectivity-infrastructure"],
        )
        offers.change_status(sec, offer.pk, "published", "ready")
    return offer


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends: nothing listens there


def _run(*args: str) -> str:
    result = runner.invoke(app, ["send-alerts", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_two_digest_runs_never_send_the_same_notification_twice(
    django_capture_on_commit_callbacks: Any,
) -> None:
    sec = factories.user("sec", Role.SECRETARIAT)
    org = factories.organization("Fibre Fund", "XM-FIBRE")
    reader = factories.user("reader")
    alerts.save_search(
        reader,
        name="Connectivity",
        focus_area="connectivity-infrastructure",
        threshold=0.2,
        frequency=SavedSearch.Frequency.DAILY,
    )
    first = [_publish(sec, org, f"Backbone offer {i}", django_capture_on_commit_callbacks) for i in (1, 2)]
    assert Notification.objects.filter(user=reader).count() == 2
    assert not mail.outbox, "daily searches wait for the digest"

    # day 1: one digest with both offers
    assert "1 notification(s) sent" in _run("--digest")
    assert len(mail.outbox) == 1
    day1 = mail.outbox[0].body
    assert all(o.title in day1 for o in first)
    # the same day again (a retried cron job): nothing new, nothing sent
    assert "0 notification(s) sent" in _run("--digest")
    assert len(mail.outbox) == 1

    # day 2: a new offer, and the first ones published again (closed and reopened): only the new one
    second = _publish(sec, org, "Satellite backhaul", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        offers.change_status(sec, first[0].pk, "closed", "pause")
        offers.change_status(sec, first[0].pk, "published", "again")
    assert "1 notification(s) sent" in _run("--digest")
    assert len(mail.outbox) == 2
    day2 = mail.outbox[1].body
    assert second.title in day2 and not any(o.title in day2 for o in first)
    assert "1 new item" in mail.outbox[1].subject
    assert Notification.objects.filter(user=reader).count() == 3
    assert not Notification.objects.filter(user=reader, emailed_at__isnull=True).exists()
    # the instant run does not touch digest notifications
    assert "0 notification(s) sent" in _run()
    assert len(mail.outbox) == 2


def test_a_failed_digest_is_sent_by_the_next_run_and_only_then(
    django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    sec = factories.user("sec", Role.SECRETARIAT)
    org = factories.organization("Fibre Fund", "XM-FIBRE")
    reader = factories.user("reader")
    alerts.save_search(
        reader, name="Any", focus_area="connectivity-infrastructure", frequency=SavedSearch.Frequency.DAILY
    )
    offer = _publish(sec, org, "Backbone offer", django_capture_on_commit_callbacks)

    # a real SMTP backend pointed at a port where nothing listens: the connection is refused
    test_backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 2
    assert alerts.send_digests() == 0
    assert Notification.objects.get(user=reader).emailed_at is None, "not claimed: it was not sent"
    settings.EMAIL_BACKEND = test_backend
    assert alerts.send_digests() == 1 and offer.title in mail.outbox[0].body
    assert alerts.send_digests() == 0 and len(mail.outbox) == 1
