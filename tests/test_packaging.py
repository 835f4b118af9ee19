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
