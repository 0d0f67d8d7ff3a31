"""Slot fillers for the corpus templates: who, where, when, how, in several registers.

Each slot is a list of alternatives; a template names slots as {slot}. Registers: standard
(northern) Vietnamese, Southern speech (tui, ổng, bả, má, ba, hổng, quánh), Central speech
(tau, mi, bọ, mạ, răng, rứa, chừ, o), Central Highlands settings (buôn, làng, rẫy, Ê Đê, Gia
Rai, Ba Na names). All written for this corpus.
"""

from __future__ import annotations

SLOTS: dict[str, list[str]] = {
    # adults who harm a child, as a caller names them
    "kin": [
        "bố", "bố nó", "bố đẻ", "cha", "ba", "ba nó", "bọ", "mẹ", "mẹ nó", "má", "mạ",
        "bố dượng", "cha dượng", "dượng", "mẹ kế", "dì ghẻ", "ông nội", "ông ngoại", "bác",
        "chú", "cậu", "ông chú họ", "anh họ", "người tình của mẹ",
    ],
    "outsider": [
        "ông hàng xóm", "ông già hàng xóm", "thằng cha bán tạp hóa", "chủ nhà trọ",
        "ông xe ôm quen", "một người đàn ông lạ", "anh trai của bạn", "thầy dạy thêm",
        "bảo vệ trường", "ông chủ quán", "tay phụ hồ ở công trình gần nhà", "người làm thuê cho nhà",
    ],
    "teacher": ["cô giáo", "thầy giáo", "cô chủ nhiệm", "thầy dạy thể dục", "cô bảo mẫu",
                "cô giáo mầm non", "thầy hiệu trưởng"],
    "kid": [
        "cháu bé", "bé gái nhà bên", "bé trai nhà bên", "con gái tôi", "con trai tôi",
        "đứa cháu", "thằng bé", "con bé", "em học sinh lớp {grade}", "bé {name}",
        "cháu {name}", "đứa nhỏ", "con nhỏ nhà kế bên", "hai đứa nhỏ", "em trai tôi", "em gái tôi",
        "đứa con riêng của chị ấy", "bé {name} học lớp {grade}",
    ],
    "name": [
        "Lan", "Hoa", "Mai", "Tú", "Nam", "Hùng", "Bảo", "Ngọc", "Thảo", "Vy", "Linh", "Khang",
        "H'Hen", "Y Bin", "Siu Nga", "Rơ Châm Hyai", "A Thút", "Kpă Linh", "H'Mai", "Y Sương",
        "Nhi", "Phúc", "Tín", "Trâm", "Su", "Bin", "Tũn",
    ],
    "grade": ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
    "woman": [
        "chị hàng xóm", "chị gái tôi", "em gái tôi", "bạn tôi", "cô em họ", "chị {name}",
        "mẹ tôi", "chị dâu", "vợ anh trai tôi", "một chị công nhân cùng phòng trọ",
        "chị người Ê Đê ở buôn bên", "cô giáo cắm bản",
    ],
    "husband": [
        "chồng", "ông chồng", "thằng chồng", "ổng", "chồng chị ấy", "chồng cũ", "người yêu",
        "bạn trai", "anh người yêu", "chồng sắp cưới", "ông xã", "lão chồng",
    ],
    "place": [
        "ở quận 8", "ở Bình Dương", "ở khu trọ công nhân", "ở ngoại thành Huế", "ở Nghệ An",
        "ở Quảng Bình", "ở Hà Giang", "ở Lào Cai", "ở buôn Kô Siêr", "ở làng Kon Kơ Tu",
        "ở làng Plei Ốp", "ở xã Ia Grai", "ở huyện Krông Pắc", "ở xã Tân Cảnh, Đăk Tô",
        "ở Cần Thơ", "ở Long An", "ở Đồng Tháp", "ở Thanh Hóa", "ở Hải Phòng", "ở Hà Nội",
        "ở Đà Nẵng", "ở Quảng Ngãi", "ở Gia Lai", "ở Đắk Lắk", "ở Kon Tum", "ở Lâm Đồng",
        "trên chòi rẫy", "ở xóm chài", "ở khu tập thể", "trong con hẻm nhà tôi",
    ],
    "when": [
        "tối qua", "đêm qua", "sáng nay", "mấy hôm nay", "từ hồi Tết", "mấy tháng nay",
        "tuần trước", "chiều nay", "cả năm nay", "hồi trưa", "từ lúc mẹ cháu đi làm xa",
        "hôm qua", "lâu rồi", "mới đây",
    ],
    "hurt": [
        "bầm tím khắp người", "sưng mặt", "chảy máu đầu", "gãy tay", "có vết roi trên lưng",
        "thâm tím hai tay", "phải khâu mấy mũi", "rách môi", "người đầy vết bỏng thuốc lá",
    ],
    "tool": ["roi mây", "cây chổi", "dây điện", "thắt lưng", "cái móc áo", "cây gậy", "dép"],
    "intro": [
        "", "", "", "Alo, ", "Alo chị ơi, ", "Em chào anh chị, ", "Tổng đài ơi, ",
        "Chào cô, ", "Tôi là hàng xóm, ", "Tôi gọi từ {place_bare}, ", "Cho em nói chuyện chút, ",
        "Dạ em chào tổng đài, ", "Chị ơi giúp em với, ",
    ],
    "ask": [
        "", "", "", ". Em phải làm sao?", ". Mong tổng đài giúp đỡ.", ", có ai giúp được không?",
        ". Cần hỗ trợ gấp.", ". Tôi không biết báo ai.", ", chị tư vấn giúp em.",
        ". Nhờ các anh chị can thiệp.", ". Em sợ lắm.",
    ],
    "place_bare": ["Kon Tum", "Gia Lai", "Đắk Lắk", "Sóc Trăng", "Quảng Trị", "Bắc Giang",
                   "Điện Biên", "Bến Tre", "Nghệ An", "Hà Tĩnh"],
    "country": ["Trung Quốc", "Campuchia", "Lào", "Malaysia", "Hàn Quốc", "Đài Loan", "Myanmar"],
    "job_lure": [
        "làm nhà hàng lương cao", "bưng bê quán ăn", "làm công nhân may", "làm online lương nghìn đô",
        "giúp việc nhà", "làm tiếp thị", "làm ở casino", "làm nail", "làm massage",
        "chăm sóc người già",
    ],
}

# English fillers
SLOTS_EN: dict[str, list[str]] = {
    "kin_en": ["her father", "his father", "the stepfather", "her stepfather", "the mother",
               "his mother", "her uncle", "the grandfather", "the stepmother",
               "the mother's boyfriend"],
    "kid_en": ["a little girl next door", "my daughter", "my son", "the boy next door",
               "my niece", "a girl in my class", "my little brother", "a child in our village",
               "a student of mine", "my granddaughter"],
    "woman_en": ["my sister", "my neighbour", "a colleague", "my friend", "my cousin",
                 "a woman in our building", "my mother"],
    "husband_en": ["her husband", "my husband", "her boyfriend", "my ex-husband", "my partner",
                   "her fiance"],
    "place_en": ["in District 8", "near the market", "in Kon Tum", "in the workers' dorm",
                 "in our village", "in Da Nang", "in the hills near Pleiku", ""],
    "country_en": ["China", "Cambodia", "Malaysia", "Laos", "Myanmar"],
}
