"""Areas with a life (areas.yaml valid_from, valid_to, successors) and agencies' priority:
every broken rules directory of issue 18 is refused with file, line and field, by `rules
check` and by a reload that keeps the rules in use; the shipped map's transition holds."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from hotline.cli.main import main
from hotline.rules.ruleset import RuleSetHolder, load_ruleset
from hotline.rules.yamlfile import RulesError
from hotline.settings import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "routing_rules"
TAN_CANH = (
    "  - {code: tan-canh, name: Xã Tân Cảnh, kind: commune, parent: dak-to, valid_to: 2025-06-30,"
    " successors: [qn-dak-to], source: Nghị quyết 1677/NQ-UBTVQH15}\n"
)
QN_DAK_TO = (
    "  - {code: qn-dak-to, name: Xã Đăk Tô, kind: commune, parent: quang-ngai,"
    ' official_code: "23401", valid_from: 2025-07-01,'
    " source: Nghị quyết 1677/NQ-UBTVQH15 ngày 16/6/2025}\n"
)
POLICE = """  - code: ca-xa-dak-to
    kind: police
    area: qn-dak-to
"""


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(SHIPPED, target)
    return target


def cli(argv: list[str], capsys) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return int(exit_info.value.code or 0), capsys.readouterr().out


def replace(directory: Path, name: str, old: str, new: str) -> int:
    """Replace `old` (once in the file); the line where it was."""
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


BAD = [
    # (why, file, old text, new text, field (end of), words of the message)
    (
        "a retired area without successors",
        "areas.yaml",
        TAN_CANH,
        TAN_CANH.replace(" successors: [qn-dak-to],", ""),
        ".successors",
        "has no successors",
    ),
    (
        "a successor that does not exist",
        "areas.yaml",
        TAN_CANH,
        TAN_CANH.replace("[qn-dak-to]", "[qn-dak-tooo]"),
        ".successors[0]",
        "unknown area 'qn-dak-tooo'",
    ),
    (
        "overlapping validity: the successor starts before the old area ends",
        "areas.yaml",
        QN_DAK_TO,
        QN_DAK_TO.replace("valid_from: 2025-07-01", "valid_from: 2025-06-01"),
        ".successors[0]",
        "overlapping validity",
    ),
    (
        "an area that outlives its retired parent",
        "areas.yaml",
        TAN_CANH,
        TAN_CANH.replace("valid_to: 2025-06-30", "valid_to: 2025-12-31"),
        ".valid_to",
        "outlives its parent",
    ),
    (
        "a live area left under a retired parent (orphaned)",
        "areas.yaml",
        TAN_CANH,
        TAN_CANH.replace(" valid_to: 2025-06-30, successors: [qn-dak-to],", ""),
        ".parent",
        "orphaned",
    ),
    (
        "two same-kind agencies in one area without priority",
        "agencies.yaml",
        "    priority: 2\n",
        "",
        ".priority",
        "give each a priority",
    ),
    (
        "an agency left on a retired area",
        "agencies.yaml",
        POLICE,
        POLICE.replace("area: qn-dak-to", "area: dak-to"),
        ".area",
        "re-point it to qn-dak-to",
    ),
]


@pytest.mark.parametrize(
    ("why", "name", "old", "new", "field", "words"), BAD, ids=[b[0] for b in BAD]
)
def test_bad_directory_is_refused_by_check_and_reload(
    rules_dir: Path, why: str, name: str, old: str, new: str, field: str, words: str, capsys
) -> None:  # type: ignore[no-untyped-def]
    holder = RuleSetHolder(load_ruleset(rules_dir))
    running = holder.current.version
    line = replace(rules_dir, name, old, new)
    with pytest.raises(RulesError) as info:
        load_ruleset(rules_dir)
    problem = next(p for p in info.value.problems if words in p.message)
    assert problem.file == name and problem.field.endswith(field), problem
    # The line named is the broken entry's (an area on one line, an agency's block).
    assert problem.line is not None
    text = (rules_dir / name).read_text(encoding="utf-8").splitlines()
    entry = "\n".join(text[problem.line - 1 : problem.line + 8])
    assert ("qn-dak-to" in entry or "dak-to" in entry) and line > 0, (problem, entry)
    with pytest.raises(RulesError):
        holder.reload()
    assert holder.current.version == running  # the running rules stay
    code, out = cli(["rules", "check", str(rules_dir)], capsys)
    assert code == 1
    assert f"{name}:{problem.line}: {problem.field}: " in out and words in out


def test_a_cycle_of_successors(rules_dir: Path) -> None:
    """Two retired areas naming each other: refused, whatever else is wrong with them."""
    replace(
        rules_dir,
        "areas.yaml",
        "successors: [qn-kon-dao], source: Nghị quyết 1677/NQ-UBTVQH15}\n  - {code: ngoc-tu",
        "successors: [ngoc-tu], source: Nghị quyết 1677/NQ-UBTVQH15}\n  - {code: ngoc-tu",
    )
    replace(
        rules_dir,
        "areas.yaml",
        "kind: commune, parent: dak-to, valid_to: 2025-06-30, successors: [qn-ngok-tu], source:"
        " Nghị quyết 1677/NQ-UBTVQH15}\n  - {code: kon-dao",
        "kind: commune, parent: dak-to, valid_to: 2025-06-30, successors: [dak-tram], source:"
        " Nghị quyết 1677/NQ-UBTVQH15}\n  - {code: kon-dao",
    )
    with pytest.raises(RulesError) as info:
        load_ruleset(rules_dir)
    cycles = [p for p in info.value.problems if "cycle" in p.message]
    assert cycles and cycles[0].file == "areas.yaml"
    assert "dak-tram → ngoc-tu → dak-tram" in cycles[0].message
    assert cycles[0].field.endswith("successors")


def test_shares_must_add_up(rules_dir: Path) -> None:
    replace(rules_dir, "areas.yaml", "share: 0.594", "share: 0.5")
    with pytest.raises(RulesError) as info:
        load_ruleset(rules_dir)
    assert any("add up to 0.906, not 1" in p.message for p in info.value.problems)


# --- the shipped transition ----------------------------------------------------------------

AFTER = date(2025, 7, 1)
TRANSITION = [
    # (old area, kind of change, what it is today (code, share))
    ("tan-canh", "merged", [("qn-dak-to", 1.0)]),
    ("quang-trung", "merged", [("qn-kon-tum", 1.0)]),
    ("dak-cam", "renamed (a commune made a ward)", [("qn-dak-cam", 1.0)]),
    ("kon-tum", "province merged", [("quang-ngai", 1.0)]),
    ("thua-thien-hue", "renamed", [("hue", 1.0)]),
    ("lai-chau", "unchanged", [("lai-chau", 1.0)]),
    (
        "dak-to",
        "split, shares unknown",
        [("qn-dak-to", None), ("qn-kon-dao", None), ("qn-ngok-tu", None)],
    ),
    (
        "tp-hue",
        "split twice, shares known for the first split",
        [
            ("hue-phu-xuan", None),
            ("hue-kim-long", None),
            ("hue-huong-an", None),
            ("hue-hoa-chau", None),
            ("hue-thuan-hoa", None),
            ("hue-vy-da", None),
            ("hue-an-cuu", None),
            ("hue-thuy-xuan", None),
            ("hue-my-thuong", None),
            ("hue-duong-no", None),
            ("hue-thuan-an", None),
        ],
    ),
]


@pytest.mark.parametrize(
    ("old", "change", "today"), TRANSITION, ids=[t[1] + ": " + t[0] for t in TRANSITION]
)
def test_what_an_old_area_is_today(old: str, change: str, today: list) -> None:  # type: ignore[type-arg]
    rules = load_ruleset(SHIPPED)
    assert sorted(rules.current(old)) == sorted(today)
    assert sorted(rules.current(old, AFTER)) == sorted(today)
    # On its last day the old area is still itself.
    assert rules.current(old, date(2024, 12, 31)) == [(old, 1.0)]


def test_supervisors_of_today_see_the_old_map_under_it() -> None:
    rules = load_ruleset(SHIPPED)
    quang_ngai = rules.subtree("quang-ngai")
    assert {"kon-tum", "tp-kon-tum", "dak-to", "tan-canh", "qn-dak-to"} <= quang_ngai
    assert "thua-thien-hue" not in quang_ngai and "hue" not in quang_ngai
    # The old tree, asked for itself, stays the old tree.
    assert rules.subtree("kon-tum") >= {"dak-to", "tan-canh"} and "qn-dak-to" not in rules.subtree(
        "kon-tum"
    )
