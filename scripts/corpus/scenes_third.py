"""The corpus's third batch of scenes: more wording for what the second batch still missed
(custody disputes and financial support, which had a dozen templates each; trafficking in all
its forms, from the family's side, the victim's, a teacher's, a border post's; the calls that
are not cases and came out as one: children and teenagers who feel alone or dread an exam and
want to talk, and everyday requests that belong to `other`).

Same format as scenes.py; generate.py draws these with a third random stream, so the first
two batches' narratives stay as they were. Some templates are written as teenagers type or in
Southern and Central speech already; generate.py retells the rest the same ways. Written for
this corpus, copied from nothing.
"""

from __future__ import annotations

from scenes import ADULT, CHILD, Scene

KIDS = (8, 17)

SCENES_THIRD: list[Scene] = [
    # --- custody disputes ------------------------------------------------------------------
    Scene(
        "custody_dispute",
        CHILD,
        [
            "ly hôn xong bên nội giữ cháu {age} tuổi, tôi là mẹ mà mỗi tháng chỉ được gặp con một lần",
            "chồng tôi đem con về quê nội, tắt máy, tôi không biết con đang ở đâu",
            "tòa giao con cho tôi nuôi nhưng cứ đến ngày đón là bên kia viện cớ không giao",
            "vợ cũ đi lấy chồng khác, mang cả con tôi theo, tôi muốn đòi lại quyền nuôi con",
            "hai vợ chồng đang làm thủ tục ly hôn, ai cũng muốn nuôi bé {age} tuổi, cãi nhau suốt",
            "ba cháu đi tù về, giờ đòi đưa cháu đi, trong khi bà ngoại nuôi cháu từ nhỏ",
            "tui với ổng chia tay, ổng nói con là của dòng họ ổng, hổng cho tui bồng con đi",
            "chồng cũ chuyển con sang trường khác mà không báo, tôi tới trường thì con không còn học ở đó",
            "bé nhà tôi {age} tuổi nói muốn ở với mẹ mà ba nó nhất quyết không cho",
            "tôi đi làm xa, gửi con cho ông bà nội, giờ về xin đón con thì ông bà không trả",
            "vợ chồng không đăng ký kết hôn, giờ chia tay, anh ấy có quyền giành con không",
            "mẹ chồng nói con dâu không có nhà cửa thì không được nuôi cháu, giữ luôn giấy khai sinh",
            "chồng cũ không cho con nghe điện thoại của tôi, con gọi lén thì khóc đòi mẹ",
            "cháu {age} tuổi bị giằng co giữa ba và mẹ ngay trước cổng trường, cô giáo phải can",
            "ảnh đòi nuôi con chỉ để khỏi đưa tiền cấp dưỡng, chớ có chăm cháu ngày nào đâu",
            "ba mạ cháu ly dị, giờ ai cũng muốn giữ đứa lớn, đứa nhỏ thì không ai nhận",
            "e vs ck cũ tranh nuôi con, ck cũ thuê ng tới nhà bắt con đi, e phải làm sao",
            "mẹ cháu bỏ đi lâu rồi, giờ quay về đòi dắt cháu đi theo, ba cháu không chịu",
        ],
        [
            "we separated and his parents are keeping our {age} year old, I am only allowed short visits",
            "my ex picked our son up from school and took him to another province without telling me",
            "the divorce is not final yet and we are fighting over who keeps the children",
            "my ex-husband won't let the kids talk to me on the phone, can I get custody back",
            "the grandparents raised her but now her father wants to take her away",
        ],
    ),
    # --- financial support -----------------------------------------------------------------
    Scene(
        "financial_support",
        None,
        [
            "cháu {age} tuổi mồ côi cha, mẹ đi làm thuê, năm nay không có tiền mua đồng phục đi học",
            "nhà em có bốn anh em, ba mất trong vụ tai nạn, mẹ không nuôi nổi, anh hai phải nghỉ học",
            "con tôi bị ung thư máu, chữa mấy năm nay hết sạch tiền, xin hỏi có quỹ nào giúp không",
            "em đang mang thai tháng thứ sáu, bạn trai bỏ đi, em không có tiền khám thai",
            "vợ tôi mất, tôi bị liệt nửa người, hai đứa nhỏ không ai lo tiền ăn học",
            "nhà cháu cháy hết, ba mẹ con phải ở nhờ nhà hàng xóm, không còn gì",
            "em là sinh viên năm nhất, nhà nghèo, em sợ phải bỏ học vì không đủ tiền học phí",
            "chồng đi tù, một mình tôi nuôi ba con nhỏ, làm thuê không đủ tiền gạo",
            "bà nội già nuôi hai đứa cháu, bố mẹ chúng đi làm ăn xa không gửi tiền về",
            "em bé nhà tôi sinh non phải nằm lồng ấp, viện phí cao quá, gia đình đi vay khắp nơi rồi",
            "tui nghèo quá trời, con tui đậu đại học mà hổng có tiền cho nó đi học",
            "con tôi bị khuyết tật, tôi muốn hỏi xin trợ cấp cho cháu thì làm ở đâu",
            "cha mạ đi biển bị bão đánh chìm thuyền, giờ mấy đứa nhỏ không có ai nuôi",
            "em mới ra trại giam, không có việc làm, con em ở với ngoại thiếu ăn",
            "nhà em hk có tiền, mẹ bệnh nằm viện, e muốn đi làm mà còn nhỏ qá, ai giúp e vs",
            "chồng cũ không đưa tiền nuôi con theo bản án, tôi muốn hỏi cách buộc anh ta đóng",
            "gia đình dân tộc, ở trên rẫy, mùa rồi mất trắng, con không có áo ấm đi học",
            "mẹ đơn thân nuôi con nhỏ bị bệnh phổi, mỗi tháng tiền thuốc hết mấy triệu, không kham nổi",
        ],
        [
            "my husband is in prison and I can't feed our three kids on my wage",
            "our house burned down and we lost everything, is there any emergency help",
            "my baby was born early and the hospital bill is more than we can pay",
            "I'm raising my two grandchildren alone on a small pension, we need help with school costs",
            "my son has a disability, where can I apply for support for him",
        ],
    ),
    # --- trafficking, every form -----------------------------------------------------------
    Scene(
        "trafficking",
        None,
        [
            "có người lạ tới bản nói tuyển người đi làm nhà máy bên kia biên giới, bao ăn ở, đi liền trong đêm",
            "con gái tôi {age} tuổi đi theo người quen xuống xuôi làm việc, giờ gọi về giọng sợ hãi rồi mất liên lạc",
            "trên mạng có nhóm rủ đi làm việc nhẹ lương cao ở nước ngoài, không cần bằng cấp, đưa đón tận nơi",
            "mấy đứa nhỏ trong thôn được một người đàn ông chở đi, nói đi làm thêm, tới giờ chưa ai về",
            "em quen một anh trên zalo, anh ấy rủ em qua biên giới chơi, bao hết tiền, em thấy lạ",
            "tôi nghi hàng xóm môi giới đưa người đi làm chui, mấy nhà có con đi rồi không liên lạc được",
            "bạn em nghỉ học theo một chị quen ngoài chợ đi làm, nhắn về là bị giữ, không cho đi",
            "ông chủ hứa cho đi làm ở {country} lương nghìn đô, thu giấy tờ của cả nhóm rồi",
            "nó rủ e đi làm quán ở xa, bao vé xe, e hk biết có nên đi hk",
            "thằng cháu tui đi làm bên kia mấy tháng, giờ gọi về nói hổng được về, ai giúp tui với",
        ],
        [
            "a stranger came to our village offering factory jobs across the border and took three girls that night",
            "my daughter followed an online friend to the city and now sounds scared when she calls",
            "someone is recruiting teenagers with promises of easy jobs abroad, no papers needed",
            "my nephew went to work abroad and now says they won't let him leave",
        ],
    ),
    Scene(
        "trafficking/forced_labour",
        (14, 45),
        [
            "em trai tôi làm ở công trường bên {country}, bị chủ giữ hộ chiếu, làm cả ngày không được trả đồng nào",
            "con tôi mới {age} tuổi bị người ta đưa đi may gia công, làm từ sáng tới khuya, không cho về nhà",
            "mấy người trong xã đi làm rẫy cà phê ở tỉnh khác, bị giam trong lán, ai đòi về thì bị đánh",
            "anh tôi đi làm thuyền đánh cá, cả năm không được lên bờ, chủ nói nợ tiền môi giới chưa trả hết",
            "cháu tôi bị lừa qua làm ở khu chăn nuôi, chủ khóa cổng, không được dùng điện thoại",
            "em bị bắt ngồi máy tính nhắn tin lừa tiền người khác, không làm đủ thì bị phạt đói",
            "anh tôi bị môi giới đưa qua {country} làm đồn điền, bị giữ giấy tờ, bảo làm đủ ba năm mới cho về",
            "chồng em qua {country} làm theo hợp đồng, tới nơi thì bị bán cho chủ khác, bị nhốt trong xưởng",
            "thằng em tui đi làm lò than, bị xiềng chân ban đêm cho khỏi trốn",
            "chị ấy đi giúp việc nhà ở {country}, bị chủ cấm ra ngoài, không trả lương, không cho gọi về",
        ],
        [
            "my brother works on a building site in {country_en} and the boss keeps his passport and pays nothing",
            "they make him type scam messages all day and beat him if he misses the target",
            "my {age} year old cousin sews clothes from dawn to midnight and is not allowed to go home",
            "the fishing boat owner says he owes a debt and won't let him ashore",
        ],
    ),
    Scene(
        "trafficking/sexual_exploitation",
        (15, 30),
        [
            "em được hứa làm phục vụ nhà hàng, tới nơi thì bị bắt tiếp khách, bị giữ điện thoại",
            "con gái tôi {age} tuổi bị đưa vào quán karaoke ở {place}, họ ép cháu bán dâm trả nợ",
            "có người giữ bạn em trong nhà nghỉ, bắt đi khách mỗi đêm, bạn em nhắn lén cầu cứu",
            "chị họ em qua {country} làm nail, tới nơi bị chủ bán cho một ổ mại dâm",
            "có trang mạng đăng ảnh mấy em gái tuổi học sinh để rao bán, tôi nghi có đường dây",
            "bạn trai dụ em lên thành phố, rồi bán em cho chủ quán, bắt em phải ngủ với khách",
            "cháu tôi bị ép quay phim khiêu dâm trực tuyến, không làm thì bị đánh",
            "e bị ng ta giữ ở quán, bắt đi khách, e trốn ra đc nhưng chúng nó đang tìm e",
            "chủ tiệm gội đầu giữ mấy cô gái trẻ, bắt làm chuyện đó với khách, không cho ai ra",
        ],
        [
            "she was promised a waitress job but they locked her in and force her to see clients",
            "my {age} year old niece is held in a karaoke bar and made to sell sex to pay a debt",
            "someone is selling photos of schoolgirls online and arranging meetings in hotels",
        ],
    ),
    Scene(
        "trafficking/forced_marriage",
        (14, 30),
        [
            "con gái tôi {age} tuổi bị một người phụ nữ rủ qua biên giới chơi rồi gả cho người bên đó, không cho về",
            "cháu gọi về nói bị nhà chồng bên {country} mua về, bị nhốt, không cho liên lạc với ai",
            "bạn em bị chuốc say rồi đưa sang bên kia bán làm vợ, giờ mới mượn được điện thoại nhắn về",
            "người quen dẫn em gái tôi đi lấy chồng nước ngoài, tới nơi mới biết bị bán, ông chồng đánh đập",
            "cháu gái nhà bên mất tích cả tháng, giờ có tin là bị bán làm vợ ở vùng quê {country}",
            "nó nói dắt em đi làm, ai ngờ bán em cho nhà người ta làm vợ, em sợ lắm",
        ],
        [
            "my sister was drugged, taken across the border and sold as a wife",
            "she called from {country_en}: the man's family bought her and keeps her locked in",
        ],
    ),
    Scene(
        "trafficking/returned_victim",
        (15, 40),
        [
            "em gái tôi mới được giải cứu từ bên {country} về, không có giấy tờ tùy thân, không đi làm được",
            "cháu trở về sau hai năm bị bán, đêm nào cũng giật mình la hét, gia đình không biết giúp sao",
            "em vừa thoát khỏi chỗ bị giữ bên kia biên giới, giờ về nhà mà không ai tin em",
            "đồn biên phòng mới đón một cô bé bị bán trở về, cần tìm gia đình và chỗ ở",
            "con tôi bị bán qua bên đó sinh con, giờ về được một mình, muốn đưa con về mà không biết làm giấy tờ",
            "em bị lừa bán rồi được trả về, giờ bị bệnh, cần khám mà không có bảo hiểm",
            "sau khi về từ khu lừa đảo, em trai tôi vẫn bị tụi nó gọi dọa đòi tiền chuộc",
            "chị tui bị bán qua bển mấy năm, mới về, làng xóm xì xào, chỉ không dám ra đường",
        ],
        [
            "my sister was rescued from {country_en} last month and has no papers to find work",
            "she came back after two years and wakes up screaming, we don't know how to help",
            "he escaped the scam compound but they still call threatening him for ransom",
        ],
    ),
    Scene(
        "trafficking/organ_removal",
        ADULT,
        [
            "có người trên mạng hỏi mua thận của em, hứa trả mấy trăm triệu, đưa đi nước ngoài mổ",
            "anh tôi đi làm ở {country} về thì bị mất một quả thận, bảo là bị ép ký giấy",
            "có nhóm đi tới làng hỏi ai cần tiền thì bán gan, bao xe đưa đi",
        ],
        [
            "a man online offered to buy my kidney and fly me abroad for the surgery",
        ],
    ),
    # --- not cases: children and teenagers who want to talk ---------------------------------
    Scene(
        "counselling",
        KIDS,
        [
            "em {age} tuổi, tuần sau thi vào lớp 10 mà em học không vô, em sợ trượt thì ba mẹ thất vọng",
            "em chỉ muốn có người nói chuyện thôi, ở nhà ai cũng bận, không ai hỏi em hôm nay thế nào",
            "em {age} tuổi, dạo này em thấy chán mọi thứ, không muốn đi chơi, không muốn làm gì",
            "em bị điểm kém môn toán, em không dám đưa bài kiểm tra cho mẹ ký",
            "em ở ký túc xá, nhớ nhà quá, tối nào cũng khóc, em muốn ai đó nghe em nói",
            "em {age} tuổi, đứa bạn thân có bạn mới rồi, em thấy mình bị bỏ rơi",
            "em sắp thi đại học, áp lực quá, đầu óc em trống rỗng, em không ngủ được",
            "em ngại nói chuyện trước lớp, mỗi lần cô gọi lên bảng là em run, em muốn hết sợ",
            "ba mẹ em đi làm xa, em ở với ông bà, em nhớ ba mẹ mà không biết nói với ai",
            "em {age} tuổi, em mới chia tay người yêu, em buồn lắm, chị nói chuyện với em chút được không",
            "e cô đơn qá, trên lớp hk ai chơi vs e, về nhà thì chỉ có cái đt",
            "e {age}t, thi hk sắp tới mà e chưa học j hết, e stress lắm",
            "tui {age} tuổi, tui hổng biết nói chuyện với ba má sao cho ba má hiểu, tui muốn tâm sự",
            "em thấy mình vô dụng vì thi rớt đội tuyển, bạn em đậu hết",
            "răng em học hoài mà điểm vẫn thấp rứa, chừ em chán lắm, em muốn nói chuyện với ai đó",
            "em lên cấp ba mà chưa quen được ai, giờ ra chơi em ngồi đọc truyện một mình, em muốn có người nghe em",
            "em {age} tuổi, em đang lo không biết mình có hợp với ngành mình chọn không",
            "em gọi vì không ngủ được, em chỉ muốn nghe ai đó nói chuyện cho đỡ sợ",
        ],
        [
            "I'm {age} and my exams are next week, I can't focus and I'm scared of failing",
            "I just want someone to talk to, nobody at home asks how I am",
            "my best friend has new friends now and I feel left out",
            "I'm {age}, I miss my parents who work in the city and I feel lonely at my grandma's",
            "I failed the team selection and I feel useless, can we talk",
        ],
    ),
    # --- not cases: everything else ---------------------------------------------------------
    Scene(
        "other",
        None,
        [
            "người gọi muốn nhờ tổng đài nạp tiền điện thoại giùm",
            "gọi phản ánh xe buýt không dừng đón khách ở trạm đầu làng",
            "chị gọi để khen cán bộ tổng đài hôm trước tư vấn tận tình",
            "người gọi muốn đặt vé xe về quê, gọi nhầm tổng đài",
            "ông cụ gọi nhầm, muốn hỏi số của hợp tác xã",
            "người gọi báo cây đổ chắn đường trước trường học",
            "muốn góp ý tổng đài nên có thêm nhạc chờ tiếng dân tộc",
            "ông ấy gọi nhờ tìm giùm con chó bị lạc từ hôm qua",
            "người gọi phàn nàn mạng internet nhà bị chậm",
            "tui gọi báo nước máy cúp từ hôm qua tới chừ",
            "bà con phản ánh xe chở cát chạy ầm ầm qua thôn cả đêm",
            "anh ấy gọi mời tổng đài mua phần mềm quản lý khách hàng",
            "người gọi muốn đổi lịch hẹn khám răng, gọi nhầm tổng đài",
            "gọi báo đèn đường ở ngõ bị hỏng mấy hôm nay",
        ],
        [
            "he called to sell us printer ink",
            "the caller wanted to thank the counsellor who helped last week",
            "wrong number, he was trying to reach the water company",
            "a tree has fallen across the road in front of the school",
        ],
    ),
]
