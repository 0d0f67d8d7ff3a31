"""decide(): a table of realistic calls with the agencies they must reach, plus properties."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from hotline.routing.decide import (
    CallFacts,
    Decision,
    PersonFacts,
    decide,
    explain_text,
)
from hotline.rules.ruleset import RuleSet
from tests.helpers.factories import T0

# Tuesday 10 March 2026, 09:00 in Ho Chi Minh City: office hours.
NIGHT = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 22:00 local
SATURDAY = datetime(2026, 3, 14, 3, 0, tzinfo=UTC)  # 10:00 local


def make(
    narrative: str,
    area: str | None,
    *,
    line: str | None = "111",
    urgency: str = "normal",
    needs: tuple[str, ...] = (),
    people: tuple[tuple[int | None, str | None], ...] = (),
    categories: tuple[str, ...] = (),
    subcategories: tuple[str, ...] = (),
    at: datetime = T0,
) -> CallFacts:
    return CallFacts(
        line=line,
        area=area,
        narrative=narrative,
        categories=categories,
        subcategories=subcategories,
        urgency=urgency,
        needs=needs,
        people=tuple(PersonFacts(age, sex) for age, sex in people),
        received_at=at,
    )


# (call, expected categories routed, expected agencies)
CASES = [
    # 1. Stepfather beats an 8-year-old, injured: lead agency, commune, police, health.
    (
        make(
            "Cháu bé 8 tuổi bị bố dượng đánh đập, bầm tím khắp người",
            "qn-dak-to",
            needs=("medical",),
        ),
        {"child_abuse"},
        {"tham-van-tan-canh", "ubnd-xa-dak-to", "ca-xa-dak-to", "ttyt-kv-dak-to"},
    ),
    # 2. The same typed without diacritics routes the same way.
    (
        make(
            "chau be 8 tuoi bi bo duong danh dap, bam tim khap nguoi",
            "qn-dak-to",
            needs=("medical",),
        ),
        {"child_abuse"},
        {"tham-van-tan-canh", "ubnd-xa-dak-to", "ca-xa-dak-to", "ttyt-kv-dak-to"},
    ),
    # 3. A teacher molests a 12-year-old at school: gbv words, but a child, so child_abuse.
    (
        make(
            "Con gái tôi 12 tuổi bị thầy giáo sàm sỡ ở trường",
            "qn-kon-tum",
            needs=("school",),
            people=((12, "female"),),
        ),
        {"child_abuse"},
        {
            "ca-phuong-kon-tum",
            "sgddt-quang-ngai",
            "so-y-te-quang-ngai",
            "tyt-phuong-kon-tum",
            "ubnd-phuong-kon-tum",
        },
    ),
    # 4. Wife beaten, needs shelter, emergency in office hours: WU, police, safe house.
    (
        make(
            "Chị ấy bị chồng đánh đập dã man, cần chỗ tạm lánh",
            "qn-kon-tum",
            urgency="emergency",
            needs=("shelter",),
            people=((32, "female"),),
        ),
        {"gbv"},
        {"hlhpn-phuong-kon-tum", "ca-phuong-kon-tum", "nha-tam-lanh-kon-tum"},
    ),
    # 5. Domestic violence typed without diacritics, normal urgency: Women's Union only.
    (
        make(
            "toi bi chong danh moi ngay, anh ta say ruou la danh",
            "qn-ngok-tu",
            people=((28, "female"),),
        ),
        {"gbv"},
        {"hlhpn-tinh-quang-ngai"},
    ),
    # 6. Southern wording ("ổng", "nhậu về đánh", "tui").
    (
        make("Ổng nhậu về đánh tui bầm mình", "qn-kon-tum", people=((40, "female"),)),
        {"gbv"},
        {"hlhpn-phuong-kon-tum"},
    ),
    # 7. Southern "uýnh" for "đánh".
    (
        make("tui bị uýnh hoài, thằng chồng đánh tui", "qn-dak-cam", people=((35, "female"),)),
        {"gbv"},
        {"hlhpn-tinh-quang-ngai"},
    ),
    # 8. Central wording ("ba", "mạ"), a child calls from Huế: the city's lead and the ward.
    (
        make("ba đánh em với mạ hoài, em sợ lắm", "hue-phu-xuan", people=((11, "male"),)),
        {"child_abuse"},
        {"so-y-te-hue", "ubnd-phuong-phu-xuan"},
    ),
    # 9. A 14-year-old raped: police and health for sexual abuse.
    (
        make("Em gái 14 tuổi bị hàng xóm hiếp dâm", "qn-kon-dao"),
        {"child_abuse"},
        {"bvdk-quang-ngai", "ca-xa-kon-dao", "tham-van-kon-dao"},
    ),
    # 10. The same without diacritics.
    (
        make("em gai 14 tuoi bi hang xom hiep dam", "qn-kon-dao"),
        {"child_abuse"},
        {"bvdk-quang-ngai", "ca-xa-kon-dao", "tham-van-kon-dao"},
    ),
    # 11. An adult raped, high urgency: WU, police, health.
    (
        make(
            "Tôi bị một người đàn ông lạ cưỡng hiếp tối qua",
            "qn-kon-tum",
            urgency="high",
            people=((22, "female"),),
        ),
        {"gbv"},
        {"hlhpn-phuong-kon-tum", "ca-phuong-kon-tum", "tyt-phuong-kon-tum"},
    ),
    # 12. A 17-year-old harassed at work: gbv, and child protection for a minor.
    (
        make(
            "Em 17 tuổi, bị sếp quấy rối tình dục ở chỗ làm", "qn-dak-cam", people=((17, "female"),)
        ),
        {"gbv"},
        {"hlhpn-tinh-quang-ngai", "so-y-te-quang-ngai"},
    ),
    # 13. Returned trafficking victim needing shelter and care.
    (
        make(
            "Con gái tôi bị lừa bán sang Trung Quốc, mới được giải cứu trở về",
            "qn-ngok-tu",
            needs=("shelter", "medical"),
            people=((19, "female"),),
        ),
        {"trafficking"},
        {
            "bvdk-quang-ngai",
            "ca-xa-ngok-tu",
            "hlhpn-tinh-quang-ngai",
            "nha-tam-lanh-quang-ngai",
            "tham-van-ngok-tu",
        },
    ),
    # 14. English: forced labour in Cambodia, passport taken; province-level area.
    (
        make(
            "My brother was tricked into a job in Cambodia, they took his passport. Forced labour.",
            "quang-ngai",
            people=((24, "male"),),
        ),
        {"trafficking"},
        {"ca-tinh-quang-ngai", "so-y-te-quang-ngai"},
    ),
    # 15. A woman sold to a brothel, needs shelter: police, victim support, safe house.
    (
        make(
            "Chị gái tôi bị bán vào nhà chứa, cần chỗ ở",
            "qn-dak-to",
            needs=("shelter",),
            people=((23, "female"),),
        ),
        {"trafficking"},
        {"ca-xa-dak-to", "tham-van-tan-canh", "dia-chi-tin-cay-dak-to"},
    ),
    # 16. Asking for a phone number: information, not a case, no referral.
    (make("Cho hỏi số điện thoại của phòng lao động", "qn-kon-tum"), {"information"}, set()),
    # 17. Nothing said: a silent call.
    (make("", "qn-kon-tum"), {"silent"}, set()),
    # 18. A prank.
    (make("gọi đùa thôi, chọc phá tổng đài cho vui", None), {"prank_or_abusive"}, set()),
    # 19. Counselling about school stress.
    (
        make("Em bị áp lực học tập, buồn lắm, muốn được tâm sự", "qn-dak-cam"),
        {"counselling"},
        set(),
    ),
    # 20. No area on the provincial line: the line's home area (the province).
    (
        make("Chồng đánh vợ suốt ngày", None, line="02603862991", people=((30, "female"),)),
        {"gbv"},
        {"hlhpn-tinh-quang-ngai"},
    ),
    # 21. No area on the city line: the city.
    (
        make("Bé bị bố mẹ bỏ đói mấy ngày nay", None, line="02603915034"),
        {"child_abuse"},
        {"so-y-te-quang-ngai", "ubnd-phuong-kon-tum"},
    ),
    # 22. Neglect of two children in Kon Đào: its community counselling point (no district).
    (
        make("Hai đứa trẻ bị bố mẹ bỏ mặc, bỏ đói nhiều ngày", "qn-kon-dao"),
        {"child_abuse"},
        {"tham-van-kon-dao"},
    ),
    # 23. A newborn abandoned, emergency, needs alternative care.
    (
        make(
            "Phát hiện trẻ sơ sinh bị bỏ rơi trước cổng chùa",
            "qn-kon-tum",
            urgency="emergency",
            needs=("alternative_care",),
        ),
        {"child_abuse"},
        {"ca-phuong-kon-tum", "so-y-te-quang-ngai", "ttctxh-quang-ngai", "ubnd-phuong-kon-tum"},
    ),
    # 24. Child marriage.
    (
        make("Gia đình ép con lấy chồng khi mới 14 tuổi, tảo hôn", "qn-ngok-tu"),
        {"child_abuse"},
        {"tham-van-ngok-tu"},
    ),
    # 25. Child made to beg.
    (
        make("Cháu 10 tuổi bị bắt đi ăn xin ngoài chợ", "qn-ngok-bay"),
        {"child_abuse"},
        {"so-y-te-quang-ngai"},
    ),
    # 26. Online grooming and sextortion of a 13-year-old, high urgency.
    (
        make(
            "Con tôi 13 tuổi bị kẻ lạ dụ dỗ qua mạng gửi ảnh khỏa thân rồi tống tiền",
            "qn-kon-tum",
            urgency="high",
        ),
        {"child_abuse"},
        {"ca-phuong-kon-tum", "so-y-te-quang-ngai", "ubnd-phuong-kon-tum"},
    ),
    # 27. English, child abuse in Tam Đường.
    (
        make(
            "Neighbour reports child abuse: the boy is beaten by his stepfather every night",
            "lc-binh-lu",
            people=((9, "male"),),
        ),
        {"child_abuse"},
        {"so-y-te-lai-chau", "ubnd-xa-binh-lu"},
    ),
    # 28. English, domestic and economic violence in Phong Điền.
    (
        make(
            "My husband hits me and takes all my money", "hue-phong-dien", people=((35, "female"),)
        ),
        {"gbv"},
        {"hlhpn-hue"},
    ),
    # 29. Teen code and typos ("bj", "ko") from a 12-year-old.
    (
        make("e bj đánh, ko cho ăn, bố mẹ bỏ bê", "qn-dak-to", people=((12, "female"),)),
        {"child_abuse"},
        {"tham-van-tan-canh", "ubnd-xa-dak-to"},
    ),
    # 30. Half-typed diacritics, threats, emergency.
    (
        make(
            "chồng e say ruou về đánh đập, dọa giết",
            "qn-dak-to",
            urgency="emergency",
            people=((30, "female"),),
        ),
        {"gbv"},
        {"hlhpn-xa-dak-to", "ca-xa-dak-to"},
    ),
    # 31. Needs legal aid in the city: legal aid office.
    (
        make(
            "Bị chồng bạo hành nhiều năm, muốn ly hôn, cần hỗ trợ pháp lý",
            "qn-kon-tum",
            needs=("legal",),
            people=((40, "female"),),
        ),
        {"gbv"},
        {"hlhpn-phuong-kon-tum", "trogiup-quang-ngai"},
    ),
    # 32. Needs legal aid in Đăk Tô, which has none up its tree: WU only (and a notice).
    (
        make(
            "Bị chồng bạo hành nhiều năm, muốn ly hôn",
            "qn-dak-to",
            needs=("legal",),
            people=((40, "female"),),
        ),
        {"gbv"},
        {"hlhpn-xa-dak-to", "trogiup-quang-ngai"},
    ),
    # 33. Mother and a 6-year-old both beaten: child abuse and gbv together.
    (
        make(
            "Chồng đánh cả hai mẹ con, đứa con 6 tuổi bị gãy tay",
            "qn-kon-tum",
            needs=("medical",),
            people=((30, "female"), (6, "male")),
        ),
        {"child_abuse", "gbv"},
        {
            "ca-phuong-kon-tum",
            "hlhpn-phuong-kon-tum",
            "so-y-te-quang-ngai",
            "tyt-phuong-kon-tum",
            "ubnd-phuong-kon-tum",
        },
    ),
    # 34. The operator's categories win over the words.
    (
        make(
            "Hỏi thông tin",
            "qn-dak-to",
            categories=("child_abuse",),
            subcategories=("sexual_abuse",),
        ),
        {"child_abuse"},
        {"tham-van-tan-canh", "ubnd-xa-dak-to", "ca-xa-dak-to", "ttyt-kv-dak-to"},
    ),
    # 35. The operator says counselling: no referral, whatever the words.
    (make("Bị chồng đánh", "qn-dak-to", categories=("counselling",)), {"counselling"}, set()),
    # 36. Emergency at 22:00: the closed commune point gets a 24/7 backup (social work centre).
    (
        make(
            "Bé bị bố đánh chảy máu đầu",
            "qn-kon-dao",
            urgency="emergency",
            needs=("medical",),
            people=((7, "male"),),
            at=NIGHT,
        ),
        {"child_abuse"},
        {"bvdk-quang-ngai", "ca-xa-kon-dao", "tham-van-kon-dao", "ttctxh-quang-ngai"},
    ),
    # 37. The same at night but only high urgency: no backup.
    (
        make(
            "Bé bị bố đánh chảy máu đầu",
            "qn-kon-dao",
            urgency="high",
            needs=("medical",),
            people=((7, "male"),),
            at=NIGHT,
        ),
        {"child_abuse"},
        {"bvdk-quang-ngai", "ca-xa-kon-dao", "tham-van-kon-dao"},
    ),
    # 38. Saturday emergency in Phú Xuân: the ward's WU is closed, the city's social work
    #     centre (24/7) stands in; the ward police is 24/7.
    (
        make(
            "Chồng cầm dao đòi giết vợ",
            "hue-phu-xuan",
            urgency="emergency",
            people=((33, "female"),),
            at=SATURDAY,
        ),
        {"gbv"},
        {"ca-phuong-phu-xuan", "hlhpn-phuong-phu-xuan", "ttctxh-hue"},
    ),
    # 39. Organ trafficking offer.
    (
        make(
            "Có người rủ em đi bán thận lấy tiền, nói là sang Campuchia",
            "hue-phu-loc",
            people=((20, "male"),),
        ),
        {"trafficking"},
        {"ca-hue", "so-y-te-hue"},
    ),
    # 40. An illegal marriage broker.
    (
        make("Cò hôn nhân dụ con gái đi lấy chồng Hàn Quốc", "qn-dak-to", people=((20, "female"),)),
        {"gbv"},
        {"hlhpn-xa-dak-to"},
    ),
    # 41. Economic violence, province-level area.
    (
        make("Chồng giữ hết tiền lương, không cho đi làm", "quang-ngai", people=((38, "female"),)),
        {"gbv"},
        {"hlhpn-tinh-quang-ngai"},
    ),
    # 42. "trẻ em" with no ages: the child words make beating child abuse.
    (
        make("Trẻ em bị đánh đập ở nhà hàng xóm", "qn-ngok-bay"),
        {"child_abuse"},
        {"so-y-te-quang-ngai"},
    ),
    # 43. A 15-year-old girl sold as a bride: trafficking, not gbv.
    (
        make("Bé gái 15 tuổi bị bán sang Trung Quốc làm vợ", "qn-dak-to", people=((15, "female"),)),
        {"trafficking"},
        {"ca-xa-dak-to", "tham-van-tan-canh"},
    ),
    # 44. Sexual harassment by a boss.
    (
        make("Sếp gạ tình, nhắn tin khiêu dâm cho tôi", "qn-kon-tum", people=((26, "female"),)),
        {"gbv"},
        {"hlhpn-phuong-kon-tum"},
    ),
    # 45. Upper-case, no diacritics, hotel wording.
    (
        make(
            "BI CUONG HIEP O NHA NGHI", "qn-kon-tum", urgency="emergency", people=((19, "female"),)
        ),
        {"gbv"},
        {"hlhpn-phuong-kon-tum", "ca-phuong-kon-tum", "tyt-phuong-kon-tum"},
    ),
    # 46. A national-line call with no area: triage, nobody referred yet.
    (make("Chồng đánh vợ", None, line="111", people=((30, "female"),)), {"gbv"}, set()),
]


@pytest.mark.parametrize(("call", "categories", "agencies"), CASES)
def test_table(ruleset: RuleSet, call: CallFacts, categories: set[str], agencies: set[str]) -> None:
    decision = decide(call, ruleset)
    assert set(decision.categories) == categories, explain_text(decision, ruleset)
    assert {r.agency_code for r in decision.referrals} == agencies, explain_text(decision, ruleset)
    assert "internal_error" not in [getattr(n, "code", "") for n in decision.notices]
    json.dumps(decision.to_dict())


def codes(decision: Decision) -> list[str]:
    return [getattr(n, "code", "") for n in decision.notices]


def test_case_calls_without_a_referral_go_to_triage(ruleset: RuleSet) -> None:
    # A national-line call with no area cannot be placed.
    decision = decide(make("Chồng đánh vợ", None, line="111"), ruleset)
    assert decision.triage and not decision.referrals and "no_area" in codes(decision)
    # Non-case calls are counted, not triaged.
    assert not decide(make("Cho hỏi số điện thoại", "qn-dak-cam"), ruleset).triage
    # Nothing recognisable: a person must look at it.
    unclear = decide(make("alo alo", "qn-dak-cam"), ruleset)
    assert unclear.triage and "unclassified" in codes(unclear)


def test_time_limits_tightest_per_clock(ruleset: RuleSet) -> None:
    call = make("Bé bị bố dượng hiếp dâm", "qn-dak-to", urgency="emergency", at=T0)
    by_agency = {r.agency_code: r for r in decide(call, ruleset).referrals}
    lead = by_agency["tham-van-tan-canh"]
    assert lead.limits == {
        "acknowledge": "15m",
        "first_action": "12h",
        "plan_approval": "7wd",
        "resolve": "5wd",
    }
    assert by_agency["ca-xa-dak-to"].limits == {"acknowledge": "15m", "first_action": "12h"}
    trafficking = decide(make("Bị lừa bán sang Trung Quốc", "qn-dak-to", urgency="low"), ruleset)
    police = next(r for r in trafficking.referrals if r.agency_kind == "police")
    assert police.limits == {"acknowledge": "1wd", "resolve": "3d"}


def test_one_referral_per_agency_keeps_first_rule(ruleset: RuleSet) -> None:
    # Police is asked for by child-abuse-police-sexual and child-abuse-police-urgent.
    call = make("hiếp dâm trẻ em", "qn-dak-to", urgency="high")
    decision = decide(call, ruleset)
    police = [r for r in decision.referrals if r.agency_kind == "police"]
    assert len(police) == 1
    assert police[0].rule_id == "child-abuse-police-sexual"
    assert "child-abuse-police-urgent" in police[0].reason
    assert {m.rule_id for m in decision.matched_rules} >= {
        "child-abuse-police-sexual",
        "child-abuse-police-urgent",
    }


def test_full_safe_house_is_skipped_with_a_notice(ruleset: RuleSet) -> None:
    call = make(
        "Bị chồng đánh, cần chỗ tạm lánh",
        "qn-kon-tum",
        needs=("shelter",),
        people=((30, "female"),),
    )
    full = {
        "nha-tam-lanh-kon-tum": 4,
        "nha-tam-lanh-quang-ngai": 4,
    }  # the ward's and the province's
    decision = decide(call, ruleset, occupancy=full)
    assert "nha-tam-lanh-kon-tum" not in {r.agency_code for r in decision.referrals}
    assert {"safe_house_full_none", "no_free_bed"} <= set(codes(decision))
    assert not decision.triage  # the Women's Union still has it
    free = decide(call, ruleset, occupancy={"nha-tam-lanh-kon-tum": 3})
    assert "nha-tam-lanh-kon-tum" in {r.agency_code for r in free.referrals}


def test_trafficking_shelter_falls_back_to_social_work_centre(ruleset: RuleSet) -> None:
    call = make("Bị bán vào nhà chứa", "qn-dak-to", needs=("shelter",))
    decision = decide(
        call, ruleset, occupancy={"dia-chi-tin-cay-dak-to": 2, "nha-tam-lanh-quang-ngai": 4}
    )
    chosen = {r.agency_code for r in decision.referrals}
    assert "ttctxh-quang-ngai" in chosen and "dia-chi-tin-cay-dak-to" not in chosen
    assert "safe_house_full" in codes(decision)


def test_after_hours_backup_is_recorded(ruleset: RuleSet) -> None:
    call = make("Bé bị bố đánh chảy máu đầu", "qn-kon-dao", urgency="emergency", at=NIGHT)
    decision = decide(call, ruleset)
    backup = next(r for r in decision.referrals if r.agency_code == "ttctxh-quang-ngai")
    assert backup.rule_id == "after-hours-emergency"
    assert backup.limits["acknowledge"] == "15m"
    assert "after_hours" in codes(decision)
    assert "after-hours-emergency" in {m.rule_id for m in decision.matched_rules}


def test_unknown_area_falls_back_to_the_line(ruleset: RuleSet) -> None:
    call = make("Chồng đánh vợ", "nowhere", line="02603862991")
    decision = decide(call, ruleset)
    assert {r.agency_code for r in decision.referrals} == {"hlhpn-tinh-quang-ngai"}
    assert "unknown_area" in codes(decision)


def test_decision_to_dict_and_explain_in_both_languages(ruleset: RuleSet) -> None:
    call = make("Bé bị bố đánh chảy máu đầu", "qn-kon-dao", urgency="emergency", at=NIGHT)
    decision = decide(call, ruleset)
    data = decision.to_dict()
    assert data["ruleset_version"] == ruleset.version
    assert data["referrals"][0]["limits"]["acknowledge"] == "15m"
    assert data["suggestions"][0]["words"]
    vi = explain_text(decision, ruleset)
    en = explain_text(decision, ruleset, locale="en")
    assert "Chuyển gửi" in vi and "Trung tâm Công tác xã hội tỉnh Quảng Ngãi" in vi
    assert "Referrals" in en and "is closed" in en
    notices = decision.to_dict(locale="en")["notices"]
    assert notices[0].startswith("Categories taken from the suggestions")  # English, too
    assert "closed" in " ".join(notices)


def test_public_holiday_closes_offices(ruleset: RuleSet) -> None:
    # Tuesday 17 February 2026, 09:00: office hours on a weekday, but Tết (holidays.yaml).
    tet = datetime(2026, 2, 17, 2, 0, tzinfo=UTC)
    call = make("Bé bị bố đánh chảy máu đầu", "qn-kon-dao", urgency="emergency", at=tet)
    chosen = {r.agency_code for r in decide(call, ruleset).referrals}
    assert "ttctxh-quang-ngai" in chosen  # the commune point is closed: 24/7 backup
    ordinary = dataclasses.replace(call, received_at=T0)
    assert "ttctxh-quang-ngai" not in {r.agency_code for r in decide(ordinary, ruleset).referrals}


def test_full_safe_house_goes_up_the_tree(ruleset: RuleSet, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from hotline.rules.ruleset import load_ruleset

    shutil.copytree(ruleset.directory, tmp_path / "rules")
    agencies = tmp_path / "rules" / "agencies.yaml"
    agencies.write_text(
        agencies.read_text(encoding="utf-8")
        + """
  - code: nha-binh-yen-kon-tum
    kind: safe_house
    area: quang-ngai
    name: Ngôi nhà Bình yên tỉnh Kon Tum
    beds: 6
""",
        encoding="utf-8",
    )
    rules = load_ruleset(tmp_path / "rules")
    call = make(
        "Bị chồng đánh, cần chỗ tạm lánh",
        "qn-kon-tum",
        needs=("shelter",),
        people=((30, "female"),),
    )
    near = decide(call, rules, occupancy={"nha-tam-lanh-kon-tum": 1})
    assert "nha-tam-lanh-kon-tum" in {r.agency_code for r in near.referrals}
    taken = {"nha-tam-lanh-kon-tum": 4, "nha-tam-lanh-quang-ngai": 4}
    full = decide(call, rules, occupancy=taken)
    chosen = {r.agency_code for r in full.referrals}
    assert "nha-binh-yen-kon-tum" in chosen and "nha-tam-lanh-kon-tum" not in chosen
    notice = next(n for n in full.notices if n.code == "safe_house_full")
    assert "Ngôi nhà Bình yên" in str(notice) and "4/4" in str(notice)
    assert "is full" in notice.render("en")
    none = decide(call, rules, occupancy={**taken, "nha-binh-yen-kon-tum": 6})
    assert "no_free_bed" in codes(none) and not {r.agency_kind for r in none.referrals} & {
        "safe_house"
    }
