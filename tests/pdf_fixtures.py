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
        elif angle == 90:
            matrix = f"0 1 -1 0 {x + size:.2f} {self.height - top - size:.2f}"
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
        b"/BitsPerComponent 8 /Length " + str(len(pixels)).encode() + b" >>\nstream\n" + pixels + b"\nendstream"
    )
    kids = []
    for page in pages:
        content = zlib.compress("\n".join(page.ops).encode("latin-1"))
        stream = add(
            b"<< /Length " + str(len(content)).encode() + b" /Filter /FlateDecode >>\nstream\n"
            + content + b"\nendstream"
        )
        xobj = f"/XObject << /Im1 {image} 0 R >>" if page.image else ""
        kids.append(
            add(
                f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 {page.width:.2f} {page.height:.2f}] "
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
        encrypt = add(
            "<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 "
            f"/O <{'7a' * 32}> /U <{'3c' * 32}> >>"
        )

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
