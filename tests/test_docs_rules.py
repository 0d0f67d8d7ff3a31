"""docs/RULES.md must document every field of every rules file (datasette's test_docs habit).

The files are the loader's own list (ruleset.CORE_FILES and OPTIONAL_FILES), each with its
top-level model from ruleset.file_schemas(), so a file the loader learns is checked too. A
field counts as documented when its name appears inside backticks in the file's own
`## <file>` section (`years[].year` documents `year`).
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from hotline.rules import ruleset as ruleset_module
from hotline.settings import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "RULES.md"


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
    """Each rules file's top-level models (none for a file that has no schema yet)."""
    schemas = ruleset_module.file_schemas()
    names = [*ruleset_module.CORE_FILES, *ruleset_module.OPTIONAL_FILES]
    return {name: [schemas[name]] if name in schemas else [] for name in names}


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
