"""The store: Parquet datasets per release plus a DuckDB catalogue, published atomically.

Layout on disk::

    STORE/catalog.duckdb                 releases, sheets, quarantine reasons (the source of truth)
    STORE/releases/<release_id>/rows/part-*.parquet   every row read: loaded, or quarantined with a reason
    STORE/releases/<release_id>/duplicates.parquet
    STORE/.staging/                      work in progress; never read

A release directory counts only once the catalogue row that names it is committed. Publishing renames
staged directories into ``releases/`` and commits the catalogue rows in one transaction; a crash in
between leaves directories the catalogue does not name, which the next open removes. So an ingest that
fails or is killed leaves the store as it was.
"""

from __future__ import annotations

import fcntl
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb

# Bumped when the files under releases/ or builds/ change shape; a store of another format is refused
# with a clear message rather than read wrongly. 2: one rows/ dataset per release (quarantine flagged in it).
STORE_FORMAT = "2"

CATALOG_SCHEMA = """
CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS releases (
    release_id VARCHAR PRIMARY KEY,
    source_file VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL UNIQUE,
    size_bytes BIGINT NOT NULL,
    file_kind VARCHAR NOT NULL,
    encoding VARCHAR,
    layout VARCHAR NOT NULL,
    layout_variant VARCHAR NOT NULL,
    layout_version INTEGER NOT NULL,
    contract_version INTEGER NOT NULL,
    ingested_at TIMESTAMP NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    rows_duplicate_flagged BIGINT NOT NULL,
    rows_with_redaction BIGINT NOT NULL,
    rows_with_invalid_values BIGINT NOT NULL,
    prepare_date_min DATE,
    prepare_date_max DATE,
    extra_columns VARCHAR[] NOT NULL,
    CHECK (rows_read = rows_loaded + rows_quarantined)
);
CREATE TABLE IF NOT EXISTS sheets (
    release_id VARCHAR NOT NULL,
    sheet VARCHAR,
    sheet_index INTEGER NOT NULL,
    status VARCHAR NOT NULL,
    header_row INTEGER,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS quarantine_reasons (
    release_id VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    rows BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS builds (
    build_id VARCHAR PRIMARY KEY,
    built_at TIMESTAMP NOT NULL,
    release_ids VARCHAR[] NOT NULL,
    detainers BIGINT NOT NULL,
    facilities BIGINT NOT NULL,
    detainers_with_county BIGINT NOT NULL
);
"""


@dataclass
class StagedRelease:
    release_id: str
    directory: Path
    release_row: dict[str, Any]
    sheet_rows: list[dict[str, Any]]
    reason_rows: list[dict[str, Any]]


class StoreBusy(RuntimeError):
    """Another ingest or build holds the store."""


class StaleBuild(RuntimeError):
    """A command needs resolved facilities and the store's build is missing or older than its releases."""


class StoreFormatError(RuntimeError):
    """The store was written by a version whose file layout this one does not read."""


class Store:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @contextmanager
    def writer(self) -> Iterator[None]:
        """Hold the store's write lock for an ingest or build.

        One writer at a time: the clean-up of unpublished work at the start of an ingest would otherwise
        delete another running ingest's staging. Readers never take the lock; they see the last commit.
        The lock is refused at once rather than waited for, so two commands never silently queue.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreBusy(f"the store at {self.root} is busy: another ingest or build is running") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @property
    def catalog_path(self) -> Path:
        return self.root / "catalog.duckdb"

    @property
    def releases_dir(self) -> Path:
        return self.root / "releases"

    def exists(self) -> bool:
        return self.catalog_path.exists()

    def init(self) -> None:
        self.releases_dir.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(self.catalog_path)) as con:
            con.execute(CATALOG_SCHEMA)
            if not con.execute("SELECT value FROM store_meta WHERE key = 'format'").fetchall():
                # A catalogue that already lists releases but no format predates format 2.
                old = con.execute("SELECT count(*) FROM releases").fetchall()[0][0] > 0
                con.execute("INSERT INTO store_meta VALUES ('format', ?)", ["1" if old else STORE_FORMAT])
        self.check_format()

    def check_format(self, con: duckdb.DuckDBPyConnection | None = None) -> None:
        """Refuse a store of another format; ``con`` reuses a session that already has the catalogue open.

        Either way the catalogue database is named ``catalog`` (DuckDB names a file after its stem).
        """
        if con is None:
            with duckdb.connect(str(self.catalog_path), read_only=True) as own:
                return self.check_format(own)
        tables = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'catalog'"
        ).fetchall()
        rows = []
        if ("store_meta",) in tables:
            rows = con.execute("SELECT value FROM catalog.store_meta WHERE key = 'format'").fetchall()
        found = rows[0][0] if rows else "1"
        if found != STORE_FORMAT:
            raise StoreFormatError(
                f"the store at {self.root} was written in format {found} by an older version; this version "
                f"reads format {STORE_FORMAT}: ingest the release files again into a new store"
            )

    def staging_dir(self) -> Path:
        path = self.root / ".staging" / uuid.uuid4().hex
        path.mkdir(parents=True)
        return path

    def catalog(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        return _wait_for_catalog(lambda: duckdb.connect(str(self.catalog_path), read_only=read_only), self.root)

    def release_ids(self) -> list[str]:
        if not self.exists():
            return []
        with self.catalog(read_only=True) as con:
            return _release_ids(con)

    def release_for_sha(self, sha256: str) -> str | None:
        if not self.exists():
            return None
        with self.catalog(read_only=True) as con:
            rows = con.execute("SELECT release_id FROM releases WHERE source_sha256 = ?", [sha256]).fetchall()
        row = rows[0] if rows else None
        return row[0] if row else None

    def sweep(self) -> None:
        """Remove staging leftovers and release directories that no committed catalogue row names."""
        shutil.rmtree(self.root / ".staging", ignore_errors=True)
        if self.builds_dir.exists() and self.exists():
            with self.catalog(read_only=True) as con:
                builds = {r[0] for r in con.execute("SELECT build_id FROM builds").fetchall()}
            for child in self.builds_dir.iterdir():
                if child.name not in builds:
                    shutil.rmtree(child, ignore_errors=True)
        if not self.releases_dir.exists():
            return
        known = set(self.release_ids())
        for child in self.releases_dir.iterdir():
            if child.name not in known:
                shutil.rmtree(child, ignore_errors=True)

    def publish(self, staged: list[StagedRelease]) -> None:
        """Make every staged release visible at once, or none of them."""
        if not staged:
            return
        self.init()
        moved: list[Path] = []
        con = self.catalog()
        try:
            con.execute("BEGIN TRANSACTION")
            for release in staged:
                _insert(con, "releases", [release.release_row])
                _insert(con, "sheets", release.sheet_rows)
                _insert(con, "quarantine_reasons", release.reason_rows)
            for release in staged:
                target = self.releases_dir / release.release_id
                release.directory.rename(target)
                moved.append(target)
            con.execute("COMMIT")
        except BaseException:
            try:
                con.execute("ROLLBACK")
            finally:
                for path in moved:
                    shutil.rmtree(path, ignore_errors=True)
            raise
        finally:
            con.close()

    @property
    def builds_dir(self) -> Path:
        return self.root / "builds"

    def publish_build(self, staged: Path, row: dict[str, Any]) -> None:
        """Make a staged build current: rename it in, commit its catalogue row, then drop older builds."""
        self.init()
        self.builds_dir.mkdir(exist_ok=True)
        target = self.builds_dir / row["build_id"]
        con = self.catalog()
        try:
            con.execute("BEGIN TRANSACTION")
            _insert(con, "builds", [row])
            staged.rename(target)
            # The build before stays on disk: a report that started on it reads its files to the end.
            newest = con.execute("SELECT build_id FROM builds ORDER BY built_at DESC LIMIT 2").fetchall()
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            shutil.rmtree(target, ignore_errors=True)
            raise
        finally:
            con.close()
        keep = {r[0] for r in newest}
        for child in self.builds_dir.iterdir():
            if child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)

    def fresh_build(self, purpose: str) -> dict[str, Any]:
        """The current build, or StaleBuild saying whether it is missing or out of date."""
        build = self.current_build()
        if build is None or build["stale"]:
            why = "is missing" if build is None else "is out of date"
            raise StaleBuild(f"{purpose} needs the build, which {why}: run `sanctuary-atlas build`")
        return build

    def current_build(self) -> dict[str, Any] | None:
        if not self.exists():
            return None
        with self.catalog(read_only=True) as con:
            cur = con.execute("SELECT * FROM builds ORDER BY built_at DESC LIMIT 1")
            rows = cur.fetchall()
            row = rows[0] if rows else None
            if row is None:
                return None
            build = dict(zip([d[0] for d in cur.description], row, strict=True))
            # Read in the same session: each opening of the catalogue costs a report about 30 ms.
            releases = _release_ids(con)
        if not (self.builds_dir / build["build_id"]).exists():
            return None
        build["stale"] = sorted(build["release_ids"]) != releases
        return build

    def connect(self, build_id: str | None = None) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB session with the catalogue attached and the store's views defined.

        ``detainers_resolved`` and ``facilities_resolved`` read the newest build, or ``build_id`` (a caller
        that checked a build's freshness reads that build even if another is published meanwhile).

        Views: ``releases``, ``sheets``, ``quarantine_reasons`` (the catalogue), ``detainers`` (every loaded
        row of every release, with ``duplicate_of_sheet``/``duplicate_of_row`` and ``is_duplicate``), and
        ``quarantine`` (every quarantined row with its reason). Person-level rows: never publish them.
        """
        if not self.exists():
            raise FileNotFoundError(f"no store at {self.root} (run `sanctuary-atlas ingest` first)")
        con = duckdb.connect()
        attach = f"ATTACH {_lit(str(self.catalog_path))} AS catalog (READ_ONLY)"
        _wait_for_catalog(lambda: con.execute(attach), self.root)
        try:
            self.check_format(con)
        except StoreFormatError:
            con.close()
            raise
        for table in ("releases", "sheets", "quarantine_reasons"):
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM catalog.{table}")
        ids = [r[0] for r in con.execute("SELECT release_id FROM releases ORDER BY release_id").fetchall()]
        row_parts = [str(self.releases_dir / i / "rows" / "*.parquet") for i in ids]
        dup_parts = [str(self.releases_dir / i / "duplicates.parquet") for i in ids]
        if ids:
            con.execute(
                f"""CREATE VIEW detainers AS
                SELECT d.* EXCLUDE (quarantine_reason, quarantine_detail), x.duplicate_of_sheet,
                       x.duplicate_of_row, x.duplicate_of_row IS NOT NULL AS is_duplicate
                FROM read_parquet({_list(row_parts)}, union_by_name = true) d
                LEFT JOIN read_parquet({_list(dup_parts)}) x
                  ON d.release_id = x.release_id AND d.source_sheet_index = x.source_sheet_index
                 AND d.source_row = x.source_row
                WHERE d.quarantine_reason IS NULL"""
            )
            con.execute(
                f"""CREATE VIEW quarantine AS SELECT * FROM read_parquet({_list(row_parts)}, union_by_name = true)
                WHERE quarantine_reason IS NOT NULL"""
            )
        else:
            con.execute("CREATE VIEW detainers AS SELECT NULL AS release_id WHERE FALSE")
            con.execute("CREATE VIEW quarantine AS SELECT NULL AS release_id, NULL AS quarantine_reason WHERE FALSE")
        if build_id is None:
            rows = con.execute("SELECT build_id FROM catalog.builds ORDER BY built_at DESC LIMIT 1").fetchall()
            build_id = rows[0][0] if rows else None
        if build_id is not None and (self.builds_dir / build_id).exists():
            # Whether the build is current is for callers to ask (``current_build()["stale"]``).
            base = self.builds_dir / build_id
            for name in ("detainers_resolved", "facilities_resolved"):
                path = _lit(str(base / f"{name}.parquet"))
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({path})")
        return con


T = TypeVar("T")

# How long a command waits for another process's hold on the catalogue file (DuckDB allows one process to
# write it, or any number to read it, at a time; every hold is a single short transaction or query session).
CATALOG_WAIT_SECONDS = 15.0


def _release_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT release_id FROM releases ORDER BY release_id").fetchall()]


def _wait_for_catalog(open_it: Callable[[], T], root: Path) -> T:
    deadline = time.monotonic() + CATALOG_WAIT_SECONDS
    while True:
        try:
            return open_it()
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() > deadline:
                raise StoreBusy(f"the store at {root} is busy: another command holds its catalogue") from None
            time.sleep(0.05)


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_path(path: Path | str) -> str:
    """A file path as a SQL string literal (quotes doubled, so any directory name is safe)."""
    return _lit(str(path))


def _list(values: list[str]) -> str:
    return "[" + ", ".join(_lit(v) for v in values) + "]"


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        con.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(row.values()))
