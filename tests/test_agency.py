"""Agency identity (issue 4, item 4): normalised names, divisions, levels, the cross-year key."""

from __future__ import annotations

import pytest

from gongkai.agency import divisions, identify, normalise


def test_the_forms_of_one_government_link() -> None:
    forms = ["淮安市洪泽区人民政府", "洪泽区人民政府", "江苏省淮安市洪泽区人民政府", "洪泽区政府",
             "淮安市 洪泽区 人民政府", "淮安市洪泽区人民政付"]  # spaces, short form, an OCR slip
    found = {identify(name) for name in forms}
    assert len(found) == 1
    who = found.pop()
    assert (who.name, who.key, who.region_code) == ("江苏省淮安市洪泽区人民政府", "320813", "320813")
    assert (who.province, who.city, who.county, who.township, who.level) == ("江苏省", "淮安市", "洪泽区",
                                                                             None, "县")


@pytest.mark.parametrize(("name", "level", "key", "place"), [
    ("江苏省人民政府", "省", "320000", ("江苏省", None, None)),
    ("北京市人民政府", "省", "110000", ("北京市", None, None)),  # a municipality is provincial
    ("北京市东城区人民政府", "县", "110101", ("北京市", None, "东城区")),
    ("淮安市人民政府", "市", "320800", ("江苏省", "淮安市", None)),
    ("昆山市人民政府", "县", "320583", ("江苏省", "苏州市", "昆山市")),  # a county-level city
    ("仙桃市人民政府", "县", "429004", ("湖北省", None, "仙桃市")),  # under the province directly
    ("淮安市财政局", "部门", "320800/财政局", ("江苏省", "淮安市", None)),
    ("江苏省淮安市洪泽区财政局", "部门", "320813/财政局", ("江苏省", "淮安市", "洪泽区")),
    ("内蒙古呼和浩特市财政局", "部门", "150100/财政局", ("内蒙古自治区", "呼和浩特市", None)),
    ("江苏省人民政府办公厅", "部门", "320000/人民政府办公厅", ("江苏省", None, None)),
])
def test_levels_and_divisions(name: str, level: str, key: str, place: tuple) -> None:
    who = identify(name)
    assert (who.level, who.key, (who.province, who.city, who.county)) == (level, key, place)


def test_townships_are_named_from_the_agency_name() -> None:
    town = identify("洪泽区岔河镇人民政府")
    assert (town.township, town.level, town.county, town.key) == ("岔河镇", "乡镇", "洪泽区", "320813/岔河镇")
    street = identify("江苏省淮安市洪泽区高良涧街道办")  # 街道办 → 街道办事处
    assert street.name == "江苏省淮安市洪泽区高良涧街道办事处"
    assert (street.township, street.level, street.key) == ("高良涧街道", "乡镇", "320813/高良涧街道")
    # a township the table cannot place keeps its name as key: same key with or without 人民政府
    assert identify("湘水镇人民政府").key == identify("湘水镇").key == "湘水镇"
    assert identify("湘水镇").level == "乡镇" and identify("湘水镇").region_code is None


def test_names_the_table_cannot_resolve() -> None:
    # four districts are called 鼓楼区: without the city nothing is guessed
    gulou = identify("鼓楼区人民政府")
    assert (gulou.region_code, gulou.level, gulou.key) == (None, "县", "鼓楼区")
    assert identify("南京市鼓楼区人民政府").region_code == "320106"
    assert identify("福州市鼓楼区人民政府").region_code == "350102"
    invented = identify("江河市平安区市场监督管理局")
    assert (invented.region_code, invented.level) == (None, "部门")
    assert invented.key == "江河市平安区市场监督管理局"
    assert identify("江河市人民政府").level == "市"


def test_normalise() -> None:
    assert normalise("　苏州工业园区 管委会") == "苏州工业园区管理委员会"
    assert normalise("ＸＸ县人民政俯") == "XX县人民政府"  # full-width letters and an OCR slip


def test_the_division_table() -> None:
    table = divisions()
    assert len(table) > 3000 and table["320813"] == "洪泽区" and table["110000"] == "北京市"
    assert all(len(code) == 6 and code.isdigit() for code in table)
