"""A tiny PDF writer for tests: pages with text, ruling lines, images and page rotation.

Hand-written so the tests need no PDF library besides the ones the reader uses. Coordinates are
given from the page's top-left corner (like the reader's bboxes), in points. CJK text uses the
non-embedded Adobe font STSong-Light with the UniGB-UCS2-H CMap, which PDF readers map back to
Unicode without a font file; ASCII-only text uses Helvetica.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

A4 = (595.0, 842.0)


def _pdf_string_hex(text: str) -> str:
    return "<" + text.encode("utf-16-be").hex().upper() + ">"


@dataclass
class Page:
    width: float = A4[0]
    height: float = A4[1]
    rotate: int = 0
    ops: list[str] = field(default_factory=list)
    image: bool = False

    def text(self, x: float, top: float, text: str, size: float = 12, *, angle: int = 0) -> Page:
        """Draw ``text`` with its top-left corner at (x, top); ``angle`` rotates it counterclockwise."""
        baseline = self.height - top - size * 0.88
        cjk = any(ord(ch) > 0x7F for ch in text)
        if angle == 0:
            matrix = f"1 0 0 1 {x:.2f} {baseline:.2f}"
        elif angle == 90:  # reads bottom to top; (x, top) is the top-left of the rotated run
            matrix = f"0 1 -1 0 {x + size * 0.88:.2f} {self.height - top - len(text) * size:.2f}"
        else:
            raise ValueError(angle)
        if cjk:
            shown = _pdf_string_hex(text)
            font = "/F2"
        else:
            shown = "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"
            font = "/F1"
        self.ops.append(f"BT {font} {size:.2f} Tf {matrix} Tm {shown} Tj ET")
        return self

    def line(self, x0: float, top0: float, x1: float, top1: float, width: float = 0.5) -> Page:
        h = self.height
        self.ops.append(f"{width:.2f} w 0 0 0 RG {x0:.2f} {h - top0:.2f} m {x1:.2f} {h - top1:.2f} l S")
        return self

    def fill_rect(self, x0: float, top: float, x1: float, bottom: float, gray: float = 1.0) -> Page:
        h = self.height
        self.ops.append(f"{gray:.2f} g {x0:.2f} {h - bottom:.2f} {x1 - x0:.2f} {bottom - top:.2f} re f 0 g")
        return self

    def grid(self, xs: list[float], ys: list[float], skip: set[tuple[str, int, int]] | None = None) -> Page:
        """Rule a grid; ``skip`` holds ("h", row_line, column) / ("v", column_line, row) segments
        to leave out, which merges the cells on either side."""
        skip = skip or set()
        for i, y in enumerate(ys):
            for j in range(len(xs) - 1):
                if ("h", i, j) not in skip:
                    self.line(xs[j], y, xs[j + 1], y)
        for j, x in enumerate(xs):
            for i in range(len(ys) - 1):
                if ("v", j, i) not in skip:
                    self.line(x, ys[i], x, ys[i + 1])
        return self

    def table(
        self,
        x: float,
        top: float,
        widths: list[float],
        heights: list[float],
        texts: dict[tuple[int, int], str | list[str]],
        *,
        merges: tuple[tuple[int, int, int, int], ...] = (),
        rotated: dict[tuple[int, int], str] | None = None,
        size: float = 10,
        top_border: bool = True,
        bottom_border: bool = True,
        thin_rects: bool = False,
    ) -> Page:
        """Draw a ruled table. ``texts`` maps (row, column) to a text or a list of lines placed
        at the cell's top-left; ``merges`` are (row0, col0, row1, col1), end-exclusive, drawn
        without their inner borders; ``rotated`` texts read bottom to top. ``thin_rects`` draws
        the borders as thin filled rectangles, as Word and LibreOffice do."""
        xs = [x]
        for w in widths:
            xs.append(xs[-1] + w)
        ys = [top]
        for h in heights:
            ys.append(ys[-1] + h)
        skip: set[tuple[str, int, int]] = set()
        for r0, c0, r1, c1 in merges:
            for i in range(r0 + 1, r1):
                for j in range(c0, c1):
                    skip.add(("h", i, j))
            for j in range(c0 + 1, c1):
                for i in range(r0, r1):
                    skip.add(("v", j, i))
        if not top_border:
            skip.update(("h", 0, j) for j in range(len(widths)))
        if not bottom_border:
            skip.update(("h", len(heights), j) for j in range(len(widths)))
        if thin_rects:
            for i, y in enumerate(ys):
                for j in range(len(widths)):
                    if ("h", i, j) not in skip:
                        self.fill_rect(xs[j] - 0.25, y - 0.25, xs[j + 1] + 0.25, y + 0.25, gray=0.0)
            for j, xv in enumerate(xs):
                for i in range(len(heights)):
                    if ("v", j, i) not in skip:
                        self.fill_rect(xv - 0.25, ys[i] - 0.25, xv + 0.25, ys[i + 1] + 0.25, gray=0.0)
        else:
            self.grid(xs, ys, skip)
        for (r, c), value in texts.items():
            lines = [value] if isinstance(value, str) else value
            for k, line in enumerate(lines):
                self.text(xs[c] + 3, ys[r] + 3 + k * size * 1.3, line, size)
        for (r, c), value in (rotated or {}).items():
            self.text(xs[c] + 3, ys[r] + 3, value, size, angle=90)
        return self

    def paragraph(
        self,
        top: float,
        text: str,
        *,
        left: float = 90,
        chars: int = 30,
        size: float = 14,
        indent: bool = True,
    ) -> float:
        """Typeset CJK ``text`` as a justified paragraph (first line indented by two characters)
        between ``left`` and ``left + chars * size``; returns the top of the next line."""
        first = chars - 2 if indent else chars
        lines = [text[:first]]
        rest = text[first:]
        while rest:
            lines.append(rest[:chars])
            rest = rest[chars:]
        for k, line in enumerate(lines):
            offset = 2 * size if indent and k == 0 else 0
            self.text(left + offset, top + k * size * 1.8, line, size)
        return top + len(lines) * size * 1.8

    def scanned(self) -> Page:
        """Cover the page with an image and no text, like a scan."""
        self.image = True
        self.ops.append(f"q {self.width:.2f} 0 0 {self.height:.2f} 0 0 cm /Im1 Do Q")
        return self


def build_pdf(pages: list[Page], *, encrypted: bool = False) -> bytes:
    """Serialise ``pages`` as a PDF. ``encrypted`` adds a standard security handler whose user
    password is not empty (the /U entry is random), so readers must ask for a password."""
    objects: list[bytes] = []

    def add(body: bytes | str) -> int:
        objects.append(body.encode("latin-1") if isinstance(body, str) else body)
        return len(objects)

    catalog = add("")  # filled in below
    pages_obj = add("")
    font1 = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    cid = add(
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
        "/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        "/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 "
        "/StemV 93 >> /DW 1000 >>"
    )
    font2 = add(
        f"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H "
        f"/Encoding /UniGB-UCS2-H /DescendantFonts [{cid} 0 R] >>"
    )
    pixels = bytes(range(0, 256, 4)) * 16  # 32 x 32 grey ramp
    image = add(
        b"<< /Type /XObject /Subtype /Image /Width 32 /Height 32 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length "
        + str(len(pixels)).encode()
        + b" >>\nstream\n"
        + pixels
        + b"\nendstream"
    )
    kids = []
    for page in pages:
        ops = page.ops
        width, height = page.width, page.height
        if page.rotate % 180 == 90:
            # Draw in the rotated user space so that the page reads upright once the viewer
            # applies /Rotate: width and height are the displayed ones.
            width, height = page.height, page.width
            turn = f"0 1 -1 0 {page.height:.2f} 0" if page.rotate == 90 else f"0 -1 1 0 0 {page.width:.2f}"
            ops = [f"q {turn} cm", *ops, "Q"]
        content = zlib.compress("\n".join(ops).encode("latin-1"))
        stream = add(
            b"<< /Length "
            + str(len(content)).encode()
            + b" /Filter /FlateDecode >>\nstream\n"
            + content
            + b"\nendstream"
        )
        xobj = f"/XObject << /Im1 {image} 0 R >>" if page.image else ""
        kids.append(
            add(
                f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 {width:.2f} {height:.2f}] "
                f"/Rotate {page.rotate} /Contents {stream} 0 R "
                f"/Resources << /Font << /F1 {font1} 0 R /F2 {font2} 0 R >> {xobj} >> >>"
            )
        )
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_obj} 0 R >>".encode()
    objects[pages_obj - 1] = (
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    )
    encrypt = 0
    if encrypted:
        encrypt = add(f"<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <{'7a' * 32}> /U <{'3c' * 32}> >>")

    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    trailer = f"/Size {len(objects) + 1} /Root {catalog} 0 R /ID [<{'ab' * 16}> <{'ab' * 16}>]"
    if encrypt:
        trailer += f" /Encrypt {encrypt} 0 R"
    out += f"trailer\n<< {trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
