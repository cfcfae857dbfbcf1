"""Shared fixtures: the test database gets the real bundled reference data once; each test rolls back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def _reference_dir() -> Path:
    # Read lazily, so unit tests that do not touch Django can run without its settings.
    from django.conf import settings

    return Path(settings.DATA_DIR) / "reference"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    from gapbridge.countries.loading import load_reference

    with django_db_blocker.unblock():
        load_reference(_reference_dir())


@pytest.fixture
def reference_dir() -> Path:
    return _reference_dir()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache (cached profiles, rate-limit and sign-in counters)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _english_by_default() -> None:
    """Each test starts in the default language (a test that switched language must not leak it)."""
    from django.utils import translation

    translation.activate("en")
