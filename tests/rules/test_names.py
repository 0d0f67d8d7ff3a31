"""Names in the reader's language: areas named in English from their Vietnamese names,
agencies and lines by their `name_en`."""

from __future__ import annotations

import pytest

from hotline.rules.names import english_area_name


@pytest.mark.parametrize(
    ("vietnamese", "english"),
    [
        ("Tỉnh Quảng Ngãi", "Quảng Ngãi Province"),
        ("Xã Đăk Tô", "Đăk Tô Commune"),
        ("Phường Kon Tum", "Kon Tum Ward"),
        ("Thành phố Huế", "Huế City"),
        ("Thành phố Huế (thuộc tỉnh)", "Huế City (provincial)"),
        ("Thị xã Hương Thủy", "Hương Thủy Town"),  # not "Xã ..."
        ("Thị trấn Đăk Tô", "Đăk Tô Township"),
        ("Đặc khu Lý Sơn", "Lý Sơn Special Zone"),
        ("Việt Nam", "Viet Nam"),
        ("Khu Tân Cảnh", "Khu Tân Cảnh"),  # no unit word: as it is
    ],
)
def test_an_area_is_named_in_english_from_its_vietnamese_name(vietnamese, english):
    assert english_area_name(vietnamese) == english


def test_every_agency_and_line_has_an_english_name(ruleset):
    assert [a.code for a in ruleset.agencies.values() if not a.name_en] == []
    assert [line.code for line in ruleset.lines.values() if not line.name_en] == []
    assert ruleset.area_path("qn-dak-to", "en") == "Đăk Tô Commune, Quảng Ngãi Province"
    assert ruleset.area_path("qn-dak-to") == "Xã Đăk Tô, Tỉnh Quảng Ngãi"


def test_every_shipped_source_has_an_english_form(ruleset):
    """Each source of a rule, a time limit, an escalation limit and an agency: the pages in
    English show it in English, a law's name as cited."""
    routing, ladders = ruleset.routing, ruleset.ladders
    sources = {r.source for r in routing.rules} | {routing.after_hours.source}
    sources |= {limit.source for r in routing.rules for limit in r.limits}
    sources |= {t.limit.source for t in routing.time_limits}
    sources |= {a.source for a in ruleset.agencies.values() if a.source}
    assert sorted(s for s in sources if s not in ruleset.sources_en) == []
    emergency = "Quy định của tổng đài; Nghị định 56/2017/NĐ-CP, điều 25: thông báo ngay"
    assert ruleset.source_text(emergency, "vi") == emergency
    assert ruleset.source_text(emergency, "en") == (
        "The hotline's own rule; Decree 56/2017/ND-CP, article 25: notify at once"
    )
    assert ruleset.source_text("a source the rules do not know", "en") == (
        "a source the rules do not know"
    )
    assert ladders is not None
