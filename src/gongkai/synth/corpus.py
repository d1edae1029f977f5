"""A synthetic evaluation corpus: random reports written in every published format.

``make_corpus(n, formats, out_dir, seed)`` writes, for each of ``n`` random reports and each
requested format, ``out_dir/<format>/NAME.<ext>`` beside its own ``NAME.truth.json``, so that
``gongkai eval out_dir/pdf`` scores the PDFs only (``evaluate.source_for`` finds a source by the
truth file's stem, so every format needs its own folder and its own copy of the truth).

Formats and how each is made:

* ``text``: one of the nine text styles (:mod:`.text_styles`) at random; the name records it
  (``r0001-tabs.txt``).
* ``html``: the renderer's official tables (rowspan/colspan) inside site chrome (navigation,
  breadcrumbs, footer with ICP numbers); half are encoded GBK with ``<meta charset="gbk">``.
* ``docx``: the renderer.
* ``pdf``: LibreOffice headless from that DOCX, many files per ``soffice`` call (start-up costs
  seconds).
* ``scan``: the PDF rasterised by ``pdftoppm`` (poppler-utils) with paper noise, a small skew and a
  red stamp, saved as an image-only PDF (``r0001-scan-150dpi.pdf``). Poppler, not the PDFium the
  readers use, so that a scan's pixels do not come from the same renderer that reads PDFs. Report
  ``i`` gets the scan variant ``SCAN_VARIANTS[(i - 1) % len(SCAN_VARIANTS)]`` (or one of those
  asked for), named in the file name, so ``gongkai eval`` scores every variant and a benchmark can
  group by it:

  - ``100dpi``, ``150dpi``, ``200dpi``, ``300dpi``: the resolution (150 dpi for the others);
  - ``jpeg``: heavy JPEG compression (quality 20-35: blocks and ringing round the digits);
  - ``skew3``: skewed by 2-3° (the others by ≤ 1°);
  - ``photo``: a phone photo: the page keystoned by perspective (corners moved by up to 2 % of
    its size), lit unevenly, slightly blurred, on a darker desk;
  - ``seal``: the red seal stamped over the numbers of a table rather than a corner;
  - ``faint``: ruling lines printed faint and broken (gaps every few millimetres);
  - ``split``: the largest table cut in two at a row boundary and continued on a new page;
  - ``landscape``: the pages fed sideways: each page image turned by 90° (clockwise or not).
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from ..errors import GongkaiError
from ..report import Report
from ..template import Edition
from .generate import random_report
from .text_styles import TEXT_STYLES
from .text_styles._base import _OVERVIEW, _PROBLEMS, _chrome_after, _chrome_before, _fill, _short

__all__ = ["FORMATS", "SCAN_DPI", "SCAN_VARIANTS", "CorpusError", "make_corpus", "rasterise", "scan_pdf",
           "scan_variant_of"]

FORMATS: tuple[str, ...] = ("text", "html", "docx", "pdf", "scan")
SCAN_DPI = 150
SCAN_VARIANTS: tuple[str, ...] = ("150dpi", "100dpi", "200dpi", "300dpi", "jpeg", "skew3", "photo", "seal",
                                  "faint", "split", "landscape")
SOFFICE_BATCH = 40  # files per soffice call: one start-up (~2-3 s) amortised over many files
_STAMP_FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"


class CorpusError(GongkaiError, RuntimeError):
    """A tool the corpus needs (LibreOffice, pdftoppm, pypdfium2, Pillow, numpy) is missing or failed."""


@dataclass(slots=True)
class _Item:
    name: str
    truth: dict[str, Any]
    rng: random.Random


# ----------------------------------------------------------------------------------- entry point
def make_corpus(n: int, formats: Iterable[str] | str = ("text", "html", "docx", "pdf"),
                out_dir: Path | str = "corpus", seed: int = 0, *, start: int = 1,
                soffice: str | None = None,
                scan_variants: Iterable[str] | str | None = None) -> dict[str, list[Path]]:
    """Write ``n`` random reports in each of ``formats``; return the source files per format.

    Report ``i`` depends only on ``(seed, i)``, so a corpus can be extended (``start``) or
    regenerated with other formats and stays the same reports."""
    wanted = _formats(formats)
    variants = _scan_variants(scan_variants)
    out = Path(out_dir)
    items = [_item(seed, i) for i in range(start, start + n)]
    written: dict[str, list[Path]] = {f: [] for f in wanted}
    for item in items:
        if "text" in wanted:
            written["text"].append(_write_text(item, out / "text"))
        if "html" in wanted:
            written["html"].append(_write_html(item, out / "html"))
    if not ({"docx", "pdf", "scan"} & set(wanted)):
        return written
    with tempfile.TemporaryDirectory(prefix="gongkai-corpus-") as tmp:
        scratch = Path(tmp)
        docx_dir = out / "docx" if "docx" in wanted else scratch / "docx"
        docx_paths = [_write_docx(item, docx_dir, truth_beside="docx" in wanted) for item in items]
        if "docx" in wanted:
            written["docx"] = docx_paths
        if not ({"pdf", "scan"} & set(wanted)):
            return written
        pdf_dir = out / "pdf" if "pdf" in wanted else scratch / "pdf"
        pdf_paths = convert_to_pdf(docx_paths, pdf_dir, soffice=soffice)
        if "pdf" in wanted:
            for item in items:
                _write_truth(item.truth, pdf_dir / f"{item.name}.truth.json")
            written["pdf"] = pdf_paths
        if "scan" in wanted:
            scan_dir = out / "scan"
            scan_dir.mkdir(parents=True, exist_ok=True)
            for index, (item, pdf) in enumerate(zip(items, pdf_paths, strict=True), start=start):
                variant = variants[(index - 1) % len(variants)]
                target = scan_dir / f"{item.name}-scan-{variant}.pdf"
                target.write_bytes(scan_pdf(pdf.read_bytes(), item.rng, agency=item.truth["agency"],
                                            variant=variant))
                _write_truth(item.truth, scan_dir / f"{item.name}-scan-{variant}.truth.json")
                written["scan"].append(target)
    return written


def _formats(formats: Iterable[str] | str) -> list[str]:
    names = [f.strip() for f in (formats.split(",") if isinstance(formats, str) else formats) if f.strip()]
    if "all" in names:  # every format, as `gongkai synth --formats all`
        names = [*FORMATS, *(f for f in names if f != "all")]
    unknown = [f for f in names if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    return list(dict.fromkeys(names))


def _scan_variants(variants: Iterable[str] | str | None) -> tuple[str, ...]:
    if variants is None:
        return SCAN_VARIANTS
    names = [v.strip() for v in (variants.split(",") if isinstance(variants, str) else variants) if v.strip()]
    if not names or "all" in names:
        return SCAN_VARIANTS
    unknown = [v for v in names if v not in SCAN_VARIANTS]
    if unknown:
        raise ValueError(f"unknown scan variant(s) {', '.join(unknown)}; "
                         f"choose from {', '.join(SCAN_VARIANTS)}")
    return tuple(dict.fromkeys(names))


def scan_variant_of(path: Path | str) -> str | None:
    """The scan variant a corpus file name records (``r0007-scan-photo.pdf`` → ``photo``)."""
    match = re.search(r"-scan-([a-z0-9]+)$", Path(path).name.split(".")[0])
    return match.group(1) if match and match.group(1) in SCAN_VARIANTS else None


def _item(seed: int, index: int) -> _Item:
    # A string seed: stable across Python runs (no hash randomisation) and independent per report.
    rng = random.Random(f"gongkai-corpus:{seed}:{index}")
    edition: Edition = "2019" if rng.random() < 0.35 else "2021"
    hybrid = edition == "2021" and rng.random() < 0.1
    blanks = rng.random() < 0.3
    inconsistent = rng.random() < 0.1
    truth = random_report(rng, edition=edition, hybrid=hybrid, blanks=blanks, inconsistent=inconsistent)
    return _Item(f"r{index:04d}", truth, rng)


def _write_truth(truth: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", "utf-8")


# ----------------------------------------------------------------------------------- text, html
def _write_text(item: _Item, folder: Path) -> Path:
    style = item.rng.choice(sorted(TEXT_STYLES))
    stem = f"{item.name}-{style}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.txt"
    path.write_text(TEXT_STYLES[style](item.truth, item.rng), "utf-8")
    _write_truth(item.truth, folder / f"{stem}.truth.json")
    return path


def _report(item: _Item) -> Report:
    """The truth as a Report, with prose in sections 一, 五, 六 (numbers in prose are the noise a
    real report has around its tables)."""
    report = Report.from_dict(item.truth)
    rng, truth = item.rng, item.truth
    known = {"year": truth["year"], "short": _short(truth["agency"]), "next": truth["year"] + 1,
             "applications": "全年共受理政府信息公开申请。"}
    overview = [_fill(t, rng, **known) for t in rng.sample(_OVERVIEW, 3)]
    report.sections = {"overview": "\n".join(overview),
                       "problems": _fill(rng.choice(_PROBLEMS), rng, **known),
                       "other_matters": rng.choice(("无。", "本年度未收取信息处理费。"))}
    return report


_RENDER_MARKUP = re.compile(r'\s+data-path="[^"]*"|\s+s-(?:read|blank|missing|inferred)\b')


def _write_html(item: _Item, folder: Path) -> Path:
    from ..render import render

    html = render(_report(item), "html").decode("utf-8")
    html = _RENDER_MARKUP.sub("", html)  # a published page has no cell paths to give the answer away
    gbk = item.rng.random() < 0.5
    before = "\n".join(f'<div class="nav">{escape(line.strip())}</div>'
                       for line in _chrome_before(item.truth, item.rng) if line.strip())
    after = "\n".join(f'<div class="foot">{escape(line.strip())}</div>'
                      for line in _chrome_after(item.truth, item.rng) if line.strip())
    html = html.replace("<body>", f'<body>\n<div id="header">{before}</div>\n<div class="article">', 1)
    html = html.replace("</body>", f'</div>\n<div id="footer">{after}</div>\n</body>', 1)
    if gbk:
        html = html.replace('<meta charset="utf-8">', '<meta charset="gbk">', 1)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{item.name}.html"
    path.write_bytes(html.encode("gbk", "xmlcharrefreplace") if gbk else html.encode("utf-8"))
    _write_truth(item.truth, folder / f"{item.name}.truth.json")
    return path


def _write_docx(item: _Item, folder: Path, *, truth_beside: bool) -> Path:
    from ..render import render

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{item.name}.docx"
    path.write_bytes(render(_report(item), "docx"))
    if truth_beside:
        _write_truth(item.truth, folder / f"{item.name}.truth.json")
    return path


# ----------------------------------------------------------------------------------- pdf
def find_soffice(soffice: str | None = None) -> str:
    found = shutil.which(soffice or "soffice") or shutil.which("libreoffice")
    if not found:
        raise CorpusError("LibreOffice is needed for PDFs: apt-get install libreoffice-writer "
                          "fonts-noto-cjk (soffice not on PATH)")
    return found


def convert_to_pdf(docx_paths: Sequence[Path], out_dir: Path, *, soffice: str | None = None) -> list[Path]:
    """Convert DOCX files to PDF with LibreOffice, many per call; the PDFs in input order."""
    binary = find_soffice(soffice)
    out_dir.mkdir(parents=True, exist_ok=True)
    for chunk in range(0, len(docx_paths), SOFFICE_BATCH):
        batch = [str(p) for p in docx_paths[chunk: chunk + SOFFICE_BATCH]]
        # A private profile: a running LibreOffice (or a parallel test) would otherwise own the
        # default profile's lock and the call would hand the job to it or fail silently.
        with tempfile.TemporaryDirectory(prefix="gongkai-soffice-") as profile:
            command = [binary, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                       "--convert-to", "pdf", "--outdir", str(out_dir), *batch]
            try:
                done = subprocess.run(command, capture_output=True, text=True,
                                      timeout=120 + 10 * len(batch), check=False)
            except subprocess.TimeoutExpired as error:
                raise CorpusError(f"soffice timed out converting {len(batch)} files") from error
        missing = [p for p in batch if not (out_dir / (Path(p).stem + ".pdf")).exists()]
        if done.returncode or missing:
            raise CorpusError(f"soffice failed (exit {done.returncode}) for {len(missing)} file(s): "
                              f"{done.stderr.strip()[-500:]}")
    return [out_dir / (p.stem + ".pdf") for p in docx_paths]


# ----------------------------------------------------------------------------------- scan
def scan_pdf(pdf: bytes, rng: random.Random, *, agency: str = "", dpi: int | None = None,
             variant: str = "150dpi") -> bytes:
    """An image-only PDF that looks like a scan of ``pdf`` made the ``variant`` way (see the module
    docstring): pages rasterised by pdftoppm, paper grey and noise, a random skew per page, a red
    seal over a table, then what the variant adds."""
    try:
        import numpy as np
        from PIL import Image
    except ImportError as error:
        raise CorpusError(f"scans need {error.name}: pip install 'gongkai[formats]' numpy pillow") from error
    from io import BytesIO

    if variant not in SCAN_VARIANTS:
        raise ValueError(f"unknown scan variant {variant!r}; choose from {', '.join(SCAN_VARIANTS)}")
    if dpi is None:
        dpi = int(variant[:-3]) if variant.endswith("dpi") else 200 if variant == "photo" else SCAN_DPI
    pages = rasterise(pdf, dpi)
    boxes = _table_boxes(pdf)  # page index -> table boxes in points
    stamp_page = min(boxes) if boxes else 0
    if variant == "split":
        pages, boxes, stamp_page = _split_table(pages, boxes, dpi)
    images: list[Image.Image] = []
    for index, image in enumerate(pages):
        if variant == "faint":
            image = _faint_rulings(image, rng, dpi)
        if index == stamp_page:
            centre = _stamp_centre(boxes.get(index), image, rng, dpi, over_numbers=variant == "seal")
            _stamp(image, centre, rng, agency, dpi)
        pixels = np.asarray(image, dtype=np.float32)
        pixels = pixels * rng.uniform(0.92, 0.97) + rng.uniform(2, 8)  # grey paper, weak toner
        noise = np.random.default_rng(rng.randrange(2**32)).normal(0, 9, pixels.shape[:2])
        pixels += noise[..., None]
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
        skew = rng.uniform(2, 3) * rng.choice((-1, 1)) if variant == "skew3" else rng.uniform(-1, 1)
        image = image.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=(240, 240, 238))
        if variant == "photo":
            image = _photograph(image, rng)
        if variant == "landscape":
            image = image.transpose(rng.choice((Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_270)))
        images.append(image)
    quality = rng.randint(20, 35) if variant == "jpeg" else 70 if variant == "photo" else 80
    buffer = BytesIO()
    images[0].save(buffer, "PDF", resolution=dpi, save_all=True, append_images=images[1:], quality=quality)
    return buffer.getvalue()


def _stamp_centre(boxes: list[tuple[float, float, float, float]] | None, image: Any, rng: random.Random,
                  dpi: int, *, over_numbers: bool) -> tuple[float, float]:
    """Where the seal goes, in pixels: a corner of a table, or (``over_numbers``) the middle of the
    numbers of the page's largest table."""
    scale = dpi / 72
    if not boxes:
        return image.width * 0.7, image.height * 0.2
    if over_numbers:
        x0, top, x1, bottom = max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
        # the numbers are right of the label column (the left third of a table)
        return (rng.uniform(x0 + 0.45 * (x1 - x0), x1 - 0.15 * (x1 - x0)) * scale,
                rng.uniform(top + 0.25 * (bottom - top), bottom - 0.25 * (bottom - top)) * scale)
    x0, top, x1, bottom = rng.choice(boxes)
    x, y = rng.choice([(x0, top), (x1, top), (x0, bottom), (x1, bottom)])
    return x * scale, y * scale


def _ruling_mask(image: Any, dpi: int) -> Any:
    """The pixels of long straight dark runs (table rulings) of a clean rendered page."""
    import numpy as np

    from ..readers.ocr import _runs

    dark = np.asarray(image.convert("L")) < 128
    length = max(int(0.25 * dpi), 8)
    return _runs(dark, length, axis=1) | _runs(dark, length, axis=0)


def _faint_rulings(image: Any, rng: random.Random, dpi: int) -> Any:
    """Rulings printed faint (light grey) and broken: gaps of 1-2 mm every few millimetres, as a
    worn printer or a photocopy of a photocopy leaves them."""
    import numpy as np
    from PIL import Image

    mask = _ruling_mask(image, dpi)
    pixels = np.asarray(image).copy()
    level = rng.randint(150, 185)
    pixels[mask] = np.maximum(pixels[mask], level)
    block = max(dpi // 20, 4)  # ~1.3 mm blocks; a fifth of them are gaps
    height, width = mask.shape
    gaps = np.random.default_rng(rng.randrange(2**32)).random((height // block + 1, width // block + 1)) < 0.2
    gap_mask = np.kron(gaps, np.ones((block, block), dtype=bool))[:height, :width] & mask
    pixels[gap_mask] = 255
    return Image.fromarray(pixels)


def _split_table(pages: list[Any], boxes: dict[int, list[tuple[float, float, float, float]]],
                 dpi: int) -> tuple[list[Any], dict[int, list[tuple[float, float, float, float]]], int]:
    """Cut the largest table at a ruling near its middle: the rows below go to the top of a new
    page inserted after it (a table continued over a page break)."""
    import numpy as np
    from PIL import Image

    if not boxes:
        return pages, boxes, 0
    page, box = max(((p, b) for p, bs in boxes.items() for b in bs), key=lambda pb: pb[1][3] - pb[1][1])
    image = pages[page]
    scale = dpi / 72
    x0, top, x1, bottom = (v * scale for v in box)
    mask = _ruling_mask(image, dpi)
    # a horizontal ruling spans the table: rows where most of the table's width is ruling
    rows = np.flatnonzero(mask[:, int(x0): int(x1)].mean(axis=1) > 0.8)
    middle = [int(y) for y in rows if top + 0.35 * (bottom - top) <= y <= top + 0.65 * (bottom - top)]
    if not middle:
        return pages, boxes, min(boxes)
    cut = middle[len(middle) // 2] + 2  # below the ruling: the upper part keeps its closing line
    margin = int(0.8 * dpi)
    first = Image.new("RGB", image.size, "white")
    first.paste(image.crop((0, 0, image.width, cut)), (0, 0))
    second = Image.new("RGB", image.size, "white")
    rest = image.crop((0, cut - 3, image.width, image.height))  # the continuation starts on the ruling
    second.paste(rest, (0, margin))
    moved = {p + (1 if p > page else 0): bs for p, bs in boxes.items()}
    moved[page] = [box]
    return [*pages[:page], first, second, *pages[page + 1:]], moved, page


def _photograph(image: Any, rng: random.Random) -> Any:
    """A phone photo of the page: keystoned (each corner moved by up to 2 % of the page), on a
    darker desk, lit unevenly (one side up to a fifth darker), slightly out of focus."""
    import numpy as np
    from PIL import Image, ImageFilter

    width, height = image.size
    pad = int(0.04 * max(width, height))
    canvas = Image.new("RGB", (width + 2 * pad, height + 2 * pad), (95, 90, 80))
    canvas.paste(image, (pad, pad))
    jitter = 0.02
    corners = [(pad, pad), (pad + width, pad), (pad + width, pad + height), (pad, pad + height)]
    moved = [(x + rng.uniform(-jitter, jitter) * width, y + rng.uniform(-jitter, jitter) * height)
             for x, y in corners]
    coefficients = _perspective(canvas.size, moved, corners)
    photo = canvas.transform(canvas.size, Image.Transform.PERSPECTIVE, coefficients,
                             resample=Image.Resampling.BICUBIC, fillcolor=(95, 90, 80))
    pixels = np.asarray(photo, dtype=np.float32)
    ramp = np.linspace(1.0, rng.uniform(0.8, 0.92), pixels.shape[1], dtype=np.float32)
    if rng.random() < 0.5:
        ramp = ramp[::-1]
    pixels *= ramp[None, :, None]
    photo = Image.fromarray(pixels.clip(0, 255).astype(np.uint8))
    return photo.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.8)))


def _perspective(size: tuple[int, int], target: list[tuple[float, float]],
                 source: list[tuple[float, float]]) -> list[float]:
    """PIL's perspective coefficients mapping output pixels (``target`` quad) to input pixels
    (``source`` quad)."""
    import numpy as np

    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    rhs = [c for point in source for c in point]
    solution = np.linalg.solve(np.array(rows, dtype=np.float64), np.array(rhs, dtype=np.float64))
    return [float(c) for c in solution]


def rasterise(pdf: bytes, dpi: int = SCAN_DPI) -> list[Any]:
    """Every page of ``pdf`` as an RGB PIL image, rendered by ``pdftoppm -r dpi -png``."""
    from PIL import Image

    binary = shutil.which("pdftoppm")
    if not binary:
        raise CorpusError("scans are rasterised with pdftoppm: apt-get install poppler-utils "
                          "(pdftoppm not on PATH)")
    with tempfile.TemporaryDirectory(prefix="gongkai-scan-") as tmp:
        source = Path(tmp) / "source.pdf"
        source.write_bytes(pdf)
        try:
            done = subprocess.run([binary, "-r", str(dpi), "-png", str(source), str(Path(tmp) / "page")],
                                  capture_output=True, text=True, timeout=120, check=False)
        except subprocess.TimeoutExpired as error:
            raise CorpusError("pdftoppm timed out rasterising a PDF") from error
        # page-1.png, or page-01.png … when there are ten pages or more
        files = sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        if done.returncode or not files:
            raise CorpusError(f"pdftoppm failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
        images = []
        for file in files:
            with Image.open(file) as image:
                images.append(image.convert("RGB"))  # decoded now: the folder goes away
    return images


def _table_boxes(pdf: bytes) -> dict[int, list[tuple[float, float, float, float]]]:
    """The box (x0, top, x1, bottom in points, top-left origin) of each table, per 0-based page."""
    from ..readers.pdf import read_pdf

    document = read_pdf(pdf, "<scan source>")
    boxes: dict[tuple[int, int], list[float]] = {}
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                if cell.bbox is None or cell.page is None:
                    continue
                key = (cell.page - 1, table.index)
                x0, top, x1, bottom = cell.bbox
                box = boxes.setdefault(key, [x0, top, x1, bottom])
                box[:] = [min(box[0], x0), min(box[1], top), max(box[2], x1), max(box[3], bottom)]
    result: dict[int, list[tuple[float, float, float, float]]] = {}
    for (page, _), (x0, top, x1, bottom) in boxes.items():
        result.setdefault(page, []).append((x0, top, x1, bottom))
    return result


def _stamp(image: Any, centre: tuple[float, float], rng: random.Random, agency: str, dpi: int) -> None:
    """Multiply a red official seal (ring, star, agency name round the rim) onto ``image``: the
    ink is red and what it covers stays visible, as with a real stamp."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    radius = int(21 / 25.4 * dpi)  # an official seal is 42 mm across
    size = 2 * radius + 4
    ink = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(ink)
    c = size / 2
    width = max(3, dpi // 40)
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), outline=255, width=width)
    star = [(c + 0.28 * radius * (1 if k % 2 == 0 else 0.4) * math.cos(math.radians(-90 + 36 * k)),
             c + 0.28 * radius * (1 if k % 2 == 0 else 0.4) * math.sin(math.radians(-90 + 36 * k)))
            for k in range(10)]
    draw.polygon(star, fill=255)
    name = (agency or "人民政府")[:14]
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        font = ImageFont.truetype(_STAMP_FONT, int(radius * 0.28))
    except OSError:
        font = ImageFont.load_default()
    span = 220.0  # degrees of the rim the name covers, centred at the top
    for k, char in enumerate(name):
        angle = -90 - span / 2 + span * (k + 0.5) / len(name)
        glyph = Image.new("L", (int(radius * 0.4),) * 2, 0)
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), char, fill=255, font=font,
                                   anchor="mm")
        glyph = glyph.rotate(-(angle + 90), resample=Image.Resampling.BICUBIC)
        gx = c + 0.72 * radius * math.cos(math.radians(angle)) - glyph.width / 2
        gy = c + 0.72 * radius * math.sin(math.radians(angle)) - glyph.height / 2
        ink.paste(255, (int(gx), int(gy)), glyph)
    ink = ink.rotate(rng.uniform(0, 360), resample=Image.Resampling.BICUBIC)
    alpha = np.asarray(ink, dtype=np.float32) / 255
    # Uneven inking: the seal prints paler in patches.
    patches = np.random.default_rng(rng.randrange(2**32)).uniform(0.55, 0.95, (8, 8))
    alpha *= np.asarray(Image.fromarray((patches * 255).astype(np.uint8)).resize(ink.size,
                        Image.Resampling.BILINEAR), dtype=np.float32) / 255
    x0, y0 = int(centre[0] - size / 2), int(centre[1] - size / 2)
    region = (max(x0, 0), max(y0, 0), min(x0 + size, image.width), min(y0 + size, image.height))
    if region[0] >= region[2] or region[1] >= region[3]:
        return
    crop: np.typing.NDArray[np.floating[Any]] = np.asarray(image.crop(region), dtype=np.float32)
    a = alpha[region[1] - y0: region[3] - y0, region[0] - x0: region[2] - x0, None]
    red = np.array([215, 35, 40], dtype=np.float32)
    crop = crop * (1 - a) + crop * (red / 255) * a  # multiply blend
    image.paste(Image.fromarray(crop.clip(0, 255).astype(np.uint8)), region[:2])
