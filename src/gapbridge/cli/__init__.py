"""Command-line entry point: `gapbridge`. Each command module registers itself on the shared app."""

from gapbridge.cli import platform, schedule  # noqa: F401  (imported for their command registrations)
from gapbridge.cli.app import app


def main() -> None:
    app()
