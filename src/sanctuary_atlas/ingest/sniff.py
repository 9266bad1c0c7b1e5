"""What kind of file this is, and whether it is safe to open.

Decided from the bytes, not the file name: a renamed PNG is not a CSV, and an encrypted workbook is an
OLE container, not a zip. Zip archives are checked for decompression bombs before any reader inflates them.
"""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path
from typing import Literal

import msoffcrypto

from sanctuary_atlas.ingest.errors import IngestError

FileKind = Literal["xlsx", "csv", "parquet"]

# Limits on what a workbook may inflate to. A real 1M-row, 65-column release inflates to a few GB of
# sheet XML at ratios near 10-20x; a bomb reaches hundreds or thousands to one.
MAX_UNCOMPRESSED_BYTES = 16 * 1024**3
MAX_RATIO = 200
RATIO_CHECK_FLOOR = 256 * 1024**2

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_PARQUET_MAGIC = b"PAR1"
_GZIP_MAGIC = b"\x1f\x8b"


def sniff(path: Path) -> FileKind:
    if not path.exists():
        raise IngestError(path, "file not found")
    if path.is_dir():
        raise IngestError(path, "is a directory; give the release files themselves")
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head:
        raise IngestError(path, "file is empty")
    if head.startswith(_ZIP_MAGIC):
        _check_workbook_zip(path)
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        raise IngestError(path, _ole_reason(path))
    if head.startswith(_PARQUET_MAGIC):
        return "parquet"
    text = head
    if head.startswith(_GZIP_MAGIC):
        try:
            with gzip.open(path, "rb") as gz:
                text = gz.read(4096)
        except (OSError, EOFError) as exc:
            raise IngestError(path, f"gzip file is corrupt: {exc}") from None
    if _looks_like_text(text):
        return "csv"
    raise IngestError(path, "not a CSV, xlsx or Parquet file (unrecognised binary content)")


def _looks_like_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sample's end is still text; otherwise older releases were
        # exported as Windows-1252, which decodes all but five byte values.
        if exc.start < len(sample) - 4:
            try:
                sample.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return b"," in sample or b"\t" in sample or b"|" in sample


def _ole_reason(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            encrypted = msoffcrypto.OfficeFile(fh).is_encrypted()
    except Exception:
        encrypted = False
    if encrypted:
        return "workbook is password-protected (encrypted); save an unprotected copy and ingest that"
    return "legacy .xls (OLE) workbook; save it as .xlsx or CSV first"


def _check_workbook_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except zipfile.BadZipFile as exc:
        raise IngestError(path, f"xlsx is truncated or corrupt: {exc}") from None
    if "xl/workbook.xml" not in names:
        raise IngestError(path, "zip archive is not an xlsx workbook (no xl/workbook.xml)")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise IngestError(
            path, f"workbook would inflate to {total:,} bytes (limit {MAX_UNCOMPRESSED_BYTES:,}); refusing"
        )
    for info in infos:
        if info.file_size >= RATIO_CHECK_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise IngestError(
                path,
                f"member {info.filename!r} inflates {ratio:,.0f}:1 to {info.file_size:,} bytes; "
                "refusing a likely decompression bomb",
            )
