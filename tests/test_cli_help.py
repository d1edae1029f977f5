"""Chinese by default, English with --lang en or GONGKAI_LANG (issue 13, item 1): every --help,
every failure reason a reader gives, and the texts of the core commands, from one catalogue."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from corpus import CRAWL, SEEDS
from gongkai.cli import LAZY_COMMANDS, _register_collections, app
from gongkai.cli_help import cell_len, wrap
from gongkai.messages import HELP, REASONS, reason

SRC = Path(__file__).resolve().parents[1] / "src" / "gongkai"
CJK = re.compile(r"[\u4e00-\u9fff]")
runner = CliRunner()


def _every_command() -> list[tuple[str, Any]]:
    """(path, command) of every command and subcommand, the optional ones included."""
    group = typer.main.get_group(app)
    found: list[tuple[str, Any]] = [(name, group.commands[name]) for name in group.commands]
    extra = typer.Typer(rich_markup_mode=None)
    _register_collections(extra)
    found += list(typer.main.get_group(extra).commands.items())
    result: list[tuple[str, Any]] = []
    while found:
        path, command = found.pop()
        result.append((path, command))
        found += [(f"{path} {name}", sub) for name, sub in (getattr(command, "commands", None) or {}).items()]
    return result


def test_every_command_and_parameter_has_its_chinese_help():
    pytest.importorskip("sqlalchemy")
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    commands = _every_command()
    assert {path for path, _ in commands} >= {"check", "roster import", "user add", *LAZY_COMMANDS}
    lacking = [path for path, _ in commands if not CJK.search(HELP.get(path, ""))]
    for path, command in commands:
        for param in command.params:
            if param.name and param.name != "help" and not (
                    HELP.get(f"{path}:{param.name}") or HELP.get(f":{param.name}")):
                lacking.append(f"{path}:{param.name}")
    assert not lacking, f"add the Chinese help of these to gongkai.messages.HELP: {lacking}"


def test_help_is_chinese_by_default_and_english_on_request(monkeypatch):
    monkeypatch.delenv("GONGKAI_LANG", raising=False)
    top = runner.invoke(app, ["--help"], prog_name="gongkai")
    assert top.exit_code == 0
    assert "用法：gongkai [选项] 命令 [参数]..." in top.output and "命令：" in top.output
    assert "按国家格式的每条规则检查报告" in top.output and "Usage" not in top.output
    check = runner.invoke(app, ["check", "--help"])
    assert "发现此级别或更严重的问题时退出码为 1" in check.output and "显示此帮助并退出。" in check.output
    assert "[默认：" in check.output and "Options" not in check.output
    english = runner.invoke(app, ["check", "--help", "--lang", "en"])
    assert "Check reports against every rule of the template" in english.output
    assert "Options:" in english.output and "显示此帮助" not in english.output
    monkeypatch.setenv("GONGKAI_LANG", "en")
    assert "Commands:" in runner.invoke(app, ["--help"]).output


def test_help_of_an_optional_command_in_both_languages(monkeypatch):
    pytest.importorskip("sqlalchemy")
    monkeypatch.delenv("GONGKAI_LANG", raising=False)
    chinese = runner.invoke(app, ["roster", "from-divisions", "--help"])
    assert chinese.exit_code == 0
    assert "把一个区划及其下级区划的人民政府加入名册" in chinese.output and "参数：" in chinese.output
    english = runner.invoke(app, ["roster", "from-divisions", "--help", "--lang", "en"])
    assert "Add the governments of a division" in english.output and "Arguments:" in english.output


def test_help_lines_fit_the_terminal_by_their_width():
    """A Chinese character takes two columns: lines are cut by what the terminal shows."""
    text = "逐个文件显示进度、速度和剩余时间（默认：终端里显示进度条；--progress：日志里也逐行输出）"
    lines = wrap(text, 30)
    assert all(cell_len(line) <= 30 for line in lines) and len(lines) > 2
    assert not any(line.startswith(("，", "；", "）")) for line in lines)  # never a closing mark first
    assert "".join(lines).replace(" ", "") == text
    top = runner.invoke(app, ["--help"], terminal_width=80)
    assert max(cell_len(line) for line in top.output.splitlines()) <= 80


# ------------------------------------------------------------------------------ failure reasons
def _literal(node: ast.expr, constants: dict[str, str]) -> str | None:
    """A reader's reason as a sample text: an f-string's values replaced by digits."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant)
                       else constants.get(getattr(v.value, "id", ""), "7")  # type: ignore[attr-defined]
                       for v in node.values)
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    return None


def _reader_reasons() -> list[tuple[str, str]]:
    """(file, sample reason) of every ParseError a reader, the pipeline or the ingest walk raises
    with a literal reason, and the reasons the ingest engines and walk record."""
    found: list[tuple[str, str]] = []
    files = [*sorted((SRC / "readers").glob("*.py")), SRC / "pipeline.py"]
    files += [p for p in (SRC / "store" / "walk.py", SRC / "store" / "engines.py") if p.exists()]
    for path in files:
        tree = ast.parse(path.read_text("utf-8"))
        # module constants, plain or annotated (``NAME: Final = "…"``, as the compiled modules write them)
        constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign | ast.AnnAssign)
                     for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
                     if isinstance(t, ast.Name)
                     and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ParseError" \
                    and len(node.args) == 2:
                text = _literal(node.args[1], constants)
            elif isinstance(node, ast.Return) and node.value is not None and path.name == "pdf.py" \
                    and isinstance(node.value, ast.Constant | ast.JoinedStr):
                text = _literal(node.value, constants)  # _open_error's reasons
            elif (isinstance(node, ast.keyword) and node.arg == "refused") or (
                    isinstance(node, ast.Assign)
                    and any(getattr(t, "id", "") == "refused" for t in node.targets)):
                text = _literal(node.value, constants)
            elif isinstance(node, ast.Tuple) and len(node.elts) == 3 \
                    and isinstance(node.elts[0], ast.Constant) and node.elts[0].value == "failed":
                text = _literal(node.elts[1], constants)
            else:
                continue
            if text and not CJK.search(text) and text.strip() and text != "7":
                found.append((path.name, text))
    return found


def test_every_english_reason_a_reader_gives_is_said_in_chinese():
    samples = _reader_reasons()
    assert len(samples) > 40  # the scan finds the readers' messages
    untranslated = [(name, text) for name, text in samples if not CJK.search(reason(text, "zh"))]
    assert not untranslated, f"add these to gongkai.messages.REASONS: {untranslated}"
    assert all(reason(text, "en") == text for _, text in samples)  # English stays as the reader said it


@pytest.mark.parametrize(("english", "chinese"), [
    ("empty file", "空文件"),
    ("truncated PDF: the file does not end with %%EOF (incomplete download?)",
     "PDF 文件不完整：结尾没有 %%EOF（可能没有下载完）"),
    ("file too large: 2.0 MiB (limit 1.0 MiB; set GONGKAI_MAX_FILE_MB to raise it)",
     "文件过大：2.0 MiB（上限 1.0 MiB；可用 --max-mb 或 GONGKAI_MAX_FILE_MB 调高）"),
    ("invalid utf-16-le at byte 12", "第 12 字节处不是有效的 utf-16-le 编码"),
    ("不是政府信息公开工作年度报告：未找到报告年度（not an annual report: no year found）",
     "不是政府信息公开工作年度报告：未找到报告年度"),
])
def test_a_reason_keeps_its_details_in_chinese(english, chinese):
    assert reason(english, "zh") == chinese
    expected_english = english.split("（not", 1)[1][:-1] if "（not" in english else english
    assert reason(english, "en") == "not" + expected_english if "（not" in english else english


def test_every_reason_pattern_compiles_and_has_chinese():
    for pattern, chinese in REASONS:
        re.compile(pattern)
        assert CJK.search(chinese), pattern


# ------------------------------------------------------------------------------ the commands
def test_check_and_parse_name_the_file_and_the_reason_in_chinese(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    truncated = tmp_path / "cut.pdf"
    truncated.write_bytes(b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n")
    result = runner.invoke(app, ["check", str(empty), str(truncated), "--sample", "--fail-on", "never"])
    assert result.exit_code == 2  # unreadable files, whatever --fail-on says
    assert f"{empty}: 空文件" in result.stderr
    assert f"{truncated}: PDF 文件不完整：结尾没有 %%EOF" in result.stderr
    assert "共 1 份报告（2 个文件无法读取）" in result.stdout  # the closing summary of the batch
    english = runner.invoke(app, ["parse", str(empty), "--lang", "en"])
    assert english.exit_code == 2 and f"{empty}: empty file" in english.stderr


def test_check_of_a_report_without_agency_says_so_in_words():
    result = runner.invoke(app, ["check", "--sample", "--fail-on", "never"])
    assert "单位：示例县示例镇人民政府  年度：2023  格式：2021年" in result.stdout
    assert "None" not in result.stdout


def test_eval_speaks_chinese_and_english():
    chinese = runner.invoke(app, ["eval", str(SEEDS)])
    assert chinese.exit_code == 0
    assert "文档" in chinese.stdout and "静默错误" in chinese.stdout
    assert "5 份文档，996 个单元格：正确 996（100.00 %）" in chinese.stdout
    english = runner.invoke(app, ["eval", str(CRAWL), "--lang", "en"])
    assert "silent errors" in english.stdout and "5 documents, 998 cells" in english.stdout


def test_no_files_and_a_bad_template_format_in_both_languages(tmp_path):
    assert "请给出报告文件" in runner.invoke(app, ["check"]).stderr
    assert "give report files" in runner.invoke(app, ["check", "--lang", "en"]).stderr
    bad = runner.invoke(app, ["template", "--edition", "2020", "-o", str(tmp_path / "f.xlsx")])
    assert bad.exit_code == 2 and "--edition（表格版本）为 2019 / 2021" in bad.stderr
    english = runner.invoke(app, ["template", "--format", "2020", "--lang", "en"])  # the old name
    assert "--edition is 2019 / 2021" in english.stderr


def test_failures_of_the_store_in_the_users_language(tmp_path):
    pytest.importorskip("sqlalchemy")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "junk.bin").write_bytes(b"\x00\x01\x02" * 500)
    db = tmp_path / "x.db"
    ingested = runner.invoke(app, ["ingest", str(folder), "--db", str(db), "--workers", "1"])
    assert ingested.exit_code == 0, ingested.output
    assert "empty.txt: 空文件" in ingested.stderr and "失败 2" in ingested.stderr
    table = runner.invoke(app, ["failures", "--db", str(db)])
    assert "空文件" in table.stdout and "二进制数据，不是文本报告" in table.stdout and "原因" in table.stdout
    english = runner.invoke(app, ["failures", "--db", str(db), "--lang", "en"])
    assert "empty file" in english.stdout and "reason" in english.stdout and "空文件" not in english.stdout
    raw = runner.invoke(app, ["failures", "--db", str(db), "--format", "csv"])
    assert "empty file" in raw.stdout  # tools read the reason as it was stored


def test_usage_errors_in_both_languages(monkeypatch):
    monkeypatch.delenv("GONGKAI_LANG", raising=False)
    typo = runner.invoke(app, ["check", "--fail-no", "never"], prog_name="gongkai")
    assert typo.exit_code == 2
    assert "错误：没有选项 --fail-no" in typo.stderr and "查看帮助：gongkai check --help" in typo.stderr
    choice = runner.invoke(app, ["check", "--format", "xml", "--sample"], prog_name="gongkai")
    assert choice.exit_code == 2 and "错误：--format 的取值 'xml' 无效：可选 'text', 'json'" in choice.stderr
    number = runner.invoke(app, ["check", "--max-mb", "many", "--sample"])
    assert number.exit_code == 2 and "--max-mb 的取值无效：应为数字" in number.stderr
    unknown = runner.invoke(app, ["chek"], prog_name="gongkai")
    assert unknown.exit_code == 2 and "错误：没有命令 chek（是否要用 'check'？）" in unknown.stderr
    english = runner.invoke(app, ["check", "--fail-no", "never", "--lang", "en"], prog_name="gongkai")
    assert "Error: No such option: --fail-no" in english.stderr
    assert "Try 'gongkai check --help'" in english.stderr
    # a command's own exit codes pass through as they were
    assert runner.invoke(app, ["check", "--sample"]).exit_code == 1
    assert runner.invoke(app, ["check", "--sample", "--fail-on", "never"]).exit_code == 0


def test_the_collectors_lists_speak_both_languages(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    pytest.importorskip("httpx")
    db = tmp_path / "g.db"
    assert runner.invoke(app, ["roster", "clear", "--db", str(db)]).exit_code == 2  # read-only: not created
    assert runner.invoke(app, ["ingest", str(tmp_path), "--db", str(db)]).exit_code == 0  # an empty store
    chinese = runner.invoke(app, ["collected", "--db", str(db)])
    assert chinese.exit_code == 0 and "没有符合条件的记录" in chinese.stderr  # nothing collected
    english = runner.invoke(app, ["collect-failures", "--db", str(db), "--lang", "en"])
    assert english.exit_code == 0 and "nothing matches" in english.stderr


@pytest.mark.parametrize(("command", "needs"), [
    (["collected"], "httpx"), (["collect-failures"], "httpx"), (["user", "list"], "argon2"),
    (["user", "disable", "bob"], "argon2"), (["user", "enable", "bob"], "argon2"),
    (["user", "sessions", "bob"], "argon2"), (["user", "sessions", "bob", "--revoke"], "argon2")])
def test_read_only_commands_refuse_a_database_that_does_not_exist(command: list[str], needs: str,
                                                                  tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    pytest.importorskip(needs)
    typo = tmp_path / "typo.db"
    result = runner.invoke(app, [*command, "--db", str(typo)])
    assert result.exit_code == 2 and f"数据库 {typo} 不存在" in result.stderr and not typo.exists()
    english = runner.invoke(app, [*command, "--db", str(typo), "--lang", "en"])
    assert f"database {typo} does not exist" in english.stderr and not typo.exists()


def test_lang_before_the_command_goes_to_the_command(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("GONGKAI_LANG", raising=False)
    english = runner.invoke(app, ["--lang", "en", "check", "--sample", "--fail-on", "never"])
    assert english.exit_code == 0 and "cells: 199 read" in english.stdout
    assert "单元格" not in english.stdout
    chinese = runner.invoke(app, ["--lang=zh", "check", "--sample", "--fail-on", "never"])
    assert "单元格：读取 199" in chinese.stdout
    helped = runner.invoke(app, ["--lang", "en", "template", "--help"])
    assert helped.exit_code == 0 and "Write the blank official form" in helped.output
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    after_dashes = runner.invoke(app, ["--lang", "en", "parse", "--", str(empty)])
    assert after_dashes.exit_code == 2 and f"{empty}: empty file" in after_dashes.stderr
