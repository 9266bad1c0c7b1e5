"""Human output of the money commands: ``funding`` says when nothing is on record; ``exposure-national``
prints a table, never Python dicts; ``--json`` stays the library's JSON."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sanctuary_atlas.cli import app


def _invoke(tmp_path: Path, *args: str):
    return CliRunner().invoke(app, [*args, "--store", str(tmp_path / "store")])


def test_funding_says_so_when_nothing_is_on_record(tmp_path: Path) -> None:
    # Autauga County, AL: a valid county FIPS with no cited and no imported amount.
    done = _invoke(tmp_path, "funding", "--jurisdiction", "01001")
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    assert "01001" in lines[0] and "Autauga County" in lines[0], lines
    assert "no allocation or cited amount on record" in lines[0], lines
    assert done.stderr == ""
    # --json is unchanged: an empty list.
    done = _invoke(tmp_path, "funding", "--jurisdiction", "01001", "--json")
    assert done.exit_code == 0 and json.loads(done.stdout) == [], done.stdout


def test_funding_lists_what_is_on_record(tmp_path: Path) -> None:
    done = _invoke(tmp_path, "funding", "--jurisdiction", "17031:chicago")
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines and all(line.startswith("17031:chicago") for line in lines), done.stdout
    assert "no allocation" not in done.stdout


def test_funding_with_a_malformed_fips_is_one_error(tmp_path: Path) -> None:
    for bad in ("1x", "99999"):
        done = _invoke(tmp_path, "funding", "--jurisdiction", bad)
        assert done.exit_code == 2, (bad, done.stdout)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:") and bad in lines[0], done.stderr
        assert done.stdout == ""


def test_exposure_national_prints_a_table_not_python_dicts(tmp_path: Path) -> None:
    args = ("exposure-national", "--scenario", "any-doj-dhs-list", "--as-of", "2020-08-01")
    as_json = _invoke(tmp_path, *args, "--json")
    assert as_json.exit_code == 0, as_json.stderr
    totals = json.loads(as_json.stdout)["totals"]
    assert totals["direct"]["by_status"] and totals["direct"]["by_circuit"]  # something to show

    done = _invoke(tmp_path, *args)
    assert done.exit_code == 0, done.stderr
    text = done.stdout
    assert "{" not in text and "}" not in text, text  # no dict repr, not even an empty one
    assert f"direct: known ${totals['direct']['known_usd']:,}" in text, text
    assert "pass through: known $" in text, text
    lines = text.splitlines()
    # Each status and each circuit is on a line of its own, with its dollars.
    for status, usd in totals["direct"]["by_status"].items():
        assert any(status in line and f"${usd:,}" in line for line in lines), (status, text)
    for circuit, usd in totals["direct"]["by_circuit"].items():
        assert any(f" {circuit}" in line and "Cir." in line and f"${usd:,}" in line for line in lines), (circuit, text)
