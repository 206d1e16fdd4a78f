"""The layers import one way: core <- storage/services <- telegram <- scheduler (the top)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (a function-level import counts too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _offenders(package: str, forbidden: tuple[str, ...], *, spare: tuple[str, ...] = ()):
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" in relative or relative in spare:
            continue
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{relative} imports {name}")
    return found


@pytest.mark.parametrize(
    ("package", "forbidden", "spare"),
    [
        # The composition root wires the timetable in; nothing else in bot/ knows it exists.
        ("bot", ("scheduler",), ("bot/__main__.py",)),
        ("bot/core", ("telegram", "sqlalchemy", "sqlmodel", "bot.storage", "bot.services"), ()),
        ("bot/services", ("telegram", "bot.telegram", "scheduler"), ()),
        ("bot/telegram", ("sqlalchemy", "sqlmodel"), ()),
    ],
)
def test_imports_point_one_way(package, forbidden, spare):
    assert _offenders(package, forbidden, spare=spare) == []
