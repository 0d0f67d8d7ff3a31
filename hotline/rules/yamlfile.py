"""YAML with line numbers, and rule errors that name file, line and field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Path_ = tuple[str | int, ...]
# libyaml when PyYAML has it: the same nodes and line marks, many times faster on big files.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class RulesError(Exception):
    """One or more problems in a rules directory; str() lists them all."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def field_name(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class YamlDoc:
    """A parsed YAML file: its data, and the line of every value by path."""

    def __init__(self, file: str, data: Any, lines: dict[Path_, int]) -> None:
        self.file = file
        self.data = data
        self.lines = lines

    def line_of(self, path: Path_) -> int | None:
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def problem(self, path: Path_, message: str) -> Problem:
        return Problem(self.file, self.line_of(path), field_name(path), message)

    def validate(self, model: type[M]) -> M:
        """Validate the whole document against a pydantic model; errors carry lines."""
        try:
            return model.model_validate(self.data if self.data is not None else {})
        except ValidationError as exc:
            raise RulesError(
                self.problem(tuple(err["loc"]), _message(err)) for err in exc.errors()
            ) from None


def _message(err: Any) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown field (check the spelling; docs/RULES.md lists the fields)"
    if err["type"] == "missing":
        return "required field is missing"
    return str(err["msg"])


def read_yaml(path: Path, *, name: str | None = None) -> YamlDoc:
    """Parse one file; YAML syntax errors, bad encodings and duplicate keys become RulesError."""
    name = name or path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RulesError([Problem(name, None, "", f"cannot read: {exc.strerror}")]) from None
    return parse_yaml(raw, name)


def parse_yaml(raw: bytes, name: str) -> YamlDoc:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RulesError([Problem(name, line, "", "file is not UTF-8 text")]) from None
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDoc(name, None, {})
        lines: dict[Path_, int] = {}
        problems: list[Problem] = []
        _walk(node, (), lines, problems, name)
        if problems:
            raise RulesError(problems)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = mark.line + 1 if mark else None
        raise RulesError([Problem(name, at, "", f"YAML syntax: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise RulesError([Problem(name, None, "", f"YAML: {exc}")]) from None
    finally:
        loader.dispose()
    return YamlDoc(name, data, lines)


def _walk(
    node: Any, path: Path_, lines: dict[Path_, int], problems: list[Problem], name: str
) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                problems.append(
                    Problem(
                        name,
                        key_node.start_mark.line + 1,
                        field_name(path + (key,)),
                        "duplicate key",
                    )
                )
            seen.add(key)
            _walk(value_node, path + (key,), lines, problems, name)
            lines[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), lines, problems, name)
