"""C-LATE (issue 13, item 4): publication dates read with their source, deadlines from the template,
late reports flagged, never a guessed date."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

import gongkai
from clerk_reports import report_text
from gongkai.check.timeliness import Dated, assess, signature_date, timeliness, url_date
from gongkai.template import TEMPLATE

COUNTY = "淮安市洪泽区人民政府"


def _late(report: gongkai.Report) -> list[gongkai.Finding]:
    return [f for f in report.findings if f.rule == "C-LATE"]


def test_deadlines_are_data_shared_by_the_checker_and_the_collector() -> None:
    assert TEMPLATE.deadline("部门", 2023) == date(2024, 1, 31)
    assert TEMPLATE.deadline("县", 2023) == TEMPLATE.deadline("省", 2023) == date(2024, 3, 31)
    assert TEMPLATE.deadline("乡镇", 2023) is None and TEMPLATE.deadline("县", None) is None
    assert TEMPLATE.rule("C-LATE").severity == "warning"
    pytest.importorskip("sqlalchemy")
    from gongkai.collect import read

    assert read.deadline("部门", 2023) == date(2024, 1, 31) and read.deadline("乡镇", 2023) is None
    assert not hasattr(read, "DEADLINES")  # the deadlines live once, in template.yaml


def test_a_signature_after_the_deadline_is_late() -> None:
    report = gongkai.parse(report_text(COUNTY, signature="二〇二四年四月十五日"))
    (late,) = _late(report)
    assert late.severity == "warning"
    assert late.values == {"published": "2024-04-15", "source": "signature", "deadline": "2024-03-31",
                           "level": "县", "days_late": 15}
    assert "落款日期为2024-04-15" in late.message and "晚于法定期限2024-03-31" in late.message
    assert "第四十九条" in late.message and "3月31日" in late.message
    assert "31 March" in late.message_en and late.evidence == "二〇二四年四月十五日"


def test_a_signature_before_the_deadline_proves_nothing() -> None:
    report = gongkai.parse(report_text(COUNTY, signature="2024年3月20日"))
    assert not _late(report)
    result = timeliness(report)
    assert result.signed is not None and result.signed.date == date(2024, 3, 20)
    assert result.late is None and result.status() == "日期不明" and result.status("en") == "unknown"


def test_the_printed_publication_date_decides() -> None:
    late = gongkai.parse(report_text(COUNTY, published="2024-04-02", signature="2024年3月20日"))
    (finding,) = _late(late)
    assert finding.values["source"] == "text" and finding.values["published"] == "2024-04-02"
    on_time = gongkai.parse(report_text(COUNTY, published="2024年3月28日"))
    assert not _late(on_time) and timeliness(on_time).late is False
    assert timeliness(on_time).status() == "按时"


def test_departments_by_31_january_and_townships_never() -> None:
    department = gongkai.parse(report_text("淮安市洪泽区财政局", published="2024-02-05"))
    (finding,) = _late(department)
    assert finding.values["level"] == "部门" and finding.values["deadline"] == "2024-01-31"
    township = gongkai.parse(report_text("淮安市洪泽区岔河镇人民政府", published="2024-12-05"))
    assert not _late(township) and timeliness(township).status() == "无法定期限"


def test_no_date_no_finding_and_no_guess() -> None:
    report = gongkai.parse(report_text(COUNTY))
    assert not _late(report)
    result = timeliness(report)
    assert result.published is None and result.signed is None and result.late is None
    # a date inside the report's own year cannot be its publication date
    assert assess("县", 2023, [Dated(date(2023, 12, 1), "text")]).published is None


def test_a_dated_url_and_the_precedence_of_sources() -> None:
    assert url_date("https://www.hongze.gov.cn/art/2024/4/2/art_1_2.html") == date(2024, 4, 2)
    assert url_date("http://x.gov.cn/zwgk/202404/t20240402_123.html") == date(2024, 4, 2)
    assert url_date("reports/art/2024/4/2/a.html") is None  # a local path is no publication
    report = gongkai.parse(report_text(COUNTY))
    online = replace(report, source="https://www.hongze.gov.cn/art/2024/4/2/art_1_2.html")
    result = timeliness(online)
    assert result.published is not None and result.published.source == "url" and result.late is True
    # the page's metadata (known to the collector) comes before the URL
    result = timeliness(online, [Dated(date(2024, 3, 30), "meta")])
    assert result.published is not None and result.published.source == "meta" and result.late is False


def test_signature_lines() -> None:
    assert signature_date({"other_matters": "本年度未收费。\n某某县人民政府 2024年1月9日"}) == (
        date(2024, 1, 9), "某某县人民政府 2024年1月9日")
    assert signature_date({"other_matters": "2024年1月9日起施行的办法。\n其他"}) is None
    found = signature_date({"overview": "…", "other_matters": "无\n二〇二五年一月三十一日"})
    assert found is not None and found[0] == date(2025, 1, 31)


def test_read_back_from_json_keeps_one_finding() -> None:
    report = gongkai.parse(report_text(COUNTY, signature="2024年5月6日"))
    again = gongkai.parse(report.to_json())
    assert len(_late(again)) == 1


def test_check_shows_it_in_both_languages(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from gongkai.cli import app

    runner = CliRunner()
    path = tmp_path / "late.txt"
    path.write_text(report_text(COUNTY, signature="2024年4月15日"), "utf-8")
    result = runner.invoke(app, ["check", str(path), "--fail-on", "never"])
    assert result.exit_code == 0 and "C-LATE" in result.output and "晚于法定期限" in result.output
    result = runner.invoke(app, ["check", str(path), "--fail-on", "never"], env={"GONGKAI_LANG": "en"})
    assert "after the legal deadline 2024-03-31" in " ".join(result.output.split())
