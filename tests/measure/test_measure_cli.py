"""The outcomes command over real HTTP-free subprocess calls: bad input and suppression both ways."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

from sanctuary_atlas.store import Store


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sanctuary-atlas", *args], capture_output=True, text=True, timeout=120)


def test_bad_arguments_each_get_one_clear_error(real_store: Store, tmp_path: Path) -> None:
    store = ["--store", str(real_store.root)]
    cases = [
        (["outcomes", "--group-by", "planet", *store], "unknown --group-by"),
        (["outcomes", "--min-cell", "1", *store], "at least 2"),
        (["outcomes", "--from", "2015-03-01", "--to", "2015-01-01", *store], "is before --from"),
        (["outcomes", "--from", "March 2015", *store], "is not a date"),
        (["outcomes", "--store", str(tmp_path / "empty")], "holds no releases"),
        (["outcomes", "--group-by", "county_fips", *store], "run `sanctuary-atlas build`"),
    ]
    for args, message in cases:
        done = _run(*args)
        assert done.returncode != 0, args
        assert message in done.stderr, (args, done.stderr)


def test_suppression_on_by_default_and_off_with_min_cell_zero(real_store: Store) -> None:
    store = ["--store", str(real_store.root)]
    period = ["--from", "2015-01-01", "--to", "2015-01-31", "--group-by", "facility"]
    shown = list(csv.DictReader(io.StringIO(_run("outcomes", *period, *store).stdout)))
    exact = json.loads(_run("outcomes", *period, *store, "--min-cell", "0", "--format", "json").stdout)["rows"]
    assert any(r["declined"] == "<5" for r in shown)
    hidden = ("<5", "suppressed", "withheld")
    for r in shown:
        for key in ("issued", "declined", "honored"):
            assert r[key] in hidden or not (0 < int(r[key]) < 5)
    assert any(0 < r["declined"] < 5 for r in exact)
    # Same rows, same order: a published count is the exact count, and "<5" is only ever said of a count under 5.
    exact_by_facility = {r["facility_name"]: r for r in exact}
    # Facilities with fewer than 5 detainers are not listed: one last row pools them, and says how many.
    *listed, pooled = shown
    small = [r for r in exact if r["issued"] < 5]
    assert pooled["facility_name"] == f"({len(small)} groups with fewer than 5 detainers each, pooled)"
    assert len(listed) + len(small) == len(exact)
    for r in [*listed, pooled]:
        true = exact_by_facility.get(r["facility_name"] or None) or {
            key: sum(s[key] for s in small) for key in ("issued", "declined", "honored", "unknown")
        }
        for key in ("issued", "declined", "honored", "unknown"):
            if r[key] == "<5":
                assert true[key] < 5
            elif r[key] not in ("suppressed", "withheld"):
                assert int(r[key]) == true[key]


def test_empty_period_is_a_valid_empty_table(real_store: Store) -> None:
    done = _run("outcomes", "--from", "1990-01-01", "--to", "1990-01-31", "--store", str(real_store.root))
    assert done.returncode == 0
    assert done.stdout.strip().startswith("facility_state,issued")


def test_each_table_says_how_its_suppression_was_checked(real_store: Store) -> None:
    store = ["--store", str(real_store.root), "--format", "json"]
    fy2015 = ["--from", "2014-10-01", "--to", "2015-09-30"]
    small = _run("outcomes", *fy2015, "--group-by", "state,month", *store)
    assert json.loads(small.stdout)["suppression_check"] == "exact"
    assert "too large" not in small.stderr
    # Facility x month over a year hides some 70,000 cells: beyond the exact check, and the output says so.
    large = _run("outcomes", *fy2015, "--group-by", "facility,month", *store)
    assert large.returncode == 0
    assert json.loads(large.stdout)["suppression_check"] == "interval narrowing only"
    assert "too large for the exact disclosure check" in large.stderr
    off = _run("outcomes", *fy2015, "--group-by", "state,month", *store, "--min-cell", "0")
    assert json.loads(off.stdout)["suppression_check"] == "none"
    # With k = 2, "<2" says 1 by itself: complements are all there is, and the table does not claim a check.
    two = _run("outcomes", *fy2015, "--group-by", "state,month", *store, "--min-cell", "2")
    assert json.loads(two.stdout)["suppression_check"] == "not needed"
