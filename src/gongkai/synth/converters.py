"""The converter zoo: the real tools that turn a published report (DOCX, PDF, HTML) into text.

Reports reach users and crawlers through whatever tool was at hand: ``pdftotext``, a Python PDF
library, LibreOffice's text export, pandoc, markitdown, a browser's dump, BeautifulSoup's
``get_text`` with or without a separator. Each :class:`Converter` here runs one such tool the way
its users call it (the default options, unless the option is the point: ``pdftotext -layout``)
and returns the text it prints, so the extractor is measured on what the world really makes
rather than on text styles we imagined (``bench/converters.py``, ``tests/test_converters.py``).

>>> from gongkai.synth.converters import CONVERTERS, available
>>> text = CONVERTERS["pdftotext-layout"].convert(Path("r0001.pdf"))
>>> [c.name for c in available("html")]

A converter whose tool is not installed is *unavailable* (:meth:`Converter.missing` says what
to install); the tools come with ``pip install 'gongkai[zoo]'`` and, from Debian, poppler-utils,
LibreOffice, pandoc, w3m and lynx.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..errors import GongkaiError

__all__ = ["CONVERTERS", "KINDS", "Converter", "ConverterError", "available", "convert_many", "html_source",
           "kind_of", "parse_text", "select"]

Kind = Literal["pdf", "docx", "html"]
KINDS: tuple[Kind, ...] = ("pdf", "docx", "html")
TIMEOUT = 120  # seconds for one external tool on one report (a 2-page PDF takes well under one)
SOFFICE_BATCH = 40  # files per soffice call: its start-up (2-3 s) is paid once per batch


class ConverterError(GongkaiError, RuntimeError):
    """A converter's tool failed on a file (the message names the tool and the file)."""


@dataclass(frozen=True, slots=True)
class Converter:
    """One tool, run one way. ``requires`` names Python modules or, as ``bin:NAME``, programs
    on PATH; ``keeps_order`` says the tool writes the table cells in reading order (row by row,
    label before values), as opposed to drawing order or one column at a time; ``glues_cells``
    says it writes a row's cells with nothing between them (``0000000``), so that a run of digits
    may split several ways. What either loses cannot always be recovered from the text alone."""

    name: str
    kind: Kind
    run: Callable[[Path], str]
    requires: tuple[str, ...]
    install: str  # what to install when it is missing
    keeps_order: bool = True
    glues_cells: bool = False
    run_many: Callable[[Sequence[Path]], list[str]] | None = None  # a batch call, when cheaper

    def missing(self) -> list[str]:
        """What this converter needs and does not find (empty: it can run)."""
        return [need for need in self.requires if not _present(need)]

    def convert(self, path: Path) -> str:
        """The text the tool prints for ``path``."""
        return self.run(Path(path))


def _present(need: str) -> bool:
    if need == "pdf2txt.py":
        return _pdf2txt_script() is not None
    if need.startswith("bin:"):
        return shutil.which(need[4:]) is not None
    try:
        return importlib.util.find_spec(need) is not None
    except (ImportError, ValueError):
        return False


def kind_of(path: Path) -> Kind:
    suffix = Path(path).suffix.lower()
    kinds: dict[str, Kind] = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html"}
    if suffix not in kinds:
        raise ValueError(f"{path}: no converter takes {suffix or 'a file without suffix'}")
    return kinds[suffix]


def available(kind: Kind | None = None) -> list[Converter]:
    """The converters (of ``kind``) whose tools are installed."""
    return [c for c in CONVERTERS.values() if (kind is None or c.kind == kind) and not c.missing()]


def convert_many(converter: Converter, paths: Sequence[Path]) -> list[str | ConverterError]:
    """Each path's text, or the error the tool gave on it; a batch call where the tool has one."""
    if converter.run_many is not None and len(paths) > 1:
        try:
            return list(converter.run_many(paths))
        except ConverterError:
            pass  # one bad file spoils a batch: fall back to one call per file to see which
    results: list[str | ConverterError] = []
    for path in paths:
        try:
            results.append(converter.convert(path))
        except ConverterError as error:
            results.append(error)
    return results


def parse_text(text: str, name: str):  # -> gongkai.Report
    """``gongkai.parse(text, name=name)`` for a text in memory, minus its "is this a path?" test:
    that test raises OSError (file name too long) for a one-line text of more than 255 bytes,
    which is exactly what a crawler's glued text or a mangled report is."""
    from ..pipeline import parse_document
    from ..readers.text import read_text

    return parse_document(read_text(text, name))


# ------------------------------------------------------------------------------------ helpers
def _tool(command: Sequence[str], path: Path, *, stdin: bytes | None = None) -> str:
    """Run a program, return its stdout as UTF-8 text (what a user redirecting it to a file gets)."""
    try:
        done = subprocess.run(list(command), input=stdin, capture_output=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired as error:
        raise ConverterError(f"{command[0]} timed out on {path.name}") from error
    except OSError as error:
        raise ConverterError(f"{command[0]} could not run on {path.name}: {error}") from error
    if done.returncode:
        raise ConverterError(f"{command[0]} failed on {path.name} (exit {done.returncode}): "
                             f"{done.stderr.decode('utf-8', 'replace').strip()[-300:]}")
    return done.stdout.decode("utf-8", "replace")


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


def html_source(path: Path) -> str:
    """An HTML file's text, decoded as its ``<meta charset>`` says (UTF-8 when it says nothing):
    what a crawler hands to a library that takes a ``str``."""
    data = Path(path).read_bytes()
    found = _META_CHARSET.search(data[:4096])
    encoding = found.group(1).decode("ascii").lower() if found else "utf-8"
    if encoding in {"gb2312", "gbk"}:
        encoding = "gb18030"  # the superset browsers use for both labels
    try:
        return data.decode(encoding, "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


def _utf8_html(path: Path) -> bytes:
    """The page re-encoded as UTF-8 with its meta saying so, for tools that read UTF-8 only (pandoc)."""
    text = html_source(path)
    text = re.sub(r"""(<meta[^>]+charset\s*=\s*["']?)[\w-]+""", r"\1utf-8", text, count=1, flags=re.I)
    return text.encode("utf-8")


# ------------------------------------------------------------------------------------ PDF
def _pdftotext(*options: str) -> Callable[[Path], str]:
    def run(path: Path) -> str:
        return _tool(["pdftotext", *options, "-enc", "UTF-8", str(path), "-"], path)
    return run


def _pypdfium2(path: Path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(pages)
    finally:
        pdf.close()


def _pdfplumber(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _pdfplumber_tables(path: Path) -> str:
    """What a user who wants the tables writes with pdfplumber: each page's text outside its
    tables, and each table where it stands, one row per line, its cells between tabs (a cell's
    own line breaks as spaces, an empty cell empty)."""
    import pdfplumber

    pages = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            tables = page.find_tables()
            boxes = [t.bbox for t in tables]

            def outside(obj: dict, boxes: list = boxes) -> bool:
                return not any(x0 <= obj["x0"] and obj["x1"] <= x1 and top <= obj["top"] <= bottom
                               for x0, top, x1, bottom in boxes)

            pieces: list[tuple[float, str]] = [
                (t.bbox[1], "\n".join("\t".join((cell or "").replace("\n", " ") for cell in row)
                                     for row in t.extract())) for t in tables]
            for line in page.filter(outside).extract_text_lines():
                pieces.append((line["top"], line["text"]))
            pages.append("\n".join(text for _, text in sorted(pieces, key=lambda piece: piece[0])))
    return "\n".join(pages)


def _pdfplumber_layout(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text(layout=True) or "" for page in pdf.pages)


def _pdfminer(path: Path) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(str(path))


def _pdf2txt_script() -> str | None:
    beside = Path(sys.executable).with_name("pdf2txt.py")  # pip puts the script beside the interpreter
    return str(beside) if beside.is_file() else shutil.which("pdf2txt.py")


def _pdf2txt(path: Path) -> str:
    """pdfminer.six's command line, as users run it (no options)."""
    script = _pdf2txt_script()
    if script is None:
        raise ConverterError("pdf2txt.py not found (pip install pdfminer.six)")
    return _tool([sys.executable, script, str(path)], path)


def _pypdf(mode: Literal["plain", "layout"]) -> Callable[[Path], str]:
    def run(path: Path) -> str:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        return "\n".join(page.extract_text(extraction_mode=mode) or "" for page in reader.pages)
    return run


def _pymupdf(path: Path) -> str:
    import pymupdf

    with pymupdf.open(str(path)) as pdf:
        return "".join(page.get_text() for page in pdf)


def _pymupdf4llm(path: Path) -> str:
    with _silenced():  # it announces its OCR engine on the process's stdout, from C as well as Python
        import pymupdf4llm

        return pymupdf4llm.to_markdown(str(path), show_progress=False)


@contextlib.contextmanager
def _silenced() -> Iterator[None]:
    """File descriptors 1 and 2 (and Python's streams) to /dev/null for the duration."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)


def _markitdown(path: Path) -> str:
    from markitdown import MarkItDown

    return MarkItDown(enable_plugins=False).convert(str(path)).text_content


# ------------------------------------------------------------------------------------ DOCX
def _soffice_text(paths: Sequence[Path]) -> list[str]:
    """LibreOffice's text export (File → Save as → Text), many files per call."""
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if not binary:
        raise ConverterError("soffice not on PATH")
    texts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="gongkai-zoo-") as tmp:
        out = Path(tmp) / "out"
        for start in range(0, len(paths), SOFFICE_BATCH):
            batch = [Path(p) for p in paths[start: start + SOFFICE_BATCH]]
            if len({p.stem for p in batch}) < len(batch):  # same stem twice would overwrite: one by one
                for path in batch:
                    texts.extend(_soffice_text([path]))
                continue
            # a private profile: another LibreOffice running would otherwise take the job or block it
            profile = Path(tmp) / f"profile{start}"
            command = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                       "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(out), *map(str, batch)]
            _tool(command, batch[0])
            for path in batch:
                target = out / (path.stem + ".txt")
                if not target.exists():
                    raise ConverterError(f"soffice wrote no text for {path.name}")
                texts.append(target.read_bytes().decode("utf-8", "replace").lstrip("\ufeff"))
    return texts


def _pandoc(source: str, target: str) -> Callable[[Path], str]:
    def run(path: Path) -> str:
        if source == "html":
            return _tool(["pandoc", "-f", "html", "-t", target], path, stdin=_utf8_html(path))
        return _tool(["pandoc", "-f", source, "-t", target, str(path)], path)
    return run


def _docx2txt(path: Path) -> str:
    import docx2txt

    return docx2txt.process(str(path))


def _python_docx(path: Path) -> str:
    """What most scripts do with python-docx: every paragraph, then every table row with its
    cells joined by tabs (a merged cell is repeated in each grid column it spans)."""
    import docx

    document = docx.Document(str(path))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _python_docx_csv(path: Path) -> str:
    """The same, written with Python's csv module (a table exported for a spreadsheet): fields
    apart by commas, quoted where they hold one."""
    import csv
    import io

    import docx

    document = docx.Document(str(path))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for paragraph in document.paragraphs:
        writer.writerow([paragraph.text])
    for table in document.tables:
        for row in table.rows:
            writer.writerow([cell.text for cell in row.cells])
    return out.getvalue()


def _mammoth(path: Path) -> str:
    import mammoth

    with open(path, "rb") as file:
        return mammoth.extract_raw_text(file).value


# ------------------------------------------------------------------------------------ HTML
def _soup(path: Path):  # -> bs4.BeautifulSoup
    from bs4 import BeautifulSoup

    return BeautifulSoup(Path(path).read_bytes(), "lxml")  # bytes: bs4 reads the meta charset itself


def _bs4_separator(separator: str) -> Callable[[Path], str]:
    def run(path: Path) -> str:
        return _soup(path).get_text(separator)
    return run


def _bs4_joined(separator: str) -> Callable[[Path], str]:
    """Text nodes stripped and joined with ``separator``: the whole page on one line, as crawlers
    save a page (``"".join(soup.stripped_strings)``: table cells run together; 「,」「 | 」)."""
    def run(path: Path) -> str:
        return separator.join(_soup(path).stripped_strings)
    return run


def _bs4_body(path: Path) -> str:
    """The body's text nodes as they are: cells of a row glued, the markup's own newlines kept."""
    soup = _soup(path)
    return (soup.body or soup).get_text()


def _lxml_text_content(path: Path) -> str:
    import lxml.html

    root = lxml.html.document_fromstring(html_source(path))
    body = root.find("body")
    return (body if body is not None else root).text_content()


def _html2text(path: Path) -> str:
    import html2text

    return html2text.html2text(html_source(path))


def _inscriptis(path: Path) -> str:
    from inscriptis import get_text

    return get_text(html_source(path))


def _html_text(path: Path) -> str:
    import html_text

    return html_text.extract_text(html_source(path))


def _trafilatura(path: Path) -> str:
    import trafilatura

    return trafilatura.extract(html_source(path), include_tables=True, favor_recall=True) or ""


def _markdownify(path: Path) -> str:
    """markdownify, the HTML → Markdown step of many LLM and RAG pipelines."""
    from markdownify import markdownify

    return str(markdownify(html_source(path)))


def _elinks(path: Path) -> str:
    return _tool(["elinks", "-dump", "-dump-width", "120", "-no-references", "-no-numbering",
                  "-dump-charset", "utf-8", "-eval", "set document.codepage.assume = \"utf-8\"",
                  "-eval", "set document.codepage.force_assumed = 1", "/dev/stdin"], path,
                 stdin=_utf8_html(path))


def _links2(path: Path) -> str:
    # links2 reads a file only by name; it is given the page re-encoded as UTF-8
    with tempfile.TemporaryDirectory(prefix="gongkai-links-") as folder:
        page = Path(folder) / "page.html"
        page.write_bytes(_utf8_html(path))
        return _tool(["links2", "-dump", "-width", "120", "-codepage", "utf-8", str(page)], path)


def _w3m(path: Path) -> str:
    return _tool(["w3m", "-dump", "-T", "text/html", "-O", "UTF-8", "-cols", "120", str(path)], path)


def _html2text_c(path: Path) -> str:
    # Debian's html2text (the C++ one of Martin Bayer, not the Python module of the same name): it
    # reads ISO-8859-1 or UTF-8 only, so it is given the page as UTF-8
    return _tool(["/usr/bin/html2text", "-utf8", "-width", "120"], path, stdin=_utf8_html(path))


def _lynx(path: Path) -> str:
    # lynx does not know HTML5's <meta charset="gbk">: it is given the page as UTF-8, as a crawler
    # that saved it as UTF-8 would
    return _tool(["lynx", "-dump", "-stdin", "-nolist", "-assume_charset=utf-8", "-display_charset=utf-8",
                  "-width=120"], path, stdin=_utf8_html(path))


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _browser_text(paths: Sequence[Path]) -> list[str]:
    """What a clerk gets by selecting the page in a browser and copying it: ``innerText`` of the
    body in Chromium (cells separated by tabs, rows by newlines), one browser for many pages."""
    from playwright.sync_api import Error, sync_playwright

    binary = _chromium()
    if binary is None:
        raise ConverterError("chromium not on PATH (apt-get install chromium)")
    texts: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=binary, args=["--no-sandbox"])
            try:
                page = browser.new_page()
                # no request leaves the machine: the page is a local file and anything else is refused
                page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                           else route.abort())
                for path in paths:
                    page.goto(Path(path).resolve().as_uri())
                    texts.append(page.evaluate("document.body.innerText"))
            finally:
                browser.close()
    except Error as error:
        raise ConverterError(f"chromium failed on {Path(paths[0]).name}: {error}") from error
    return texts


# ------------------------------------------------------------------------------------ the zoo
_POPPLER = "apt-get install poppler-utils"
_PANDOC = "apt-get install pandoc"
_ZOO = "pip install 'gongkai[zoo]'"


def _zoo() -> dict[str, Converter]:
    entries = [
        # PDF: poppler, PDFium, pdfminer and its wrappers, pypdf, MuPDF
        Converter("pdftotext", "pdf", _pdftotext(), ("bin:pdftotext",), _POPPLER, keeps_order=False),
        Converter("pdftotext-layout", "pdf", _pdftotext("-layout"), ("bin:pdftotext",), _POPPLER),
        Converter("pdftotext-raw", "pdf", _pdftotext("-raw"), ("bin:pdftotext",), _POPPLER),
        Converter("pypdfium2", "pdf", _pypdfium2, ("pypdfium2",), "pip install 'gongkai[formats]'"),
        Converter("pdfplumber", "pdf", _pdfplumber, ("pdfplumber",), "pip install 'gongkai[formats]'"),
        Converter("pdfplumber-layout", "pdf", _pdfplumber_layout, ("pdfplumber",),
                  "pip install 'gongkai[formats]'"),
        Converter("pdfplumber-tables", "pdf", _pdfplumber_tables, ("pdfplumber",),
                  "pip install 'gongkai[formats]'"),
        Converter("pdfminer", "pdf", _pdfminer, ("pdfminer",), _ZOO, keeps_order=False),
        Converter("pdf2txt.py", "pdf", _pdf2txt, ("pdfminer", "pdf2txt.py"), _ZOO, keeps_order=False),
        Converter("pypdf", "pdf", _pypdf("plain"), ("pypdf",), _ZOO),
        Converter("pypdf-layout", "pdf", _pypdf("layout"), ("pypdf",), _ZOO),
        Converter("pymupdf", "pdf", _pymupdf, ("pymupdf",), _ZOO),
        Converter("pymupdf4llm", "pdf", _pymupdf4llm, ("pymupdf4llm",), _ZOO),
        Converter("markitdown-pdf", "pdf", _markitdown, ("markitdown", "pdfminer"), _ZOO, keeps_order=False),
        # DOCX
        Converter("soffice-txt", "docx", lambda p: _soffice_text([p])[0], ("bin:soffice",),
                  "apt-get install libreoffice-writer-nogui", run_many=_soffice_text),
        Converter("pandoc-docx-plain", "docx", _pandoc("docx", "plain"), ("bin:pandoc",), _PANDOC),
        Converter("pandoc-docx-gfm", "docx", _pandoc("docx", "gfm"), ("bin:pandoc",), _PANDOC),
        # pandoc's other writers, each with its own table markup (grid tables, 「|===」, 「{|」, LaTeX)
        Converter("pandoc-docx-markdown", "docx", _pandoc("docx", "markdown"), ("bin:pandoc",), _PANDOC),
        Converter("pandoc-docx-rst", "docx", _pandoc("docx", "rst"), ("bin:pandoc",), _PANDOC),
        Converter("pandoc-docx-asciidoc", "docx", _pandoc("docx", "asciidoc"), ("bin:pandoc",), _PANDOC),
        Converter("pandoc-docx-mediawiki", "docx", _pandoc("docx", "mediawiki"), ("bin:pandoc",), _PANDOC),
        Converter("pandoc-docx-latex", "docx", _pandoc("docx", "latex"), ("bin:pandoc",), _PANDOC),
        Converter("markitdown-docx", "docx", _markitdown, ("markitdown", "mammoth"), _ZOO),
        Converter("mammoth", "docx", _mammoth, ("mammoth",), _ZOO),
        Converter("docx2txt", "docx", _docx2txt, ("docx2txt",), _ZOO),
        Converter("python-docx", "docx", _python_docx, ("docx",), "pip install 'gongkai[formats]'"),
        Converter("python-docx-csv", "docx", _python_docx_csv, ("docx",), "pip install 'gongkai[formats]'"),
        # HTML
        Converter("pandoc-html-plain", "html", _pandoc("html", "plain"), ("bin:pandoc",), _PANDOC),
        Converter("pandoc-html-gfm", "html", _pandoc("html", "gfm"), ("bin:pandoc",), _PANDOC),
        Converter("pandoc-html-textile", "html", _pandoc("html", "textile"), ("bin:pandoc",), _PANDOC),
        Converter("pandoc-html-org", "html", _pandoc("html", "org"), ("bin:pandoc",), _PANDOC),
        Converter("pandoc-html-jira", "html", _pandoc("html", "jira"), ("bin:pandoc",), _PANDOC),
        Converter("markitdown-html", "html", _markitdown, ("markitdown",), _ZOO),
        Converter("html2text", "html", _html2text, ("html2text",), _ZOO),
        Converter("bs4-newline", "html", _bs4_separator("\n"), ("bs4",), _ZOO),
        Converter("bs4-space", "html", _bs4_separator(" "), ("bs4",), _ZOO),
        Converter("bs4-glued", "html", _bs4_joined(""), ("bs4",), _ZOO, glues_cells=True),
        Converter("bs4-comma", "html", _bs4_joined(","), ("bs4",), _ZOO, glues_cells=True),
        Converter("bs4-pipe", "html", _bs4_joined(" | "), ("bs4",), _ZOO, glues_cells=True),
        Converter("bs4-body", "html", _bs4_body, ("bs4",), _ZOO, glues_cells=True),
        Converter("lxml-text_content", "html", _lxml_text_content, ("lxml",), "pip install lxml",
                  glues_cells=True),
        Converter("inscriptis", "html", _inscriptis, ("inscriptis",), _ZOO),
        Converter("html-text", "html", _html_text, ("html_text",), _ZOO),
        Converter("trafilatura", "html", _trafilatura, ("trafilatura",), _ZOO),
        Converter("markdownify", "html", _markdownify, ("markdownify",), _ZOO),
        Converter("html2text-debian", "html", _html2text_c, ("bin:/usr/bin/html2text",),
                  "apt-get install html2text"),
        Converter("w3m", "html", _w3m, ("bin:w3m",), "apt-get install w3m"),
        Converter("elinks", "html", _elinks, ("bin:elinks",), "apt-get install elinks"),
        Converter("links2", "html", _links2, ("bin:links2",), "apt-get install links2"),
        Converter("lynx", "html", _lynx, ("bin:lynx",), "apt-get install lynx"),
        Converter("chromium-copy", "html", lambda p: _browser_text([p])[0], ("playwright", "bin:chromium"),
                  "apt-get install chromium; pip install playwright", run_many=_browser_text),
    ]
    return {c.name: c for c in entries}


CONVERTERS: dict[str, Converter] = _zoo()


def select(names: Iterable[str] | str | None = None, kinds: Iterable[str] | None = None) -> list[Converter]:
    """Converters by name (comma-separated or a list; ``None``: all), optionally of some kinds."""
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    chosen = list(CONVERTERS.values()) if not names else []
    for name in names or ():
        if name not in CONVERTERS:
            raise ValueError(f"unknown converter {name!r}; choose from {', '.join(CONVERTERS)}")
        chosen.append(CONVERTERS[name])
    wanted = set(kinds) if kinds is not None else set(KINDS)
    return [c for c in chosen if c.kind in wanted]

