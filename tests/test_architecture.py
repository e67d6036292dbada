"""The layers hold: the import-linter contracts are kept and no module imports itself back.

The contracts live in pyproject.toml ([tool.importlinter]); docs/architecture.md explains
them. grimp (import-linter's graph) sees every import, those inside functions and under
TYPE_CHECKING included, so a cycle hidden in a function body fails here too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    imported = sorted(graph.find_modules_directly_imported_by(child))
                    work.append((child, iter(imported)))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_no_import_cycle_between_any_two_modules() -> None:
    cycles = _cycles(grimp.build_graph("tracesguide"))
    assert not cycles, f"modules that import each other (directly or not): {cycles}"


def test_the_cycle_finder_sees_a_cycle_inside_a_function(tmp_path: Path) -> None:
    package = tmp_path / "loopy"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from loopy import b\n")
    (package / "b.py").write_text("def late():\n    from loopy import a\n")
    sys.path.insert(0, str(tmp_path))
    try:
        assert _cycles(grimp.build_graph("loopy", cache_dir=None)) == [["loopy.a", "loopy.b"]]
    finally:
        sys.path.remove(str(tmp_path))


def test_the_layer_contracts_are_kept() -> None:
    linter = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run(
        [str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]
    assert "0 broken" in done.stdout


# -- content knowledge stays in the content ---------------------------------------------

SRC = ROOT / "src" / "tracesguide"
# The layers that read the procedure: they must take its ids and answer keys from it.
CONTENT_READERS = ("cli", "wizard", "views", "reports", "engine.py")


def content_ids() -> set[str]:
    """Every id and answer key the procedure files declare, in both languages."""
    from tracesguide.content import LANGUAGES, load

    ids: set[str] = set()
    for language in LANGUAGES:
        content = load(language)
        ids |= {s.id for s in content.stages} | set(content.milestones)
        ids |= {e.id for e in content.troubleshooting} | {d.id for d in content.desks}
        for step in content.steps:
            ids.add(step.id)
            ids |= {p.id for p in step.problems}
            for question in step.ask:
                ids.add(question.key)
                ids |= set(question.answer_keys)
    return ids


def literals(path: Path, wanted: set[str]) -> list[str]:
    """The string constants of *path* (docstrings aside) that are in *wanted*."""
    import ast

    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        f"{path.relative_to(SRC)}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and node.value in wanted
    ]


# A literal that is spelt like a content id but means something else, and why.
HOMONYMS = {
    ("reports/troubleshoot.py", "role"): "the `role` field of a desk in `troubleshoot --json`",
}


def test_no_content_id_nor_answer_key_written_in_the_code() -> None:
    """A step, stage, milestone, problem or desk id, a question's key or an answer key
    written in the code would be knowledge of the procedure outside its files: renaming
    it there would break the code silently. The code reads them from the content."""
    from tracesguide.content import ASK_KINDS

    # The kinds of question are the code's own vocabulary (three share a key's name).
    wanted = content_ids() - set(ASK_KINDS)
    files = [p for part in CONTENT_READERS for p in sorted((SRC / part).glob("**/*.py"))]
    files += [SRC / "engine.py"]
    found = [
        hit
        for path in files
        for hit in literals(path, wanted)
        if (str(path.relative_to(SRC)), hit.rsplit(" ", 1)[1].strip("'")) not in HOMONYMS
    ]
    assert not found, "\n".join(found)


def test_the_content_literal_scan_finds_a_step_id(tmp_path: Path) -> None:
    sample = tmp_path / "views" / "sample.py"
    sample.parent.mkdir()
    sample.write_text('"""Shows operator.search."""\nSTEP = "operator.search"\n', "utf-8")
    global SRC
    saved, SRC = SRC, tmp_path
    try:
        hits = literals(sample, content_ids())
    finally:
        SRC = saved
    assert hits == ["views/sample.py:2: 'operator.search'"]
