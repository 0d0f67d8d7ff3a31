"""Docs that cannot rot: every setting is documented in docs/OPERATIONS.md, and the README
keeps the two commands that CI runs."""

from __future__ import annotations

from hotline.settings import PROJECT_ROOT, env_names


def test_every_setting_is_documented():
    text = (PROJECT_ROOT / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
    missing = [name for name in env_names() if f"`{name}`" not in text]
    assert not missing, f"document these in docs/OPERATIONS.md: {missing}"


def test_readme_gives_the_two_commands_ci_runs():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./scripts/demo" in readme
    assert "./scripts/test" in readme and "./scripts/test" in ci
