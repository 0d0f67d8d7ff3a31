"""routing_rules/crosswalks.yaml: loads with the shipped rules, names file and line of a
mistake, and counts calls of an unmapped category apart instead of failing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hotline.rules.ruleset import load_ruleset
from hotline.rules.yamlfile import RulesError
from hotline.settings import PROJECT_ROOT


def copy_rules(tmp_path: Path, old: str, new: str) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(PROJECT_ROOT / "routing_rules", target)
    path = target / "crosswalks.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def test_shipped_crosswalks(ruleset):
    walks = ruleset.crosswalks
    assert set(walks) == {"vn111", "chi", "gbvims"}
    gbvims = walks["gbvims"]
    assert gbvims.groups_of(["gbv"], ["sexual_violence", "economic_violence"]) == {
        "sexual_assault",
        "denial_of_resources",
    }
    assert gbvims.groups_of(["silent"]) == set()  # excluded
    assert walks["chi"].groups_of(["child_abuse"], ["forced_marriage"]) == {"physical_violence"}
    assert walks["vn111"].groups_of(["trafficking"], ["forced_labour"]) == {"trafficking"}


def test_a_typo_names_file_line_and_field(tmp_path):
    rules = copy_rules(
        tmp_path, "gbv.sexual_harassment: sexual_abuse", "gbv.sexual_harrassment: sexual_abuse"
    )
    with pytest.raises(RulesError) as err:
        load_ruleset(rules)
    text = str(err.value)
    assert "crosswalks.yaml:" in text and "gbv.sexual_harrassment" in text


def test_an_unmapped_category_is_counted_apart(tmp_path):
    rules = load_ruleset(copy_rules(tmp_path, "      trafficking: trafficking\n", ""))
    vn111 = rules.crosswalks["vn111"]
    assert vn111.groups_of(["trafficking"], ["forced_labour"]) == {"unmapped"}
    assert vn111.group_label("unmapped") == "Chưa đối chiếu"
