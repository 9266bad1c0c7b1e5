"""Law commands: bad arguments get one clear error, never a traceback; undated laws are dated by their year."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

from sanctuary_atlas.law.designations import state_laws_for
from sanctuary_atlas.law.registry import registry


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sanctuary-atlas", *args], capture_output=True, text=True, timeout=180)


def test_bad_arguments_are_refused_cleanly(tmp_path: Path) -> None:
    cases = [
        (["designations", "--list", "NOPE"], "no such list"),
        (["jag", "--total", "-5"], "positive"),
        (
            [
                "exposure",
                "--jurisdiction",
                "17031",
                "--scenario",
                "declined-detainers",
                "--declined-csv",
                str(tmp_path / "missing.csv"),
            ],
            "no such file",
        ),
        (["exposure", "--jurisdiction", "48453", "--as-of", "June 2018"], "use YYYY-MM-DD"),
    ]
    for args, message in cases:
        done = _run(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
        # One line, as every other command's errors: not Typer's boxed usage message.
        assert done.stderr.strip().startswith("error:") and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_law_known_only_by_its_year_is_on_record_from_the_next_year() -> None:
    # S14, Nevada's Keep Nevada Working Act: year_enacted 2021, no signing or effective date in the table.
    law = registry().state_laws["S14"]
    assert law.signed is None and law.effective is None and law.year_enacted.startswith("2021")
    assert "S14" not in {x.law_id for x in state_laws_for(registry(), "NV", date(2010, 1, 1))}
    assert "S14" not in {x.law_id for x in state_laws_for(registry(), "NV", date(2021, 12, 31))}
    assert "S14" in {x.law_id for x in state_laws_for(registry(), "NV", date(2022, 6, 1))}
