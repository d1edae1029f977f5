"""Dependencies point one way: the import graph of src/gongkai, read with ast.

The stages of a parse run readers → document → extract → check, then store, then the programs
(web, cli). A module may import its own stage and earlier ones, never a later one, so each stage
can be understood, tested and reused without the ones after it. ``document`` is the model the
readers fill in (they import it, it imports none of them), so it sits just below them; the shared
vocabulary (errors, version, messages, the template, the report model, the division codes) sits
below everything.

Known wrong-way imports are listed below, each with why it is there; the lead removes them. Any
other one fails the test: a new wrong-way import is never added silently. No two modules import
one another, not even lazily (inside a function): a piece two modules share lives in a third that
both import (``store.cells``, ``store.regions``, ``store.sheets``).
"""

from __future__ import annotations

import ast
import builtins
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "gongkai"

# stage → the top-level modules and packages of gongkai in it, earliest first
STAGES: list[tuple[str, set[str]]] = [
    ("vocabulary", {"errors", "version", "messages", "text", "template", "agency", "report"}),
    ("document", {"document"}),
    ("readers", {"readers"}),
    ("extract", {"extract"}),
    ("check", {"check"}),
    ("parse and output", {"pipeline", "evaluate", "render", "progress", "sheet_cells"}),
    ("store", {"store", "synth"}),
    ("programs", {"collect", "web", "cli", "cli_help", "__init__"}),
]

# (importer, imported) module pairs that point the wrong way today
KNOWN_WRONG_WAY: dict[tuple[str, str], str] = {}

def _modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / PACKAGE).rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Line numbers of imports under ``if TYPE_CHECKING:`` (annotations only: no run-time edge)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                lines.update(n.lineno for n in ast.walk(inner) if isinstance(n, ast.Import | ast.ImportFrom))
    return lines


def _imports(module: str, path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, bool]]:
    """(imported gongkai module, whether only for type checking) for every import in ``path``,
    at module level or inside a function (a lazy import is a dependency too)."""
    tree = ast.parse(path.read_text("utf-8"))
    typing_only = _type_checking_only(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from pkg import module` imports the module; `from module import name` the module
            targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in modules else source
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != module:
                yield target, node.lineno in typing_only


def _graph() -> dict[str, set[tuple[str, bool]]]:
    modules = _modules()
    return {module: set(_imports(module, path, modules)) for module, path in modules.items()}


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _stage(unit: str) -> int:
    for rank, (_, units) in enumerate(STAGES):
        if unit in units:
            return rank
    raise AssertionError(f"gongkai.{unit} is in no stage: add it to STAGES in tests/test_architecture.py")


def _cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def test_every_module_belongs_to_a_stage():
    for module in _modules():
        _stage(_unit(module))


def test_no_import_points_to_a_later_stage():
    wrong = []
    for module, targets in _graph().items():
        for target, _ in targets:
            if _stage(_unit(target)) > _stage(_unit(module)) and (module, target) not in KNOWN_WRONG_WAY:
                wrong.append(f"{module} imports {target} ({STAGES[_stage(_unit(module))][0]} → "
                             f"{STAGES[_stage(_unit(target))][0]})")
    assert not wrong, "imports against the stage order:\n" + "\n".join(sorted(wrong))


def test_the_known_wrong_way_imports_are_still_there():
    """An entry of KNOWN_WRONG_WAY that no longer happens is removed from the list (so the list
    stays the truth)."""
    graph = _graph()
    gone = [pair for pair in KNOWN_WRONG_WAY if pair[1] not in {t for t, _ in graph.get(pair[0], ())}]
    assert not gone, f"fixed, remove from KNOWN_WRONG_WAY: {gone}"


def _run_time_edges(graph: dict[str, set[tuple[str, bool]]]) -> dict[str, set[str]]:
    # a submodule importing its own package's namespace (`from . import x`) is Python's usual way
    # for a package to expose its parts, not a cycle between parts
    return {module: {t for t, typing_only in targets
                     if not typing_only and not module.startswith(t + ".")}
            for module, targets in graph.items()}


def test_no_import_cycle_between_packages():
    units: dict[str, set[str]] = defaultdict(set)
    for module, targets in _run_time_edges(_graph()).items():
        for target in targets:
            if _unit(target) != _unit(module) and (module, target) not in KNOWN_WRONG_WAY:
                units[_unit(module)].add(_unit(target))
    assert not _cycles(units), f"packages importing one another: {_cycles(units)}"


def test_no_import_cycle_between_modules():
    cycles = [sorted(c) for c in _cycles(_run_time_edges(_graph()))]
    assert not cycles, ("modules importing one another (move what they share into a module both "
                        f"import): {cycles}")


def test_the_cycle_finder_finds_cycles():
    """The check above can fail: a ring of three and a pair are found, a chain is not."""
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"e"}, "e": {"d"}, "f": {"g"}, "g": set()}
    assert sorted(sorted(c) for c in _cycles(edges)) == [["a", "b", "c"], ["d", "e"]]


_BUILT_IN_ERRORS = {name for name, value in vars(builtins).items()
                    if isinstance(value, type) and issubclass(value, BaseException)}


def _exception_classes_outside_the_family(sources: dict[str, str]) -> list[str]:
    """Classes that derive from a built-in exception directly but not from GongkaiError."""
    found = []
    for module, source in sources.items():
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.ClassDef) or node.name == "GongkaiError":
                continue
            bases = {ast.unparse(base).rpartition(".")[2] for base in node.bases}
            if bases & _BUILT_IN_ERRORS and "GongkaiError" not in bases:
                found.append(f"{module}.{node.name}({', '.join(sorted(bases))})")
    return found


def test_every_exception_class_derives_from_gongkai_error():
    """One family: ``except gongkai.GongkaiError`` catches every error gongkai raises on purpose."""
    sources = {module: path.read_text("utf-8") for module, path in _modules().items()}
    assert not _exception_classes_outside_the_family(sources)
    # the check sees one that is outside, and accepts a subclass of another gongkai error
    assert _exception_classes_outside_the_family({
        "m": "class Outside(ValueError): pass\nclass Inside(GongkaiError, ValueError): pass\n"
             "class Deeper(ParseError): pass\nclass Plain: pass\n"}) == ["m.Outside(ValueError)"]


def test_checks_across_reports_live_in_one_module():
    """Every finding across reports (X-…) is made in store/across.py: a finding row (a dict with
    ``"rule": "X-…"``) made anywhere else is a second home for them."""
    homes = set()
    for module, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Dict):
                pairs = zip(node.keys, node.values, strict=True)
                if any(isinstance(k, ast.Constant) and k.value == "rule" and isinstance(v, ast.Constant)
                       and str(v.value).startswith("X-") for k, v in pairs):
                    homes.add(module)
    assert homes == {"gongkai.store.across"}
