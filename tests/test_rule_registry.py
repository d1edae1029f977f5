"""One source of truth for finding ids: every id the code reports is declared in template.yaml
(its rules, or its notices of reading, inference and comparison), and docs/rules.md is generated
from there."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from gongkai.template import TEMPLATE, rules_markdown

ROOT = Path(__file__).resolve().parents[1]
# a finding id: a letter (or T2/T3/T4) and words in capitals: P-ALIGN, T3-ROWSUM, S-TEMPLATE-YEAR
RULE_ID = re.compile(r"(?:T[234]|[TNSCPXF])-[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*")


def _ids_in_code() -> dict[str, str]:
    """Every string literal of src/gongkai that is a finding id, with where it stands."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "src" / "gongkai").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and RULE_ID.fullmatch(text):
                found.setdefault(text, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_id_the_code_reports_is_declared():
    declared = TEMPLATE.rule_ids()
    undeclared = {rule: where for rule, where in _ids_in_code().items() if rule not in declared}
    assert not undeclared, f"declare these in template.yaml (rules: or notices:): {undeclared}"


def test_the_scan_sees_the_ids_it_must():
    found = _ids_in_code()
    for rule in ("P-ALIGN", "F-SOLVE", "X-CARRY", "C-TEXT", "S-TABLES", "T2-ROWSET"):
        assert rule in found, rule


def test_no_id_is_assembled_from_pieces():
    """An id built at run time (f"X-{kind}", "P-" + name) would escape the scan above: every id in
    the code is written whole."""
    prefix = re.compile(r"(?:T[234]|[TNSCPXF])-[A-Z0-9-]*$")
    assembled = []
    for path in sorted((ROOT / "src" / "gongkai").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            pieces = []
            if isinstance(node, ast.JoinedStr):
                pieces = node.values[:1]
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
                pieces = [node.left]
            if any(isinstance(p, ast.Constant) and isinstance(p.value, str) and prefix.fullmatch(p.value)
                   for p in pieces):
                assembled.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not assembled, f"write these finding ids whole: {assembled}"


def test_every_rule_says_what_it_means_in_both_languages():
    for rule in TEMPLATE.rules:
        assert rule.zh.strip() and rule.en.strip(), rule.id
        assert rule.severity in ("error", "warning", "info"), rule.id
    for notice in TEMPLATE.notices:
        assert notice.zh.strip() and notice.en.strip(), notice.id


def test_messages_across_reports_come_from_the_template():
    """The checks across reports fill in the messages template.yaml gives their notices (X-DUP's is
    the message catalogue's), and write none of their own."""
    import string

    for notice in TEMPLATE.notices:
        if notice.stage == "across" and notice.id != "X-DUP":
            assert notice.messages, f"{notice.id}: no messages in template.yaml"
        for zh, en in notice.messages.values():
            for text in (zh, en):
                fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
                assert fields and all(name.isidentifier() for name in fields), (notice.id, text)
    across = ROOT / "src" / "gongkai" / "store" / "across.py"
    tree = ast.parse(across.read_text("utf-8"))
    inline = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Dict)
              for key, value in zip(node.keys, node.values, strict=True)
              if isinstance(key, ast.Constant) and key.value in ("message", "message_en")
              and isinstance(value, ast.JoinedStr)]
    assert not inline, f"store/across.py writes messages itself at lines {inline}"


def test_notices_are_complete_and_unique():
    ids = [n.id for n in TEMPLATE.notices] + [r.id for r in TEMPLATE.rules]
    assert len(ids) == len(set(ids))
    for notice in TEMPLATE.notices:
        assert notice.stage in ("extract", "infer", "across")
        assert notice.severity in ("error", "warning", "info")
        assert notice.zh and notice.en


def test_docs_rules_page_is_generated_from_the_template():
    page = ROOT / "docs" / "rules.md"
    assert page.read_text("utf-8") == rules_markdown(), (
        "docs/rules.md is stale: python -c 'from gongkai.template import rules_markdown; "
        "open(\"docs/rules.md\", \"w\").write(rules_markdown())'")
    for rule in TEMPLATE.rule_ids():
        assert f"| {rule} |" in page.read_text("utf-8")
