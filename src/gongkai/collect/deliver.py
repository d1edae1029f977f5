"""Hand collected documents to the store: the same ingest, the same idempotency (sha256).

Each document is written to a scratch file and ingested as an :class:`gongkai.store.ingest.Item`
named by its URL (a zip's members as ``URL!/member``), so the report's ``source`` and the
``sources`` row are the URL. After a batch is stored, the collected documents are marked, their
reports take the publication date the page states, and our copy of bytes the store now keeps
(``blobs``) is dropped. A kill between the two leaves the batch pending: the next run ingests it
again, and the store skips what it already has.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from ..store import Store
from ..store.ingest import Item, walk
from .state import State


@dataclass
class DeliverResult:
    documents: int = 0  # collected documents handed over
    parsed: int = 0
    failed: int = 0
    skipped: int = 0  # already in the store (same bytes)
    failures: list[tuple[str, str]] = field(default_factory=list)


def items_for(url: str, file: Path) -> list[Item]:
    """The store's items for a collected file: itself, or each member of a zip archive."""
    items = []
    prefix = str(file)
    for item in walk([file]):
        path = url + item.path[len(prefix):] if item.path.startswith(prefix) else url
        items.append(Item(path, item.file, item.member, item.size, item.refused))
    return items


def deliver(store: Store, state: State, *, workers: int = 1, batch_size: int = 200) -> DeliverResult:
    """Ingest every collected document not yet handed over."""
    result = DeliverResult()
    while True:
        documents = state.to_ingest(batch_size)
        if not documents:
            return result
        with tempfile.TemporaryDirectory(prefix="gongkai-collect-") as scratch:
            items: list[Item] = []
            for doc_id, url, _sha, data, _type in documents:
                file = Path(scratch) / f"{doc_id}"
                file.write_bytes(data)
                items += items_for(url, file)
            # Store.ingest hands its paths to walk(), which takes Items as they are (its hint says paths only)
            ingested = store.ingest(cast("list[str | Path]", items), workers=workers, progress=False)
        state.ingested([doc_id for doc_id, *_ in documents])
        result.documents += len(documents)
        result.parsed += ingested.parsed + ingested.reparsed
        result.failed += ingested.failed
        result.skipped += ingested.skipped + ingested.duplicates
        result.failures += ingested.failures
