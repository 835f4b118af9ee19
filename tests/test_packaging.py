"""What `pip install .` brings is enough to run what ships (the demo included): every
third-party module imported by bot/, handlers/, jobs/ and app.py belongs to a runtime
dependency in pyproject.toml, not only to the dev extra."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPTIONAL = {"psycopg"}  # the postgres extra: imported only for postgresql:// URLs


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def shipped_imports() -> set[str]:
    files = [ROOT / "app.py"]
    for package in ("bot", "handlers", "jobs"):
        files += (ROOT / package).rglob("*.py")
    found: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    local = {"app", "bot", "handlers", "jobs"}
    return {m for m in found if m not in local and m not in sys.stdlib_module_names}


def test_every_shipped_import_is_a_runtime_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    dists = packages_distributions()
    missing = []
    for module in sorted(shipped_imports() - OPTIONAL):
        owners = {d.lower().replace("_", "-") for d in dists.get(module, [])}
        if not owners & runtime:
            missing.append(f"{module} (from {sorted(owners) or 'nowhere'})")
    assert not missing, f"imported but not a runtime dependency: {missing}"


# --- the import contract -----------------------------------------------------------------

# Only these may import the stand-ins: the demo, the ``acctbot sandbox``/``demo`` commands,
# and the stand-ins themselves. Product code never depends on them.
STANDIN_IMPORTERS = ("bot.standins", "bot.demo", "bot.cli")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every absolute module a file imports, at module level or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def _shipped_files() -> list[Path]:
    return [p for pkg in ("bot", "handlers", "jobs") for p in (ROOT / pkg).rglob("*.py")]


def test_product_code_never_imports_the_standins() -> None:
    offenders = []
    for path in _shipped_files():
        name = _module_name(path)
        if name.startswith(STANDIN_IMPORTERS):
            continue
        bad = sorted(i for i in _imports(path) if i.startswith("bot.standins"))
        if bad:
            offenders.append(f"{name} imports {bad}")
    assert not offenders, offenders


def test_nothing_imports_the_app_script() -> None:
    offenders = [
        _module_name(p)
        for p in [*_shipped_files(), *(ROOT / "tests").rglob("*.py")]
        if {"app"} & {i.split(".")[0] for i in _imports(p)}
    ]
    assert not offenders, f"app.py is a script; import bot.application instead: {offenders}"


def test_relative_imports_are_not_used() -> None:
    """Absolute imports only, so a file's dependencies read the same wherever it moves."""
    offenders = []
    for path in _shipped_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                offenders.append(f"{_module_name(path)}:{node.lineno}")
    assert not offenders, offenders
