"""``gongkai synth``: write a synthetic evaluation corpus (see :mod:`gongkai.synth.corpus`).

Registered in :mod:`gongkai.cli` with ``app.command("synth")(synth)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["synth"]


def synth(
    out: Annotated[Path, typer.Option("-o", "--out", help="folder to write; one sub-folder per format")],
    n: Annotated[int, typer.Option("--n", min=1, help="number of reports")] = 20,
    formats: Annotated[str, typer.Option(
        "--formats", help="comma-separated: text,html,docx,pdf,scan, or all")] = "text,html,docx,pdf",
    seed: Annotated[int, typer.Option("--seed", help="same seed, same reports")] = 0,
    scan_variants: Annotated[str, typer.Option(
        "--scan-variants", help="scans: comma-separated variants (100dpi,150dpi,200dpi,300dpi,jpeg,skew3,"
                                "photo,seal,faint,split,landscape) taken in turn, or all")] = "all",
    lang: Annotated[str, typer.Option("--lang", envvar="GONGKAI_LANG", help="language of messages: zh or en")]
    = "zh",
) -> None:
    """Write N random reports with their truth, each format in OUT/<format>/ (score one with
    `gongkai eval OUT/<format>`)."""
    from .corpus import CorpusError, make_corpus

    try:
        written = make_corpus(n, formats, out, seed, scan_variants=scan_variants)
    except (ValueError, CorpusError) as error:
        typer.echo(f"✗ {error}", err=True)
        raise typer.Exit(2) from None
    from ..messages import say

    for fmt, paths in written.items():
        typer.echo(say("synth.written", lang, count=len(paths), format=fmt, folder=out / fmt), err=True)
