"""Bad inputs end in a clear error naming the file and the reason, within bounded memory and
CPU time, and a batch goes on past them.

Every bad file is parsed in a child process under resource limits (``RLIMIT_AS`` for memory,
``RLIMIT_CPU`` for time): a reader that inflated a bomb, recursed through deep markup or read a
huge file whole would die there (MemoryError or SIGXCPU) instead of printing its ParseError.
The files are made by real tools: Ghostscript encrypts, the project's DOCX renderer (python-docx)
writes the document that is turned into bombs, the real WPS PDFs are cut short.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import require_tool
from corpus import REAL, SEEDS
from gongkai import parse
from gongkai.errors import ParseError
from gongkai.render import render

MEMORY_LIMIT = 384 * 2**20  # address space of a child: Python with lxml and PDFium needs ~70 MiB
CPU_SECONDS = 30  # far more than any refusal takes; a runaway parse is killed by the kernel

_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
resource.setrlimit(resource.RLIMIT_CPU, ({cpu}, {cpu}))
import gongkai
for path in sys.argv[1:]:
    try:
        gongkai.parse(path)
        print("parsed", path)
    except gongkai.ParseError as error:
        print(error)
"""


def _limited(args: list[str], code: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -c code args`` under the memory and CPU limits."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    program = code or _CHILD.format(memory=MEMORY_LIMIT, cpu=CPU_SECONDS)
    return subprocess.run([sys.executable, "-c", program, *args], capture_output=True, text=True,
                          env=env, check=False)


def _refusal(path: Path) -> str:
    """The one line a limited child prints for ``path``: its ParseError."""
    done = _limited([str(path)])
    assert done.returncode == 0, f"child died (exit {done.returncode}): {done.stderr[-2000:]}"
    assert not done.stdout.startswith("parsed"), done.stdout
    return done.stdout.strip()


def _real_pdf() -> bytes:
    path = REAL / "hongze-2024.pdf"
    if not path.exists():
        pytest.skip(f"the real WPS PDFs are not under {REAL}")
    return path.read_bytes()


def _report_docx() -> bytes:
    pytest.importorskip("docx")
    return render(parse(next(SEEDS.glob("002_*.txt"))), "docx")


def _with_member(docx: bytes, member: str, data: bytes) -> bytes:
    """``docx`` with ``member`` replaced by ``data`` (maximum compression)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            target.writestr(info.filename, data if info.filename == member else source.read(info))
    return out.getvalue()


def _forge_size(archive: bytes, member: str, declared: int) -> bytes:
    """Make the local header and the central directory of ``member`` declare ``declared`` bytes."""
    data = bytearray(archive)
    name = member.encode()
    local = data.index(b"PK\x03\x04")
    while data[local + 30: local + 30 + len(name)] != name:
        local = data.index(b"PK\x03\x04", local + 4)
    struct.pack_into("<I", data, local + 22, declared)
    central = data.index(b"PK\x01\x02")
    while data[central + 46: central + 46 + len(name)] != name:
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


BOMB_BODY = b"<w:document>" + b" " * (300 * 2**20) + b"</w:document>"  # 300 MB, ~300 KB deflated


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    files: dict[str, Path] = {}

    def write(name: str, data: bytes) -> None:
        files[name] = folder / name
        files[name].write_bytes(data)

    real = _real_pdf()
    write("truncated.pdf", real[: len(real) // 2])
    write("garbage.pdf", bytes((i * 7919 + 13) % 256 for i in range(50_000)))
    write("nested-div.html", b"<html><body>" + b"<div>" * 100_000 + "正文".encode() + b"</div>" * 100_000
          + b"</body></html>")
    write("nested-table.html", b"<html><body>" + b"<table><tr><td>" * 100_000 + b"1" + b"</body></html>")
    docx = _report_docx()
    write("bomb.docx", _with_member(docx, "word/document.xml", BOMB_BODY))
    write("forged.docx", _forge_size(_with_member(docx, "word/document.xml", BOMB_BODY),
                                     "word/document.xml", 2048))
    huge = folder / "huge.pdf"  # 200 MB, sparse on disk: refused from its size, never read
    with huge.open("wb") as handle:
        handle.write(real[:1024])
        handle.truncate(200 * 10**6)
    files["huge.pdf"] = huge
    gs = shutil.which("gs")
    if gs:
        plain = folder / "plain.pdf"
        plain.write_bytes(real)
        subprocess.run([gs, "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", "-sOwnerPassword=owner",
                        "-sUserPassword=secret", "-dEncryptionR=3", "-dKeyLength=128",
                        f"-sOutputFile={folder / 'encrypted.pdf'}", str(plain)],
                       check=True, capture_output=True, timeout=120)
        files["encrypted.pdf"] = folder / "encrypted.pdf"
        plain.unlink()
    return files


@pytest.mark.parametrize(("name", "reason"), [
    ("truncated.pdf", "truncated PDF"),
    ("garbage.pdf", "binary data"),
    ("nested-div.html", "nested too deeply"),
    ("nested-table.html", "nested too deeply"),
    ("bomb.docx", "zip bomb: word/document.xml inflates"),
    ("forged.docx", "zip bomb: word/document.xml inflates beyond its declared size of 2048 bytes"),
    ("huge.pdf", "file too large: 190.7 MiB"),
    ("encrypted.pdf", "encrypted PDF: a password is needed"),
])
def test_a_bad_file_is_refused_with_its_name_and_reason_in_bounded_memory(
        bad_files: dict[str, Path], name: str, reason: str) -> None:
    if name not in bad_files:
        require_tool("gs")  # it makes the encrypted PDF
    message = _refusal(bad_files[name])
    assert message.startswith(f"{bad_files[name]}: ") and reason in message, message


def test_the_size_cap_is_configurable(bad_files: dict[str, Path], tmp_path: Path) -> None:
    small = tmp_path / "report.txt"
    small.write_bytes(next(SEEDS.glob("002_*.txt")).read_bytes())
    with pytest.raises(ParseError, match=r"file too large: .* \(limit 0.0 MiB"):
        parse(small, max_bytes=1000)
    env = {**os.environ, "GONGKAI_MAX_FILE_MB": "0.001"}
    done = subprocess.run([sys.executable, "-c", "import gongkai.readers as r; print(r.MAX_FILE_BYTES)"],
                          capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "1048"


def test_the_forged_bomb_would_exhaust_the_memory_limit_without_the_guard(bad_files: dict[str, Path]) -> None:
    """The limit is tight enough to matter: inflating the forged member the naive way (what
    ``ZipFile.read`` does) dies under it, so the refusal above proves the guard."""
    code = (f"import resource, sys, zipfile\n"
            f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))\n"
            "try:\n"
            "    zipfile.ZipFile(sys.argv[1]).read('word/document.xml')\n"
            "except MemoryError:\n"
            "    print('MemoryError')\n"
            "except zipfile.BadZipFile as error:\n"
            "    print('BadZipFile', error)\n")
    done = _limited([str(bad_files["forged.docx"])], code)
    assert done.stdout.strip() == "MemoryError"


def _a_zip_of_reports(folder: Path) -> Path:
    archive = folder / "reports.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for seed in sorted(SEEDS.glob("*.txt"))[:2]:
            out.write(seed, seed.name)
    return archive


def test_a_zip_of_reports_is_refused_with_the_hint_to_ingest(tmp_path: Path) -> None:
    archive = _a_zip_of_reports(tmp_path)
    with pytest.raises(ParseError) as raised:
        parse(archive)
    error = raised.value
    assert error.name == str(archive)
    first = sorted(SEEDS.glob("*.txt"))[0].name
    assert f"a zip archive of 2 file(s) ({first}, " in error.reason
    assert "use `gongkai ingest reports.zip`" in error.reason
    with pytest.raises(ParseError, match="gongkai ingest"):
        parse(archive.read_bytes(), name="upload.bin")  # by content, whatever its name


def test_a_batch_goes_on_past_every_bad_file(bad_files: dict[str, Path], tmp_path: Path) -> None:
    """``gongkai parse A B C -o DIR`` under the same limits: each bad file is named with its
    reason, every good one is written, and the exit code says some failed."""
    good = sorted(SEEDS.glob("*.txt"))[:2]
    bad = [bad_files[name] for name in sorted(bad_files)] + [_a_zip_of_reports(tmp_path)]
    out = tmp_path / "out"
    code = ("import resource, sys\n"
            f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))\n"
            f"resource.setrlimit(resource.RLIMIT_CPU, ({CPU_SECONDS * 3}, {CPU_SECONDS * 3}))\n"
            "sys.argv[0] = 'gongkai'\n"
            "from gongkai.cli import main\n"
            "main()\n")
    files = [str(bad[0]), str(good[0]), *map(str, bad[1:]), str(good[1])]
    done = _limited(["parse", *files, "-o", str(out)], code)
    assert done.returncode == 2, done.stderr[-3000:]  # some failed, none crashed
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    stderr = " ".join(done.stderr.split())  # rich may wrap long lines
    for path in bad:
        assert f"✗ {path}: " in stderr, (path, stderr[-3000:])
    for seed in good:
        report = json.loads((out / f"{seed.stem}.json").read_text("utf-8"))
        assert report["cells"]
