"""Legacy Office files (.doc, .xls) made by LibreOffice itself, read back through LibreOffice."""

from __future__ import annotations

import subprocess

import pytest

import gongkai
from corpus import SEEDS
from gongkai.errors import ParseError
from gongkai.readers import legacy, sniff
from gongkai.render import render

pytestmark = pytest.mark.tools("soffice", "cjk-font")
SEED = next(SEEDS.glob("004_*.txt"))


def _convert(path, target: str, tmp_path):
    subprocess.run([legacy.soffice(), "--headless", "--norestore",
                    f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--convert-to", target, "--outdir", str(tmp_path), str(path)],
                   capture_output=True, timeout=180, check=True)
    return (tmp_path / f"{path.stem}.{target}").read_bytes()


@pytest.mark.parametrize(("rendered", "legacy_format"), [("docx", "doc"), ("xlsx", "xls")])
def test_legacy_office_file_parses_like_its_source(tmp_path, rendered, legacy_format):
    pytest.importorskip("docx")
    original = gongkai.parse(SEED)
    source = tmp_path / f"report.{rendered}"
    source.write_bytes(render(original, rendered))
    data = _convert(source, legacy_format, tmp_path)
    assert sniff(data) == "ole" and legacy.legacy_kind(data) == rendered
    report = gongkai.parse(data, name=f"report.{legacy_format}")  # by content, not extension
    assert {p: c.value for p, c in report.cells.items()} == {p: c.value for p, c in original.cells.items()}


def test_damaged_legacy_file_is_refused_with_the_reason():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000  # an OLE header and nothing in it
    with pytest.raises(ParseError, match=r"bad\.doc: LibreOffice could not convert"):
        gongkai.parse(data, name="bad.doc")
