"""The shape of the code (issue 14): the import contracts hold, no module reaches into
another module's private names.

The contracts live in pyproject.toml (`[tool.importlinter]`); docs/architecture.md explains
the layers. No database is touched.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGE = SRC / "xianfeng"


def test_import_contracts_hold():
    """`lint-imports` keeps every contract (layers, the scope service, no cycles)."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute name of the module `node` imports from."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _is_submodule(package: str, name: str) -> bool:
    folder = SRC.joinpath(*package.split("."))
    return (folder / f"{name}.py").exists() or (folder / name / "__init__.py").exists()


def _private_parent(source: str) -> str | None:
    """The package holding the first private module along `source`, if any."""
    parts = source.split(".")
    for index, part in enumerate(parts):
        if _is_private(part):
            return ".".join(parts[:index])
    return None


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _violations(path: Path) -> list[str]:
    module = _module_of(path)
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom):
            continue
        source = _resolve(node, module, is_package)
        where = f"{path.relative_to(ROOT)}:{node.lineno}"
        parent = _private_parent(source)
        if parent is not None and not _inside(module, parent):
            found.append(f"{where}: private module {source}")
        for alias in node.names:
            if not _is_private(alias.name):
                continue
            own_module = _inside(module, source) and _is_submodule(source, alias.name)
            if not own_module:  # a private submodule of one's own package is fine
                found.append(f"{where}: {source}.{alias.name}")
    return found


def test_no_private_name_is_imported_from_another_module():
    """`from x import _name` reaches into x's insides: make what others need public (a
    documented function in x's queries.py or domain.py) instead."""
    found = [v for path in sorted(PACKAGE.rglob("*.py")) for v in _violations(path)]
    assert not found, "private names imported across modules:\n" + "\n".join(found)
