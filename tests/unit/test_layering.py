"""The package layout's dependency rule, enforced by parsing every import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "tradebot"

# A package may import only packages listed before it (and itself, and tradebot.errors).
# portfolio sits below risk because the risk rules read positions and balances.
LAYERS = [
    "model",
    "indicators",
    "options",
    "strategies",
    "portfolio",
    "risk",
    "execution",
    "engine",
    "venues",
    "backtest",
    "storage",
    "ai",
    "api",
    "telegram",
    "app",
]
# Wiring that the design allows on purpose: the engine's runners build the paper venue.
ALLOWED = {("engine", "venues")}
ROOT_MODULES = {"errors", "__init__", "__main__"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name == "tradebot" or name.startswith("tradebot.")}


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _source_files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if p.relative_to(SRC).parts[0] in LAYERS)


@pytest.mark.parametrize("path", _source_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_down_the_layer_list(path: Path) -> None:
    own = path.relative_to(SRC).parts[0]
    violations = []
    for module in _imports(path):
        target = _package_of(module)
        if target is None or target in ROOT_MODULES or target == own:
            continue
        if target not in LAYERS:
            violations.append(module)
            continue
        if LAYERS.index(target) > LAYERS.index(own) and (own, target) not in ALLOWED:
            violations.append(module)
    assert not violations, f"{path.relative_to(SRC)} imports upward: {sorted(violations)}"


def test_model_imports_nothing_outside_model() -> None:
    offenders = {
        str(p.relative_to(SRC)): sorted(m for m in _imports(p) if _package_of(m) != "model")
        for p in (SRC / "model").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_layering_check_catches_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from tradebot.app.cli import main\nimport tradebot.engine.bus\n")
    assert _imports(bad) == {"tradebot.app.cli", "tradebot.engine.bus"}
    assert LAYERS.index("app") > LAYERS.index("model")
