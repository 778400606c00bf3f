"""Imports run one way, corpus <- index <- assistant <- ui, and only ui imports gradio,
so each layer can be used and tested without the ones above it."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["corpus", "index", "assistant", "ui"]


def imported_packages(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_only_the_layers_below_it(layer):
    above = set(LAYERS[LAYERS.index(layer) + 1:])
    if layer != "ui":
        above.add("gradio")
    wrong = {path.relative_to(ROOT).as_posix(): sorted(imported_packages(path) & above)
             for path in sorted((ROOT / layer).rglob("*.py"))}
    assert {path: names for path, names in wrong.items() if names} == {}
