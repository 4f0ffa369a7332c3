"""The shape of the code stays as `docs/architecture.md` describes it: layers (import-linter
contracts in pyproject.toml), no import cycle, small modules, one list of event kinds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

from server.events.kinds import PAYLOADS, EventKind, js_module

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("server", "media", "analyzers")
MAX_LINES = 400


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), and self-imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
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

    sys.setrecursionlimit(10_000)
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle():
    """No cycle among the imports that run (type-checking-only imports do not)."""
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False,
                              exclude_type_checking_imports=True)
    assert len(graph.modules) > 50
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for a, b in (("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")):
        graph.add_import(importer=a, imported=b)
    assert cycles(graph) == [["p.a", "p.b", "p.c"]]


def test_layer_contracts_hold():
    linter = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "2 kept, 0 broken" in done.stdout


def test_modules_are_small():
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    files += [p for p in (ROOT / "static").rglob("*") if p.suffix in (".js", ".css", ".html")]
    assert len(files) > 60
    long = {str(p.relative_to(ROOT)): n for p in files
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_every_event_kind_has_a_payload():
    assert set(PAYLOADS) == set(EventKind)


def test_static_event_kinds_are_generated_from_the_server():
    generated = (ROOT / "static" / "shared" / "event-kinds.js").read_text()
    assert generated == js_module(), (
        "regenerate: python -m server.events.kinds > static/shared/event-kinds.js")
