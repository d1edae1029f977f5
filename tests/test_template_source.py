"""The template is data written once: table names, format ids and blank marks live in template.yaml and
the code reads them through ``gongkai.template.TEMPLATE`` instead of restating them (issue 10)."""

from __future__ import annotations

import ast
from pathlib import Path

from gongkai.template import EDITIONS, TEMPLATE

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "gongkai"
TEMPLATE_DIR = PACKAGE / "template"
# restatements left in code that another change removes: (what, file) → why (none may be added;
# issue 10 emptied it)
KNOWN: dict[tuple[str, str], str] = {}


def _literals(what: str) -> list[tuple[ast.AST, str]]:
    """Every node of src/gongkai outside the template package (and KNOWN for ``what``), with where
    it stands."""
    nodes = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if TEMPLATE_DIR in path.parents or (what, str(path.relative_to(ROOT))) in KNOWN:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            nodes.append((node, f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"))
    return nodes


def test_table_names_come_from_the_template():
    assert list(TEMPLATE.tables) == ["active_disclosure", "applications", "review_litigation"]
    assert [t.zh for t in TEMPLATE.tables.values()] == ["表二", "表三", "表四"]
    assert [t.en for t in TEMPLATE.tables.values()] == ["Table 2", "Table 3", "Table 4"]
    for table in TEMPLATE.tables.values():
        assert table.title and table.title_en
    # a bare name as a string of its own is a table of names restated (messages may say 表三「…」)
    names = {n for t in TEMPLATE.tables.values() for n in (t.zh, t.en, t.en.lower())}
    restated = [where for node, where in _literals("tables")
                if isinstance(node, ast.Constant) and isinstance(node.value, str)
                and node.value.strip() in names]
    assert not restated, f"read TEMPLATE.tables instead of writing the table names: {restated}"


def test_cell_labels_use_the_table_names():
    assert TEMPLATE.cell_label("applications.total.natural_person").startswith("表三「")
    assert TEMPLATE.cell_label("review_litigation.review.total").startswith("表四「")


def test_format_ids_agree_with_the_yaml():
    import yaml

    raw = yaml.safe_load((TEMPLATE_DIR / "template.yaml").read_text("utf-8"))
    assert tuple(raw["formats"]) == EDITIONS
    # the pair spelled out as a literal is the list of formats restated
    restated = [where for node, where in _literals("formats")
                if isinstance(node, ast.Tuple | ast.List | ast.Set)
                and len(node.elts) == len(EDITIONS)
                and sorted(str(e.value) for e in node.elts if isinstance(e, ast.Constant))
                == sorted(EDITIONS)]
    assert not restated, f"use gongkai.template.EDITIONS: {restated}"


def test_the_form_command_takes_the_editions_of_the_template(tmp_path):
    """`gongkai template --edition` (2019/2021 is an edition; --format, its old name, still works
    and is hidden) accepts exactly the template's editions."""
    from typer.testing import CliRunner

    from gongkai.cli import app

    runner = CliRunner()
    shown = runner.invoke(app, ["template", "--help", "--lang", "en"], prog_name="gongkai").output
    assert "--edition" in shown and "--format" not in shown
    for edition in EDITIONS:
        target = tmp_path / f"{edition}.md"
        result = runner.invoke(app, ["template", "--format", edition, "--to", "md", "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert TEMPLATE.edition_markers[edition][0] in target.read_text("utf-8")
    refused = runner.invoke(app, ["template", "--edition", "2020", "--to", "md", "-o", str(tmp_path / "x")])
    assert refused.exit_code == 2 and not (tmp_path / "x").exists()


def test_blank_marks_are_one_list():
    assert {"/", "-", "—", "无"} <= TEMPLATE.blank_marks
    from gongkai.extract.lexer import BLANK_MARKERS

    assert BLANK_MARKERS is TEMPLATE.blank_marks, "the lexer reads its blank marks from template.yaml"
    # a collection of three or more blank marks written in code is another list to drift
    restated = [where for node, where in _literals("blank marks")
                if isinstance(node, ast.Set | ast.List | ast.Tuple) and len(node.elts) >= 3
                and all(isinstance(e, ast.Constant) and e.value in TEMPLATE.blank_marks for e in node.elts)]
    # the generator's is its choice of which marks to print
    chosen = {str(Path("src", "gongkai", "synth", "text_styles", "_base.py"))}
    assert all(where.rpartition(":")[0] in chosen for where in restated), \
        f"read TEMPLATE.blank_marks: {restated}"
    from gongkai.synth.text_styles._base import _VISIBLE_BLANKS

    assert set(_VISIBLE_BLANKS) < TEMPLATE.blank_marks
