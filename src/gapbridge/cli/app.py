"""The Typer application behind the `gapbridge` command; command modules register on it."""

import typer

app = typer.Typer(
    name="gapbridge",
    help="GapBridge: country digital-divide profiles, IATI registry, matchmaking and coordination.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
