"""Legacy Office files (.doc, .wps, .xls, .et: OLE compound documents) → Document.

They are converted with LibreOffice headless to DOCX or XLSX and read by those readers; the
conversion is bounded in time and runs in a private profile so parallel conversions do not
collide. Without LibreOffice the file is refused with the reason and the package to install.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..document import Document
from ..errors import ParseError

CONVERT_SECONDS = 120

# directory entries of an OLE file are UTF-16 names: the main stream tells Word from Excel
_WORD_STREAMS = ("WordDocument".encode("utf-16-le"),)
_SHEET_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def legacy_kind(data: bytes) -> str:
    """"docx" for Word-like files (.doc, .wps), "xlsx" for spreadsheets (.xls, .et)."""
    if any(name in data for name in _SHEET_STREAMS) and not any(name in data for name in _WORD_STREAMS):
        return "xlsx"
    return "docx"


def read_legacy(data: bytes, name: str) -> Document:
    program = soffice()
    if program is None:
        raise ParseError(name, "legacy Office file (.doc/.wps/.xls/.et): reading it needs LibreOffice "
                               "(Debian: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)")
    target = legacy_kind(data)
    with tempfile.TemporaryDirectory(prefix="gongkai-legacy-") as work:
        folder = Path(work)
        source = folder / ("report.doc" if target == "docx" else "report.xls")
        source.write_bytes(data)
        command = [program, "--headless", "--norestore", "--nolockcheck",
                   f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                   "--convert-to", target, "--outdir", str(folder / "out"), str(source)]
        try:
            subprocess.run(command, capture_output=True, timeout=CONVERT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise ParseError(name, f"LibreOffice did not convert it within {CONVERT_SECONDS} s") from None
        converted = folder / "out" / f"report.{target}"
        if not converted.exists():
            raise ParseError(name, "LibreOffice could not convert this legacy Office file "
                                   "(damaged, encrypted, or not a document)")
        converted_bytes = converted.read_bytes()
    if target == "docx":
        from .docx import read_docx

        document = read_docx(converted_bytes, name)
    else:
        from .xlsx import read_xlsx

        document = read_xlsx(converted_bytes, name)
    document.warnings.append(f"converted from a legacy Office file to {target.upper()} with LibreOffice")
    return document
