"""The command line: parse, check, eval, render and template, with their exit codes."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from corpus import REAL, SEEDS
from gongkai.cli import LAZY_COMMANDS, _NeedsExtra, _register_collections, app, missing_requirements

ROOT = Path(__file__).resolve().parents[1]

runner = CliRunner()
SEED_002 = next(SEEDS.glob("002_*.txt"))


def test_parse_prints_the_report_json():
    result = runner.invoke(app, ["parse", str(SEED_002)])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["schema"] == "gongkai.report/1" and data["template"] == "2019" and data["year"] == 2024
    assert data["cells"]["active_disclosure.procurement.items"]["value"] == 15


def test_parse_to_a_folder_goes_on_past_bad_files(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02" * 500)
    result = runner.invoke(app, ["parse", str(bad), str(SEED_002), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2  # one file failed …
    assert "bad.txt: 二进制数据，不是文本报告" in result.stderr  # the reason in Chinese by default
    assert (tmp_path / "out" / f"{SEED_002.stem}.json").exists()  # … the other was written


def test_check_exits_1_on_errors_and_speaks_plain_chinese():
    result = runner.invoke(app, ["check", "--sample"])
    assert result.exit_code == 1
    assert "表三「自然人」列：一(11)+二(1) ≠ (七)总计(11)+四(0)" in result.stdout


def test_check_json_and_english():
    result = runner.invoke(app, ["check", str(SEED_002), "--format", "json", "--lang", "en"])
    assert result.exit_code == 0  # the 2019 tables in a 2024 report are a warning, not an error
    (entry,) = json.loads(result.stdout)
    assert "S-TEMPLATE-YEAR" in {f["rule"] for f in entry["findings"]}


def test_eval_scores_the_seeds():
    result = runner.invoke(app, ["eval", str(SEEDS)])
    assert result.exit_code == 0
    assert "正确 996（100.00 %）" in result.stdout and "静默错误 0" in result.stdout


@pytest.mark.parametrize("to", ["docx", "xlsx", "html", "md"])
def test_render_then_check_round_trips(tmp_path, to):
    pytest.importorskip("docx")
    target = tmp_path / f"r.{to}"
    assert runner.invoke(app, ["render", str(SEED_002), "--to", to, "-o", str(target)]).exit_code == 0
    result = runner.invoke(app, ["parse", str(target)])
    assert json.loads(result.stdout)["applications"] == json.loads(
        runner.invoke(app, ["parse", str(SEED_002)]).stdout)["applications"]


def test_template_writes_the_blank_form(tmp_path):
    """The blank form is refused until its title names the agency and year (what the refusal asks
    for); filled in, it parses as a 2021 report with every cell blank."""
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "form.xlsx"
    result = runner.invoke(app, ["template", "--edition", "2021", "--to", "xlsx", "-o", str(target)])
    assert result.exit_code == 0
    refused = runner.invoke(app, ["check", str(target)])
    assert refused.exit_code == 2 and "单位" in refused.stderr and "年度" in refused.stderr
    book = openpyxl.load_workbook(target)
    title = next(cell for row in book.active.iter_rows() for cell in row
                 if cell.value and "（单位全称）" in str(cell.value))
    title.value = str(title.value).replace("（单位全称）", "某某县某某镇人民政府").replace("（年份）", "2023")
    book.save(target)
    result = runner.invoke(app, ["parse", str(target)])
    data = json.loads(result.stdout)
    assert data["template"] == "2021" and data["year"] == 2023
    assert {c["status"] for c in data["cells"].values()} == {"blank"}


def test_real_pdf_eval():
    pytest.importorskip("pypdfium2")
    result = runner.invoke(app, ["eval", str(REAL)])
    assert result.exit_code == 0 and "正确 614（100.00 %）" in result.stdout


def test_max_mb_refuses_a_larger_file_by_name_and_the_batch_goes_on(tmp_path):
    padded = tmp_path / "padded.txt"
    padded.write_bytes(SEED_002.read_bytes() + b"\n" + b" " * (2 * 2**20))  # a report, but 2 MiB
    result = runner.invoke(app, ["parse", str(padded), str(SEED_002), "--max-mb", "1",
                                 "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "padded.txt: 文件过大" in result.stderr
    assert (tmp_path / "o" / f"{SEED_002.stem}.json").exists()
    assert runner.invoke(app, ["check", str(padded), "--max-mb", "5"]).exit_code == 0


# ------------------------------------------------------------------------ --fail-on, GONGKAI_LANG
def test_fail_on_never_shows_the_findings_and_exits_0():
    result = runner.invoke(app, ["check", "--sample", "--fail-on", "never"])
    assert result.exit_code == 0
    assert "表三「自然人」列：一(11)+二(1) ≠ (七)总计(11)+四(0)" in result.stdout


def test_fail_on_warning_fails_on_a_warning():
    # seed 002: 2019 tables in a 2024 report, a warning and no error
    assert runner.invoke(app, ["check", str(SEED_002)]).exit_code == 0
    assert runner.invoke(app, ["check", str(SEED_002), "--fail-on", "warning"]).exit_code == 1


def test_an_unreadable_file_exits_2_whatever_fail_on_says(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02" * 500)
    result = runner.invoke(app, ["check", str(bad), str(SEED_002), "--fail-on", "never"])
    assert result.exit_code == 2 and "bad.txt: 二进制数据" in result.stderr


def test_gongkai_lang_en_switches_the_messages(monkeypatch):
    monkeypatch.setenv("GONGKAI_LANG", "en")
    result = runner.invoke(app, ["check", "--sample", "--fail-on", "never"])
    assert "severity" in result.stdout and "级别" not in result.stdout


# --------------------------------------------------------------------- commands of the extras
def _in_a_fresh_interpreter(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parent)


def test_help_lists_every_command_without_importing_the_store_web_or_template():
    heavy = ["sqlalchemy", "pandas", "fastapi", "gongkai.template", "gongkai.store", "gongkai.web",
             "gongkai.pipeline", "rich.markdown"]
    done = _in_a_fresh_interpreter(
        "import os, sys\nos.environ['GONGKAI_LANG'] = 'en'  # the English help (Chinese by default)\n"
        "from gongkai.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print('LOADED', [m for m in {heavy!r} if m in sys.modules])\n")
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stdout
    listed = {line.split()[0] for line in done.stdout.split("Commands:")[1].splitlines()
              if line.startswith("  ") and line[2] != " "}
    assert {"parse", "check", "eval", "render", "template", *LAZY_COMMANDS} <= listed
    assert "[store] Parse reports into the database" in " ".join(done.stdout.split())


def test_each_lazy_command_is_listed_with_its_own_help():
    pytest.importorskip("sqlalchemy")
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    registered = typer.Typer()
    _register_collections(registered)
    group = typer.main.get_group(registered)
    assert set(group.commands) == set(LAZY_COMMANDS), "add each new command to cli.LAZY_COMMANDS"
    for name, lazy in LAZY_COMMANDS.items():
        assert group.commands[name].get_short_help_str(limit=1000) == lazy.help, name


def _extras_as_metadata() -> list[str]:
    """pyproject.toml's extras as the Requires-Dist lines an install's metadata holds."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["optional-dependencies"]
    return [f'{requirement}; extra == "{extra}"' for extra, requirements in extras.items()
            for requirement in requirements]


def test_an_extra_needs_what_the_extras_it_composes_need():
    requirements = _extras_as_metadata()
    nothing = missing_requirements("web", requirements, installed=lambda name: False)
    assert {"sqlalchemy", "pandas", "pypdfium2", "fastapi", "itsdangerous", "argon2-cffi"} <= set(nothing)
    almost = missing_requirements("web", requirements, installed=lambda name: name != "itsdangerous")
    assert almost == ["itsdangerous"]
    assert missing_requirements("store", requirements, installed=lambda name: True) == []
    assert "sqlalchemy" in missing_requirements("collect", requirements, installed=lambda name: False)


def test_every_import_of_a_package_is_declared_by_its_extra():
    """The third-party modules each part of gongkai imports are declared by the extra its commands
    name (or by the core dependencies)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    core = {r.split(">")[0].split("[")[0] for r in project["dependencies"]}

    def declared(extra: str) -> set[str]:
        return set(missing_requirements(extra, _extras_as_metadata(), installed=lambda name: False))

    for part, extra in (("store", "store"), ("web", "web"), ("render", "formats"), ("readers", "formats")):
        for module in _third_party_imports(ROOT / "src" / "gongkai" / part):
            name = DISTRIBUTION.get(module, module).lower().replace("_", "-")
            if (part, module) in UNDECLARED:
                continue
            where = OTHER_EXTRA.get((part, module), extra)  # an optional path of the part, its own extra
            assert name in core | declared(where), f"gongkai/{part} imports {module}: declare it in [{where}]"


# module → distribution, where the two names differ
DISTRIBUTION = {"yaml": "pyyaml", "docx": "python-docx", "PIL": "pillow", "argon2": "argon2-cffi",
                "multipart": "python-multipart", "distributed": "dask", "cv2": "opencv-python-headless"}
# imported only when installed by hand, on purpose declared by no extra
UNDECLARED = {("readers", "rapidocr_onnxruntime"): "the older OCR engine bench/ocr.py compares, if installed"}
# optional paths inside a part, brought by another extra: polars frames, cluster engines, OCR
OTHER_EXTRA = {("store", "polars"): "polars", ("store", "ray"): "ray", ("store", "distributed"): "dask",
               **{("readers", module): "ocr"
                  for module in ("rapidocr", "rapidocr_onnxruntime", "onnxruntime", "numpy", "PIL", "cv2")}}


def _third_party_imports(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            absolute = isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if absolute else [])
            found.update(n.split(".")[0] for n in names)
    return {n for n in found if n not in sys.stdlib_module_names and n not in ("gongkai", "__future__")}


def test_a_command_without_its_extra_answers_in_one_line(capsys):
    stand_in = _NeedsExtra("serve", "web", ["fastapi", "uvicorn", "jinja2", "itsdangerous"])
    with pytest.raises(SystemExit) as exit_:
        stand_in.main(["--port", "8001"], prog_name="gongkai serve")
    assert exit_.value.code == 2
    assert capsys.readouterr().err == ("需要安装 gongkai[web]：pip install 'gongkai[web]' "
                                       "(缺少 fastapi, uvicorn, jinja2 等 4 个)\n")
    with pytest.raises(SystemExit):
        stand_in.main(["--lang", "en"], prog_name="gongkai serve")
    assert capsys.readouterr().err == ("this command needs gongkai[web]: pip install 'gongkai[web]' "
                                       "(missing fastapi, uvicorn, jinja2 and 1 more)\n")


def _answer_without(module: str, args: list[str]) -> str:
    """The one line gongkai ARGS prints on stderr (exit 2) in a fresh interpreter where ``module``
    cannot be imported."""
    done = _in_a_fresh_interpreter(
        f"import sys\nsys.modules[{module!r}] = None  # as if it were not installed\n"
        f"from gongkai.cli import app\napp({args!r})\n")
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    return line


def test_serve_names_a_module_its_installed_extra_lacks(tmp_path):
    """With gongkai[web] installed but one of its modules unimportable, `serve` names that module
    (not the extra the user has just installed)."""
    pytest.importorskip("uvicorn")
    pytest.importorskip("itsdangerous")
    line = _answer_without("itsdangerous", ["serve", "--db", str(tmp_path / "g.db"), "--workers", "1"])
    assert line == "此命令需要 Python 模块 itsdangerous，但无法导入（pip install itsdangerous）"


def test_a_module_missing_at_run_time_is_named_in_one_line(tmp_path):
    pytest.importorskip("sqlalchemy")
    db = str(tmp_path / "g.db")
    assert runner.invoke(app, ["ingest", str(SEED_002), "--db", db, "--workers", "1"]).exit_code == 0
    line = _answer_without("pyarrow", ["export", "--db", db, "--format", "parquet", "-o",
                                       str(tmp_path / "x.parquet")])
    assert line == "此命令需要 Python 模块 pyarrow，但无法导入（pip install pyarrow）"
