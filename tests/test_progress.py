"""Progress that moves (issue 13, must-have 2): ``ingest`` advances as each file's parse finishes,
on every engine as far as it reports (local workers per document, dask per chunk, Ray per block),
not once per written batch; ``parse -o``, ``check`` and ``export`` per file; rate and time left;
plain lines on a stream that is no terminal when asked (``--progress``), nothing otherwise.
No wall-clock assertions: only counts and order."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest

from clerk_reports import report_text, write_reports
from gongkai.cli import app
from gongkai.progress import Progress, duration, mode

pytest.importorskip("sqlalchemy")

from typer.testing import CliRunner

from gongkai.store import open_store
from gongkai.store.ingest import parse_work

N = 7
# an export counts reports (份报告), the others files
LINE = re.compile(r"^(入库|检查|解析|导出|ingest|check|parse|export) (\d+)/(\d+) "
                  r"(个文件|files|份报告|reports)", re.M)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("progress")
    write_reports(folder, {f"r{i}.txt": report_text("淮安市洪泽区人民政府", 2015 + i) for i in range(N)})
    (folder / "empty.txt").write_bytes(b"")  # a failure counts as a file done too
    return folder


def _counts(output: str, label: str) -> list[int]:
    return [int(m.group(2)) for m in LINE.finditer(output) if m.group(1) == label]


def _ingest_events(folder: Path, db: Path, **options: Any) -> list[tuple[int, int]]:
    events: list[tuple[int, int]] = []
    with open_store(db) as store:
        result = store.ingest([folder], on_progress=lambda done, total: events.append((done, total)),
                              **options)
    assert result.parsed == N and result.failed == 1
    return events


@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "two-worker-processes"])
def test_ingest_progress_moves_per_file_within_one_batch(folder: Path, tmp_path: Path, workers: int) -> None:
    # one batch of 1,000 holds every file: before, the progress jumped from 0 to the end at once
    events = _ingest_events(folder, tmp_path / "g.db", workers=workers, batch_size=1000)
    assert events[0] == (0, N + 1)
    assert [done for done, _ in events] == list(range(N + 2))  # every file, in order, none skipped
    events = []
    with open_store(tmp_path / "g.db") as store:  # all stored already: done as soon as prepared
        store.ingest([folder], workers=workers, on_progress=lambda d, t: events.append((d, t)))
    assert events[-1] == (N + 1, N + 1)


def test_a_parser_that_does_not_report_moves_per_batch(folder: Path, tmp_path: Path) -> None:
    class Silent:  # the Parser protocol without watch(): progress per gathered batch
        def submit(self, work: Any) -> Any:
            return work

        def gather(self, work: Any, handle: Any) -> Any:
            return parse_work(handle, False)

        def close(self) -> None:
            pass

    events: list[tuple[int, int]] = []
    with open_store(tmp_path / "s.db") as store:
        from gongkai import report as report_module
        from gongkai.store.ingest import ingest

        ingest(store.engine, [folder], path_ids=store._path_ids, begin=store._begin, batch_size=3,
               version=report_module.PARSER_VERSION, parser=Silent(),
               on_progress=lambda d, t: events.append((d, t)))
    done = [d for d, _ in events]
    assert done == sorted(done) and done[-1] == N + 1 and len(done) >= 3


def test_dask_reports_per_chunk(folder: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster):
        events = _ingest_events(folder, tmp_path / "d.db", workers=2, batch_size=1000, engine="dask")
    done = [d for d, _ in events]
    # one batch, four chunks: the count moves before the whole batch is back
    assert done == sorted(done) and done[-1] == N + 1
    assert any(0 < d < N for d in done), done


def test_ray_reports_per_block(folder: Path, tmp_path: Path) -> None:
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        events = _ingest_events(folder, tmp_path / "r.db", workers=2, batch_size=1000, engine="ray")
    finally:
        ray.shutdown()
    done = [d for d, _ in events]
    assert done == sorted(done) and done[-1] == N + 1
    assert any(0 < d < N for d in done), done


@pytest.mark.parametrize(("lang", "label", "summary"),
                         [("zh", "入库", "个文件，用时"), ("en", "ingest", "files in")])
def test_ingest_command_prints_a_line_per_file_with_rate_and_eta(folder: Path, tmp_path: Path, lang: str,
                                                                  label: str, summary: str) -> None:
    result = CliRunner().invoke(app, ["ingest", str(folder), "--db", str(tmp_path / "c.db"), "-j", "2",
                                      "--progress", "--lang", lang])
    assert result.exit_code == 0, result.output
    assert _counts(result.output, label) == list(range(1, N + 2))
    last_but_one = [line for line in result.output.splitlines() if LINE.match(line)][-2]
    assert ("个/秒" in last_but_one and "剩余约" in last_but_one) if lang == "zh" else (
        "/s" in last_but_one and "left" in last_but_one)
    assert summary in result.output


def test_no_progress_in_a_pipe_unless_asked(folder: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", str(folder), "--db", str(tmp_path / "q.db")])
    assert result.exit_code == 0 and not LINE.search(result.output)
    result = CliRunner().invoke(app, ["ingest", str(folder), "--db", str(tmp_path / "e.db")],
                                env={"GONGKAI_PROGRESS": "1"})
    assert _counts(result.output, "入库") == list(range(1, N + 2))
    result = CliRunner().invoke(app, ["ingest", str(folder), "--db", str(tmp_path / "n.db"),
                                      "--no-progress"], env={"GONGKAI_PROGRESS": "1"})
    assert not LINE.search(result.output)


def test_check_progress_per_file_then_the_summary(folder: Path) -> None:
    files = sorted(map(str, folder.glob("r*.txt")))
    result = CliRunner().invoke(app, ["check", *files, "--progress", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    assert _counts(result.output, "检查") == list(range(1, N + 1))
    # the line of a file comes after what the check found in it; the summary closes the batch
    assert result.output.index("检查 1/") > result.output.index("r0.txt")
    assert result.output.rstrip().splitlines()[-2].startswith(f"共 {N} 份报告")
    english = CliRunner().invoke(app, ["check", *files, "--progress", "--lang", "en", "--fail-on", "never"])
    assert _counts(english.output, "check") == list(range(1, N + 1))
    assert f"{N} reports (0 files unreadable)" in english.output


def test_parse_to_a_folder_shows_progress_per_file(folder: Path, tmp_path: Path) -> None:
    files = sorted(map(str, folder.glob("*.txt")))
    result = CliRunner().invoke(app, ["parse", *files, "-o", str(tmp_path / "json"), "--progress"])
    assert result.exit_code == 2  # the empty file
    assert _counts(result.output, "解析") == list(range(1, N + 2))
    assert len(list((tmp_path / "json").glob("*.json"))) == N
    plain = CliRunner().invoke(app, ["parse", files[1], "--progress"])  # JSON on stdout: no lines
    assert not LINE.search(plain.output)


def test_export_official_and_workbook_progress_per_report(folder: Path, tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    db = tmp_path / "x.db"
    with open_store(db) as store:
        store.ingest([folder], workers=1)
    result = CliRunner().invoke(app, ["export", "--form", "official", "-o", str(tmp_path / "off"), "--db",
                                      str(db), "--progress"])
    assert result.exit_code == 0, result.output
    assert _counts(result.output, "导出") == list(range(1, N + 1))
    result = CliRunner().invoke(app, ["export", "--form", "workbook", "-o", str(tmp_path / "w.xlsx"),
                                      "--db", str(db), "--progress", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert _counts(result.output, "export")[-1] == N


@pytest.mark.parametrize("form", ["long", "wide"])
def test_export_long_and_wide_progress_as_reports_are_read(folder: Path, tmp_path: Path, form: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from gongkai.store import export as exporting

    db = tmp_path / "x.db"
    with open_store(db) as store:
        store.ingest([folder], workers=1)
    monkeypatch.setattr(exporting, "PART_ROWS", 150)  # less than a report's 200 cells: parts within reports
    target = tmp_path / f"{form}.csv"
    result = CliRunner().invoke(app, ["export", "--form", form, "-o", str(target), "--db", str(db),
                                      "--progress"])
    assert result.exit_code == 0, result.output
    counts = _counts(result.output, "导出")
    assert counts[-1] == N and len(counts) > 2 and counts == sorted(counts)  # it moved, and only forward
    assert target.exists()
    with open_store(db) as store:  # the same rows as an export read at once
        assert len(exporting.cells_long(store.engine)) == len(
            exporting.cells_long(store.engine, on_report=lambda done, total: None))


def test_plain_lines_thin_out_for_long_runs() -> None:
    stream = io.StringIO()
    with Progress(1000, "ingest", show="lines", stream=stream) as bar:
        for _ in range(1000):
            bar.advance()
    counts = _counts(stream.getvalue(), "ingest")
    # the first file (it has started), then every whole per cent, the last file included
    assert counts == [1, *range(10, 1001, 10)]
    assert len(bar.lines) == 101


def test_progress_may_be_told_from_threads_and_never_runs_back() -> None:
    import threading

    stream = io.StringIO()
    bar = Progress(400, "ingest", show="lines", stream=stream)
    threads = [threading.Thread(target=lambda: [bar.advance() for _ in range(100)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert bar.done == 400
    counts = _counts(stream.getvalue(), "ingest")
    assert counts == sorted(counts) and counts[-1] == 400


def test_mode_and_duration() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert mode(None, stream=io.StringIO()) == "off"
    assert mode(True, stream=io.StringIO()) == "lines"
    assert mode(None, stream=Terminal()) == "bar"
    assert mode(False, stream=Terminal()) == "off"
    assert (duration(7), duration(725), duration(3723)) == ("0:07", "12:05", "1:02:03")
