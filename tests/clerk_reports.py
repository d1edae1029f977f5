"""Reports for the clerk's and the supervisor's tests (issue 13): the bundled sample report under
another agency, year, publication date or signature — real text the whole pipeline parses."""

from __future__ import annotations

from pathlib import Path

from gongkai.cli import SAMPLE

SAMPLE_TEXT = next(SAMPLE.glob("*.txt")).read_text("utf-8")


def report_text(agency: str, year: int = 2023, *, published: str | None = None,
                signature: str | None = None) -> str:
    """The sample (which carries two T3-BALANCE errors and a C-BLANK warning) as ``agency``'s report
    on ``year``; ``published``: a 「发布日期：…」 line under the title; ``signature``: a signer and
    date after the last section."""
    text = SAMPLE_TEXT.replace("示例县示例镇人民政府", agency).replace("2023", str(year))
    if published:
        title, _, rest = text.partition("\n")
        text = f"{title}\n发布日期：{published}\n{rest}"
    if signature:
        text = text.rstrip("\n") + f"\n{agency}\n{signature}\n"
    return text


def write_reports(folder: Path, reports: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in reports.items():
        path = folder / name
        path.write_text(content, "utf-8")
        paths.append(path)
    return paths
