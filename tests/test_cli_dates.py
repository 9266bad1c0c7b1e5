"""Every date option takes ISO ``YYYY-MM-DD`` only: not ``20150201``, not ISO week dates, not other shapes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from sanctuary_atlas.cli import app
from sanctuary_atlas.cli_common import parse_iso_date

# Shapes ``date.fromisoformat`` (Python 3.11) accepts, or near misses, that a date option must refuse.
NOT_DATES = ["20150201", "2015-W05-1", "2015W051", "2015-032", "2015-2-1", "2015-02-30", " 2015-02-01", "Feb 1"]


def _one_error_line(stderr: str, option: str, value: str) -> None:
    lines = stderr.strip().splitlines()
    assert lines == [f"error: {option} {value!r} is not a date (use YYYY-MM-DD)"], stderr


def test_the_shared_parser_takes_only_ten_character_iso_dates() -> None:
    assert parse_iso_date("2015-02-01", "--from") == date(2015, 2, 1)
    assert parse_iso_date("2016-02-29", "--to") == date(2016, 2, 29)
    for value in NOT_DATES:
        with pytest.raises(typer.Exit) as raised:
            parse_iso_date(value, "--from")
        assert raised.value.exit_code == 2, value


@pytest.mark.parametrize("value", ["20150201", "2015-W05-1"])
def test_every_date_option_refuses_compact_and_week_dates(tmp_path: Path, value: str) -> None:
    store = ["--store", str(tmp_path / "store")]
    out = str(tmp_path / "ddor.json")
    cases = [
        (["outcomes", "--from", value, *store], "--from"),
        (["outcomes", "--from", "2015-02-01", "--to", value, *store], "--to"),
        (["ddor", "--from", value, "--to", "2015-02-07", "--out", out, *store], "--from"),
        (["ddor", "--from", "2015-02-01", "--to", value, "--out", out, *store], "--to"),
        (["exposure", "--jurisdiction", "48453", "--as-of", value, *store], "--as-of"),
        (["exposure-national", "--as-of", value, *store], "--as-of"),
        (["jurisdiction-profile", "--jurisdiction", "48453", "--as-of", value, *store], "--as-of"),
    ]
    runner = CliRunner()
    for args, option in cases:
        done = runner.invoke(app, args)
        assert done.exit_code == 2, (args, done.stdout, done.stderr)
        _one_error_line(done.stderr, option, value)
        assert done.stdout == "", (args, done.stdout)
    assert not Path(out).exists()


def test_an_iso_date_is_still_taken(tmp_path: Path) -> None:
    store = ["--store", str(tmp_path / "store")]
    runner = CliRunner()
    done = runner.invoke(app, ["exposure", "--jurisdiction", "48453", "--as-of", "2018-06-01", "--json", *store])
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["as_of"] == "2018-06-01"
    # Past the dates, the command goes on to the store (empty here): the dates were accepted.
    done = runner.invoke(app, ["outcomes", "--from", "2015-02-01", "--to", "2015-02-07", *store])
    assert done.exit_code == 2 and "holds no releases" in done.stderr, done.stderr
