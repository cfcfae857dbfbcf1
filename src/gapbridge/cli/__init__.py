"""Command-line entry point: `gapbridge`. Each command module registers itself on the shared app."""

from gapbridge.cli import (  # noqa: F401  (imported for their command registrations)
    analytics,
    events,
    iati,
    matching,
    opendata,
    platform,
    schedule,
)
from gapbridge.cli.app import app


def main() -> None:
    app()
