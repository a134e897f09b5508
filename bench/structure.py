"""Figures of the package's structure: the largest modules, import cycles,
exported names, and what importing a stage module costs.

    python bench/structure.py [MODULE ...]

MODULEs (default: the render and translate stages) are imported in a fresh
interpreter each; the time is the best of three, shown beside a bare
``python -c pass`` measured in the same run, and whether SQLAlchemy (the state
store's dependency, which no stage needs) came in with them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))

import import_graph

DEFAULT_MODULES = ("translator_pipeline.publishing.render", "translator_pipeline.translate")


def exported(path: Path) -> int:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        named = isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        )
        if named and isinstance(node.value, (ast.List, ast.Tuple)):
            return len(node.value.elts)
    return 0


def import_cost(module: str) -> tuple[float, bool]:
    code = f"import sys, {module}; print('sqlalchemy' in sys.modules)"
    best, loaded = float("inf"), False
    for _ in range(3):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        best = min(best, time.perf_counter() - start)
        loaded = out.strip() == "True"
    return best, loaded


def main() -> None:
    mods = import_graph.modules()
    sizes = sorted(
        ((len(p.read_text(encoding="utf-8").splitlines()), n) for n, p in mods.items()),
        reverse=True,
    )
    print(f"{len(mods)} modules, {sum(s for s, _ in sizes)} lines; largest:")
    for size, name in sizes[:6]:
        print(f"  {size:5d}  {name}")
    cycles = import_graph.cycles(import_graph.graph())
    print(f"import cycles: {len(cycles)}")
    for cycle in cycles:
        print("  " + " <-> ".join(cycle))
    top = exported(mods[import_graph.PACKAGE])
    total = sum(exported(p) for p in mods.values())
    print(f"exported names: {total} in all __all__ lists; {top} from the top package")
    bare, _ = import_cost("os")
    print(f"bare interpreter: {bare:.3f} s")
    for module in sys.argv[1:] or DEFAULT_MODULES:
        try:
            seconds, sqlalchemy = import_cost(module)
        except subprocess.CalledProcessError:
            print(f"import {module}: cannot be imported")
            continue
        print(
            f"import {module}: {seconds:.3f} s ({seconds / bare:.1f}x bare), "
            f"SQLAlchemy {'loaded' if sqlalchemy else 'not loaded'}"
        )


if __name__ == "__main__":
    main()
