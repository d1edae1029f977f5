"""Checks across reports (issue 4, item 5): duplicates, ×10 jumps, copied text, a region against
its units, the missing-reports matrix — on reports written for each case and ingested."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("pandas")

from gongkai.store import open_store
from gongkai.store.across import similarity
from gongkai.synth import random_report, render

OVERVIEW = ("本年度，我区坚持以公开为常态、不公开为例外，围绕区委区政府中心工作，持续深化政务公开，"
            "推进重点领域信息公开，加强政策解读和回应社会关切，不断提升政务公开质量和实效，"
            "全年主动公开政府信息{n}条。")
FRESH = ("今年重点推进基层政务公开标准化规范化建设，编制公开事项目录并逐项明确公开主体、公开时限，"
         "开通政务公开专区，组织业务培训，改版门户网站栏目设置，方便群众查找。")
PROBLEMS = ("一是政策解读形式还不够丰富，二是基层公开水平仍不均衡。下一步，我们将加强培训，"
            "完善制度，推动政务公开工作再上新台阶。")
PROBLEMS_NEW = ("部分部门对依申请公开答复的规范性把握不准，网站信息更新不及时。今后将建立通报制度，"
                "每季度抽查各单位栏目，督促整改到位，并把公开工作纳入年度考核。")


def _report(agency: str, year: int, received: int, overview: str, problems: str, seed: int) -> str:
    """A consistent 2021-format report: every new application granted, nothing carried."""
    rng = random.Random(seed)
    truth = random_report(rng, edition="2021", profile="county", blanks=False, inconsistent=False)
    truth["agency"], truth["year"] = agency, year
    for row, values in truth["applications"].items():
        values[:] = [received, 0, 0, 0, 0, 0, received] if row in ("new_received", "granted", "total") \
            else [0] * 7
    text = render(truth, "plain", rng)
    sections = (("一、总体情况", "二、", overview), ("五、存在的主要问题及改进情况", "六、", problems))
    for heading, after, prose in sections:
        text = re.sub(rf"({heading}\**\n\n).*?(?=\n\**{after})", lambda m, p=prose: m.group(1) + p + "\n",
                      text, flags=re.S)
    return text


CASES = {  # file → (agency, year, received, overview, problems)
    "hz-2022.txt": ("洪泽区人民政府", 2022, 20, OVERVIEW.format(n=1200), PROBLEMS),
    "hz-2023.txt": ("淮安市洪泽区人民政府", 2023, 300, OVERVIEW.format(n=1350) + FRESH[:40], PROBLEMS),  # ×15
    "hz-2024.txt": ("江苏省淮安市洪泽区人民政府", 2024, 310, FRESH, PROBLEMS_NEW),
    "hz-2024-again.txt": ("洪泽区人民政府", 2024, 311, FRESH, PROBLEMS_NEW),  # a second 2024 report
    "chahe-2024.txt": ("洪泽区岔河镇人民政府", 2024, 200, FRESH, PROBLEMS),
    "finance-2024.txt": ("洪泽区财政局", 2024, 150, PROBLEMS_NEW + FRESH, PROBLEMS),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("across")
    for i, (name, case) in enumerate(CASES.items()):
        (folder / name).write_text(_report(*case, seed=i), "utf-8")
    with open_store(folder / "g.db") as s:
        result = s.ingest([folder], workers=1)
        assert result.parsed == len(CASES), result.failures
        yield s


def test_reports_are_identified(store) -> None:  # type: ignore[no-untyped-def]
    reports = store.reports().set_index("source")
    keys = {Path(source).name: key for source, key in reports["agency_key"].items()}
    assert keys == {"hz-2022.txt": "320813", "hz-2023.txt": "320813", "hz-2024.txt": "320813",
                    "hz-2024-again.txt": "320813", "chahe-2024.txt": "320813/岔河镇",
                    "finance-2024.txt": "320813/财政局"}
    assert set(reports["level"]) == {"县", "乡镇", "部门"} and set(reports["city"]) == {"淮安市"}
    assert sorted(reports["received"]) == [20, 150, 200, 300, 310, 311]


def test_duplicates(store) -> None:  # type: ignore[no-untyped-def]
    found = store.across(rules=["X-DUP"])
    assert len(found) == 1
    row = found.iloc[0]
    # files are ingested in name order: hz-2024-again.txt is stored first, the finding is on the other
    assert (row["year"], Path(row["source"]).name, Path(row["other_source"]).name) == (
        2024, "hz-2024.txt", "hz-2024-again.txt")
    assert "2024年度有 2 份" in row["message"]


def test_jumps(store) -> None:  # type: ignore[no-untyped-def]
    found = store.across(rules=["X-JUMP"])
    assert found[["year", "item", "value", "expected"]].values.tolist() == [[2023, "received", 300, 20],
                                                                           [2023, "results_total", 300, 20]]
    assert found.iloc[0]["message"] == "本年新收政府信息公开申请数量(300)是上年(20)的 15.0 倍，请核实是否填错"
    assert store.across(rules=["X-JUMP"], factor=20).empty


def test_copied_text(store) -> None:  # type: ignore[no-untyped-def]
    found = store.across(rules=["X-COPY"])
    assert found[["year", "item"]].values.tolist() == [[2023, "overview"], [2023, "problems"]]
    assert found["value"].tolist()[1] == 1.0  # section 五 copied whole
    assert 0.6 < found["value"].tolist()[0] < 0.9  # section 一 copied, a sentence added
    assert found.iloc[0]["message"].startswith("第一部分「总体情况」有 ")
    assert "与2022年度报告相同" in found.iloc[0]["message"]
    # threshold configurable: the added sentence keeps section 一 under 90 %
    assert store.across(rules=["X-COPY"], threshold=0.9)["item"].tolist() == ["problems"]


def test_similarity() -> None:
    assert similarity(OVERVIEW.format(n=1), OVERVIEW.format(n=2)) == 1.0  # figures set aside
    assert similarity(FRESH, PROBLEMS_NEW) < 0.1
    assert similarity("", FRESH) == 0.0


def test_region_against_its_units(store) -> None:  # type: ignore[no-untyped-def]
    found = store.across(rules=["X-REGION"])
    # both 2024 county reports: 310 and 311 < 200 (岔河镇) + 150 (财政局)
    assert sorted(found["value"]) == [310, 311] and set(found["expected"]) == {350}
    assert "少于其下属 2 个单位报告之和(350)" in found.iloc[0]["message"]


def test_all_rules_at_once(store) -> None:  # type: ignore[no-untyped-def]
    found = store.across()
    # the random table 2 of each report breaks X-INFORCE where it will; table 3 carries nothing
    inforce = store.cross_year()
    assert set(inforce["rule"]) <= {"X-INFORCE"}
    assert sorted(set(found["rule"]) - {"X-INFORCE"}) == ["X-COPY", "X-DUP", "X-JUMP", "X-REGION"]
    assert len(found) == 1 + 2 + 2 + 2 + len(inforce)


def test_missing_matrix(store) -> None:  # type: ignore[no-untyped-def]
    for region in ("洪泽区", "320813", "淮安市洪泽区"):
        matrix = store.missing(region)
        assert matrix[["agency_key", "level", "2022", "2023", "2024"]].values.tolist() == [
            ["320813", "县", 1, 1, 2], ["320813/财政局", "部门", 0, 0, 1], ["320813/岔河镇", "乡镇", 0, 0, 1]]
    city = store.missing("淮安市", years=range(2021, 2025))
    assert list(city.columns[-4:]) == ["2021", "2022", "2023", "2024"]
    assert store.missing("南京市").empty


def test_cli(store) -> None:  # type: ignore[no-untyped-def]
    import typer
    from typer.testing import CliRunner

    from gongkai.store.commands import register

    app = typer.Typer()
    register(app)
    runner = CliRunner()
    result = runner.invoke(app, ["across", "--db", store.name, "--rule", "X-JUMP", "--format", "csv"])
    assert result.exit_code == 0 and result.output.count("X-JUMP") == 2
    result = runner.invoke(app, ["missing", "--db", store.name, "--region", "洪泽区"])
    assert result.exit_code == 0 and "3 个单位 × 3 个年度：缺报 4 份" in result.output  # Chinese by default
    result = runner.invoke(app, ["missing", "--db", store.name, "--region", "洪泽区", "--lang", "en"])
    assert result.exit_code == 0 and "3 units × 3 years: 4 reports missing" in result.output
    assert runner.invoke(app, ["missing", "--db", store.name, "--region", "南京市"]).exit_code == 1
    result = runner.invoke(app, ["across", "--db", store.name, "--rule", "X-NOPE"])
    assert result.exit_code == 2 and "X-NOPE" in result.output


def test_which_region_a_unit_belongs_to() -> None:
    import pandas as pd

    from gongkai.store.across import _parent_region

    frame = pd.DataFrame({"region_code": ["320800", "320800", "320813", "110101", "320813", "320000"],
                          "level": ["部门", "市", "县", "县", "乡镇", "省"]})
    assert _parent_region(frame).tolist()[:5] == ["320800", "320000", "320800", "110000", "320813"]
    assert pd.isna(_parent_region(frame).iloc[5])  # a province is nobody's unit


def test_items_carried_between_2019_format_reports(tmp_path: Path) -> None:
    """X-ITEMS (template.md §5.2): 2020's 上一年项目数量 = 2019's 上一年项目数量 + 本年增/减."""
    rng = random.Random(8)
    first = random_report(rng, edition="2019", profile="county", blanks=False, inconsistent=False)
    second = random_report(rng, edition="2019", profile="county", blanks=False, inconsistent=False)
    first["agency"] = second["agency"] = "江河县人民政府"
    first["year"], second["year"] = 2019, 2020
    for row in ("licensing", "other_services", "punishment", "enforcement", "fees"):
        before = first["active_disclosure"][row]
        second["active_disclosure"][row]["prev_items"] = before["prev_items"] + before["change"]
    second["active_disclosure"]["fees"]["prev_items"] += 5  # the one row that does not carry
    for truth in (first, second):
        (tmp_path / f"{truth['year']}.txt").write_text(render(truth, "plain", rng), "utf-8")
    with open_store(tmp_path / "g.db") as s:
        s.ingest([tmp_path], workers=1)
        found = s.across(rules=["X-ITEMS"])
        fees = first["active_disclosure"]["fees"]
        assert found[["year", "item", "value", "expected"]].values.tolist() == [
            [2020, "active_disclosure.fees.prev_items", fees["prev_items"] + fees["change"] + 5,
             fees["prev_items"] + fees["change"]]]
        assert found.iloc[0]["message"].startswith("表二「行政事业性收费」：上一年项目数量(")
        assert len(s.cross_year(passing=True).query("rule == 'X-ITEMS'")) == 5
