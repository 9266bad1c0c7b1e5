"""The ``sanctuary-atlas`` command: a thin Typer shell over the library.

Each stage owns its commands in ``<stage>/commands.py`` and adds them through ``register``; this file
only assembles the app, so the stages stay independent of each other.
"""

from __future__ import annotations

import typer

from sanctuary_atlas.cli_common import fail
from sanctuary_atlas.ingest import commands as ingest_commands
from sanctuary_atlas.ingest import generate_commands
from sanctuary_atlas.law import commands as law_commands
from sanctuary_atlas.measure import commands as measure_commands
from sanctuary_atlas.publish import commands as publish_commands
from sanctuary_atlas.resolve import commands as resolve_commands
from sanctuary_atlas.store import StaleBuild, StoreBusy, StoreFormatError

app = typer.Typer(
    name="sanctuary-atlas",
    help="ICE detainer outcomes with denominators, joined to policy, 287(g), designations, grants and law.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for stage in (
    ingest_commands,
    generate_commands,
    resolve_commands,
    measure_commands,
    publish_commands,
    law_commands,
):
    stage.register(app)


def main() -> None:
    try:
        app()
    except (StaleBuild, StoreBusy, StoreFormatError) as exc:
        raise SystemExit(fail(str(exc)).exit_code) from None
