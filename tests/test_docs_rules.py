"""docs/RULES.md must document every field of every rules file (datasette's test_docs habit).

The files are discovered, not listed: every file registered in ruleset.EXTRA_FILES (by any
module of the package) is checked, with its schema from ruleset.SCHEMAS or, failing that,
the pydantic models defined next to its builder. A field counts as documented when its name
appears inside backticks in the file's own `## <file>` section (`years[].year` documents
`year`).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
import types
import typing
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

import hotline
from hotline.rules import ruleset as ruleset_module
from hotline.settings import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "RULES.md"
SKIP = ("hotline.migrations", "hotline.__main__")


def _import_everything() -> None:
    """Parts may register themselves from anywhere in the package."""
    for info in pkgutil.walk_packages(hotline.__path__, "hotline."):
        if info.name.startswith(SKIP):
            continue
        try:
            importlib.import_module(info.name)
        except Exception:  # a module that cannot import registers nothing
            continue


def _models_of(annotation: object) -> Iterator[type[BaseModel]]:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_of(arg)


def _walk(model: type[BaseModel], seen: set[type[BaseModel]]) -> Iterator[tuple[str, str]]:
    if model in seen:
        return
    seen.add(model)
    for name, info in model.model_fields.items():
        yield model.__name__, info.alias or name
        for inner in _models_of(info.annotation):
            yield from _walk(inner, seen)


def _schemas() -> dict[str, list[type[BaseModel]]]:
    _import_everything()
    out: dict[str, list[type[BaseModel]]] = {}
    schemas = getattr(ruleset_module, "SCHEMAS", {})
    names = [*ruleset_module.CORE_FILES, *ruleset_module.EXTRA_FILES]
    for name in names:
        if name in schemas:
            out[name] = [schemas[name]]
            continue
        build = ruleset_module.EXTRA_FILES.get(name)
        found = getattr(build, "schema", None)
        if found is not None:
            out[name] = [found]
            continue
        # No registered schema: every model defined in the builder's module.
        module = sys.modules.get(getattr(build, "__module__", ""), types.ModuleType("none"))
        out[name] = [
            obj
            for obj in vars(module).values()
            if inspect.isclass(obj)
            and issubclass(obj, BaseModel)
            and obj.__module__ == module.__name__
        ]
    return out


def _section(text: str, name: str) -> str:
    match = re.search(rf"^## {re.escape(name)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group(1) if match else ""


def _documented(section: str) -> set[str]:
    words: set[str] = set()
    prose = re.sub(r"^```.*?^```", "", section, flags=re.M | re.S)  # examples do not count
    for span in re.findall(r"`([^`]+)`", prose):
        words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", span))
    return words


SCHEMAS = _schemas()


def test_every_rules_file_is_known() -> None:
    assert {
        "taxonomy.yaml",
        "areas.yaml",
        "lines.yaml",
        "agencies.yaml",
        "classification.yaml",
        "rules.yaml",
    } <= set(SCHEMAS)
    assert all(SCHEMAS.values()), "a rules file with no schema model to check"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_field_is_documented(name: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    section = _section(text, name)
    assert section.strip(), f"docs/RULES.md has no '## {name}' section"
    documented = _documented(section)
    seen: set[type[BaseModel]] = set()
    missing = sorted(
        {
            f"{model}.{field}"
            for root in SCHEMAS[name]
            for model, field in _walk(root, seen)
            if field not in documented
        }
    )
    assert not missing, f"{name}: fields not documented in docs/RULES.md: {missing}"
