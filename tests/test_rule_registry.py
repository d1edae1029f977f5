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
        for case in notice.messages.values() if notice.stage == "across" else ():
            for text in (case.zh, case.en):
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
    for rule, cases in _yaml_cases().items():
        for case in cases:
            assert f"| {rule} | {case} |" in page.read_text("utf-8"), (rule, case)


# ------------------------------------------------------------------ finding messages live in the yaml
# what reports a finding from a case of template.yaml: (rule id, case) are its first string arguments
_REPORTERS = {"add_finding": 1, "new_finding": 0}  # name → index of the rule id among the arguments
_CASE_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _calls() -> list[tuple[ast.Call, str, str]]:
    """Every call in src/gongkai, with the called name and where it stands."""
    calls = []
    for path in sorted((ROOT / "src" / "gongkai").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = (func.id if isinstance(func, ast.Name)
                        else func.attr if isinstance(func, ast.Attribute) else "")
                calls.append((node, name, f"{path.relative_to(ROOT)}:{node.lineno}"))
    return calls


def _text(node: ast.AST) -> bool:
    """Is the node message text written in code: an f-string, a string that is no case name or
    id, or text joined with ``+``?"""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return not (_CASE_NAME.fullmatch(node.value) or RULE_ID.fullmatch(node.value))
    return isinstance(node, ast.BinOp) and (_text(node.left) or _text(node.right))


def _cases(declared) -> dict[str, set[str]]:
    return {d.id: set(d.messages) for d in declared}


def _yaml_cases() -> dict[str, set[str]]:
    return {**_cases(TEMPLATE.rules), **_cases(TEMPLATE.notices)}


def test_findings_are_given_a_case_of_the_template_not_text():
    """Code reports a finding by its id and a case of template.yaml's ``messages:``, the
    particulars as keyword values: no message text of its own (issue 10)."""
    inline = []
    for call, name, where in _calls():
        if name in _REPORTERS:
            args = call.args[_REPORTERS[name] + 2:]  # after the rule id and the case: no positional text
            if args or any(_text(a) for a in call.args):
                inline.append(where)
        elif name == "Finding":
            texts = call.args[2:4] + [k.value for k in call.keywords if k.arg in ("message", "message_en")]
            if any(_text(t) for t in texts):
                inline.append(where)
    assert not inline, f"give these findings a case of template.yaml instead of text: {inline}"


def test_no_message_is_extended_with_text():
    appended = []
    for path in sorted((ROOT / "src" / "gongkai").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Attribute)
                    and node.target.attr in ("message", "message_en") and _text(node.value)):
                appended.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not appended, f"extend messages with a case of template.yaml (extend_message): {appended}"


def test_every_case_the_code_names_is_in_the_template_and_every_case_is_used():
    declared = _yaml_cases()
    missing = []
    for call, name, where in _calls():
        if name in _REPORTERS:
            at = _REPORTERS[name]
            rule, case = [*call.args[at:at + 2], None, None][:2]
        elif name in ("message", "severity") and len(call.args) >= 2:  # TEMPLATE.message(id, case, …)
            rule, case = call.args[:2]
        else:
            continue
        if (isinstance(rule, ast.Constant) and isinstance(case, ast.Constant)
                and case.value not in declared.get(rule.value, ())):
            missing.append(f"{rule.value} {case.value} ({where})")
    assert not missing, f"template.yaml has no such case: {missing}"
    # a case is used when its name stands in the code outside the template (as a literal: cases
    # chosen by a variable are written where the variable is set)
    words = set()
    for path in sorted((ROOT / "src" / "gongkai").rglob("*.py")):
        if (ROOT / "src" / "gongkai" / "template") in path.parents:
            continue
        words |= {n.value for n in ast.walk(ast.parse(path.read_text("utf-8")))
                  if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    unused = sorted(f"{rule} {case}" for rule, cases in declared.items() for case in cases
                    if case not in words)
    assert not unused, f"no code uses these cases of template.yaml: {unused}"


def test_every_case_fills_in_from_keywords_and_keeps_the_severities_known():
    import string

    for declared in (*TEMPLATE.rules, *TEMPLATE.notices):
        for name, case in declared.messages.items():
            assert _CASE_NAME.fullmatch(name), (declared.id, name)
            assert case.severity in (None, "error", "warning", "info"), (declared.id, name)
            for text in (case.zh, case.en):
                fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
                assert all(f.isidentifier() for f in fields), (declared.id, name, text)
    # a case reports what its id usually does unless it says otherwise
    assert TEMPLATE.severity("P-ALIGN", "count") == "warning"
    assert TEMPLATE.severity("P-SETTLED", "arithmetic") == "info"
    assert TEMPLATE.severity("T3-ROWSET", "other_edition") == "warning"  # the checker's T3-ROWSET: error
    assert TEMPLATE.rule("T3-ROWSET").severity == "error"



def test_a_finding_from_a_case_reads_as_the_template_says():
    from gongkai.extract.context import new_finding

    finding = new_finding("P-ALIGN", "count", cells=["applications.granted.total"], line=12,
                          row="表三「(一)予以公开」行", key="granted", slots=7, count=6,
                          printed="1 2 3 4 5 6", names="「总计」", undecided=1)
    assert (finding.rule, finding.severity, finding.line) == ("P-ALIGN", "warning", 12)
    assert finding.message == ("表三「(一)予以公开」行：应有 7 个数，实印 6 个（1 2 3 4 5 6），"
                               "无法确定 「总计」 各自对应的数（未取值）")
    assert finding.message_en == ("granted: 7 cells but 6 values printed (1 2 3 4 5 6); "
                                  "1 cells cannot be placed with certainty")
    dropped = new_finding("T3-ROWSET", "other_edition", line=3, label="(六)其他处理", key="other",
                          edition="2021")
    assert dropped.severity == "warning"
    assert dropped.message == "表三「(六)其他处理」行不属于2021年格式，未计入"
