"""hotline rules coverage: every live area x the agency kinds the rules may need."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hotline.cli.main import main
from hotline.routing.coverage import coverage
from hotline.rules.ruleset import load_ruleset
from hotline.settings import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "routing_rules"
LEGAL_AID_LAI_CHAU = """  - code: trogiup-lai-chau
    kind: legal_aid
    area: lai-chau
"""


def cli(argv: list[str], capsys) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return int(exit_info.value.code or 0), capsys.readouterr().out


def test_shipped_data_reaches_every_kind_from_every_live_area(capsys) -> None:  # type: ignore[no-untyped-def]
    rules = load_ruleset(SHIPPED)
    rows = coverage(rules)
    live = [c for c in rules.live_areas() if rules.areas[c].parent]
    assert [r.area for r in rows] == live and len(live) == 96 + 40 + 38 + 3
    kinds = rules.needed_kinds()
    assert set(kinds) == {
        "police",
        "health",
        "womens_union",
        "safe_house",
        "child_protection",
        "social_work_centre",
        "legal_aid",
        "education",
    }
    assert all(not row.gaps for row in rows)
    reach = {(row.area, r.kind): r.agency for row in rows for r in row.reach}
    # The nearest body: the commune police where there is one, else the province's.
    assert reach[("qn-dak-to", "police")] == "ca-xa-dak-to"
    assert reach[("qn-dak-to", "child_protection")] == "tham-van-tan-canh"  # priority 1
    assert reach[("qn-tinh-khe", "police")] == "ca-tinh-quang-ngai"
    assert reach[("hue-an-cuu", "child_protection")] == "so-y-te-hue"
    assert reach[("lc-mu-ca", "womens_union")] == "hlhpn-tinh-lai-chau"
    # Old areas are not on today's map.
    assert "tan-canh" not in {row.area for row in rows}
    code, out = cli(["rules", "coverage", str(SHIPPED), "--gaps"], capsys)
    assert code == 0 and "every kind reachable everywhere" in out and "NONE" not in out


def test_a_gap_is_named_and_fails(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "rules"
    shutil.copytree(SHIPPED, broken)
    agencies = broken / "agencies.yaml"
    text = agencies.read_text(encoding="utf-8")
    assert text.count(LEGAL_AID_LAI_CHAU) == 1
    agencies.write_text(
        text.replace(
            LEGAL_AID_LAI_CHAU, LEGAL_AID_LAI_CHAU.replace("area: lai-chau", "area: lc-mu-ca")
        ),
        encoding="utf-8",
    )
    rules = load_ruleset(broken)
    gaps = {(row.area, kind) for row in coverage(rules) for kind in row.gaps}
    # Moved down to one commune, legal aid no longer serves the rest of the province.
    assert ("lc-binh-lu", "legal_aid") in gaps and ("lai-chau", "legal_aid") in gaps
    assert ("lc-mu-ca", "legal_aid") not in gaps
    assert {kind for _area, kind in gaps} == {"legal_aid"}
    assert len(gaps) == 38  # the province and 37 of its 38 communes
    code, out = cli(["rules", "coverage", str(broken), "--gaps"], capsys)
    assert code == 1
    assert "lc-binh-lu  Xã Bình Lư, Tỉnh Lai Châu\n    legal_aid            NONE REACHABLE" in out
    assert "38 with none reachable" in out
