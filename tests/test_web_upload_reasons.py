"""Why an uploaded file could not be read, in Chinese on the upload page (issue 13, item 1): the
readers word their reasons in English; the page says them through the one catalogue
(:func:`gongkai.messages.reason`). Driven in Chromium too, with a screenshot in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from gongkai.web import create_app
from web_fixtures import api_login, browser_page, make_store, served_store, upload

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
BAD_FILES = {
    "empty.txt": b"",
    "cut.pdf": b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n",  # a download that stopped half-way
    "noise.txt": b"\x00\x01\x02\x03" * 400,
}
SAID = {"empty.txt": "空文件", "cut.pdf": "PDF 文件不完整：结尾没有 %%EOF",
        "noise.txt": "二进制数据，不是文本报告"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with make_store(tmp_path_factory.mktemp("upload-reasons"), []) as s:
        yield s


def test_the_upload_job_gives_each_reason_in_chinese(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    app = create_app(store.name, store=store, upload_dir=tmp_path / "uploads")
    with TestClient(app) as client:
        token = api_login(client, "rita")
        job = upload(client, token, [("files", (name, data)) for name, data in BAD_FILES.items()])
    assert job["state"] == "done", job
    said = {item["name"]: item for item in job["items"]}
    for name, words in SAID.items():
        assert said[name]["status"] in ("failed", "refused"), said[name]  # an empty file: refused at once
        assert words in said[name]["message"], said[name]
        assert "file" not in said[name]["message"], said[name]  # no English reason left


@pytest.fixture(scope="module")
def base_url(store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with served_store(store, tmp_path_factory.mktemp("uploads")) as url:
        yield url


@pytest.mark.tools("chromium", "cjk-font")  # fails under CI=true when missing
def test_the_upload_page_shows_the_reasons_in_chinese(base_url: str, tmp_path: Path) -> None:
    paths = []
    for name, data in BAD_FILES.items():
        (tmp_path / f"page-{name}").write_bytes(data)
        paths.append(str(tmp_path / f"page-{name}"))
    with browser_page(base_url, "rita", timeout_ms=60_000) as (page, expect):
        page.goto(f"{base_url}/upload")
        page.set_input_files("#upload-files", paths)
        page.click('#upload-form button[type="submit"]')
        results = page.locator("#upload-results")
        for name, words in SAID.items():
            expect(results.locator(f'tr:has-text("page-{name}")')).to_contain_text(words)
        expect(results).not_to_contain_text("empty file")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web-upload-reasons.png"), full_page=True)
