"""What an ingest reads: files under folders, members of zip archives, each with its bytes or the
reason they are not read.

Folders are walked recursively in name order (hidden files skipped); a zip archive that is not
itself a document (DOCX/XLSX are zips too) is opened and its members are the items instead, each
guarded against zip bombs by its declared size and compression ratio before a byte is inflated.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..readers import MAX_FILE_BYTES

# Zip-bomb guards: refuse a member by its declared size and compression ratio before reading it,
# and never read more than the declared size (a lying header cannot inflate past it).
MAX_ZIP_RATIO = 100
ZIP_RATIO_FREE_BYTES = 1024 * 1024  # small members may compress as well as they like
MAX_ZIP_TOTAL = 4 * 1024**3  # declared bytes expanded from one archive

@dataclass(slots=True)
class Item:
    """One thing to ingest: a file, or a member of a zip file (``member`` set)."""

    path: str  # shown and stored: the file path, or "archive.zip!/member"
    file: Path
    member: str | None = None
    size: int = 0
    refused: str | None = None  # why it is not read at all (zip bomb, too big, unreadable)


def _is_archive(path: Path) -> bool:
    """A zip that is not itself a document (DOCX/XLSX are zips too)."""
    try:
        with path.open("rb") as handle:
            if handle.read(4) != b"PK\x03\x04":
                return False
        names = zipfile.ZipFile(path).namelist()
    except (OSError, zipfile.BadZipFile):
        return False
    return not any(n.startswith(("word/", "xl/")) for n in names)


def _zip_items(path: Path) -> Iterator[Item]:
    total = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            shown = f"{path}!/{info.filename}"
            total += info.file_size
            refused = None
            if info.file_size > MAX_FILE_BYTES:
                refused = f"zip member declares {info.file_size} bytes (limit {MAX_FILE_BYTES})"
            elif (info.file_size > ZIP_RATIO_FREE_BYTES
                  and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1)):
                refused = (f"zip member compression ratio {info.file_size // max(info.compress_size, 1)}:1 "
                           f"exceeds {MAX_ZIP_RATIO}:1 (zip bomb?)")
            elif total > MAX_ZIP_TOTAL:
                refused = f"archive expands to more than {MAX_ZIP_TOTAL} bytes (zip bomb?)"
            yield Item(shown, path, info.filename, info.file_size, refused)


def walk(paths: Iterable[str | Path | Item]) -> Iterator[Item]:
    """Every file under the paths (folders recursively, in name order; hidden files skipped);
    zip archives are opened and their members yielded instead. An :class:`Item` is yielded as it
    is (a collected file under its URL: ``gongkai.collect``)."""
    for root in paths:
        if isinstance(root, Item):
            yield root
            continue
        root = Path(root)
        files = (sorted(p for p in root.rglob("*") if p.is_file()
                        and not any(part.startswith(".") for part in p.relative_to(root).parts))
                 if root.is_dir() else [root])
        for file in files:
            if not file.exists():
                yield Item(str(file), file, refused="no such file")
            elif _is_archive(file):
                try:
                    yield from _zip_items(file)
                except (OSError, zipfile.BadZipFile, RuntimeError) as error:  # encrypted, damaged
                    yield Item(str(file), file, refused=f"unreadable zip archive: {error}")
            else:
                size = file.stat().st_size
                yield Item(str(file), file, size=size,
                           refused=f"file of {size} bytes exceeds {MAX_FILE_BYTES}"
                           if size > MAX_FILE_BYTES else None)


def load(item: Item) -> tuple[bytes | None, str | None]:
    """The bytes of an item, or the reason they could not be read."""
    if item.refused:
        return None, item.refused
    try:
        if item.member is None:
            return item.file.read_bytes(), None
        with zipfile.ZipFile(item.file) as archive, archive.open(item.member) as handle:
            data = handle.read(item.size + 1)
        if len(data) > item.size:
            return None, "zip member larger than its declared size (zip bomb?)"
        return data, None
    except (OSError, zipfile.BadZipFile, RuntimeError, EOFError) as error:
        return None, f"unreadable: {error}"


def refused_key(item: Item, reason: str) -> str:
    """Documents are keyed by the sha256 of their bytes; one whose bytes were never read is keyed
    by its path and declared size instead, so its failure is recorded once, not once per run."""
    return hashlib.sha256(f"unread\0{item.path}\0{item.size}\0{reason}".encode()).hexdigest()

