"""What callers say, by category and sub-category: the corpus templates.

Every scene is a label ("category/sub-category" or "category"), the age range of the person at
risk (None: no age belongs with the story), and templates in Vietnamese and English. Templates
name slots from vocab.py; {age} is the person's age. Written for this corpus, copied from
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Scene:
    label: str
    ages: tuple[int, int] | None
    vi: list[str]
    en: list[str] = field(default_factory=list)


CHILD = (3, 15)
TEEN = (13, 17)
ADULT = (19, 55)

SCENES: list[Scene] = [
    # --- child abuse -------------------------------------------------------------------------
    Scene(
        "child_abuse/physical_violence",
        CHILD,
        [
            "{kid} {age} tuổi bị {kin} đánh đập {hurt}",
            "{kin} nhậu say về lấy {tool} quất {kid}, {hurt}",
            "{when} {kin} lại đánh {kid} rất dã man, em nghe tiếng khóc thét cả xóm",
            "Tui thấy {kin} của {kid} {place} dí đánh nó hoài, người {hurt}",
            "{teacher} tát {kid} mấy cái vì không thuộc bài, về nhà má thấy {hurt}",
            "{kid} bị {kin} trói vào cột rồi đánh bằng {tool}",
            "ba nó quánh thằng nhỏ dữ lắm, bữa nào cũng nghe la, bầm hết cái lưng",
            "bọ hắn đập thằng cu {age} tuổi suốt, răng mà ác rứa, chừ hắn sợ không dám về nhà",
            "{kid} đến lớp với vết bầm ở mặt, hỏi thì cháu nói bị {kin} đánh",
            "con bị {kin} đánh bằng {tool} vì làm vỡ cái chén, giờ đau không ngồi được",
            "em {age} tuổi, tối nào {kin} say cũng lôi em ra đánh, em không muốn về nhà",
            "{kin} bóp cổ {kid} rồi xô vào tường {place}",
            "ở trường {kid} bị mấy bạn lớp trên đánh hội đồng, quay clip tung lên mạng",
            "người tình của mẹ dí tàn thuốc vào tay {kid}, {hurt}",
        ],
        [
            "{kin_en} beats {kid_en} with a belt almost every night, the kid has bruises all over",
            "{kid_en}, {age} years old, came to school with a swollen face and said {kin_en} hit him",
            "I can hear {kin_en} hitting {kid_en} through the wall, the child screams",
            "my dad hits me when he is drunk, I am {age} and scared to go home",
            "a teacher slapped {kid_en} several times in front of the class",
        ],
    ),
    Scene(
        "child_abuse/emotional_violence",
        CHILD,
        [
            "{kin} suốt ngày chửi {kid} là đồ vô dụng, đồ ăn hại, cháu không dám nói chuyện với ai",
            "{kid} bị {kin} nhốt trong phòng tối cả ngày để phạt",
            "{kin} đe dọa sẽ bỏ {kid} ngoài đường nếu còn mách cô giáo",
            "{teacher} bắt {kid} đứng giữa lớp cho các bạn chửi, cháu về khóc không chịu đi học",
            "em {age} tuổi, má em ngày nào cũng mắng em ngu, nói hối hận vì đẻ ra em, em buồn muốn chết",
            "mạ hắn chửi con bé suốt ngày, nói mi là đồ báo hại, con bé sợ không dám ăn cơm",
            "{kin} bêu rếu {kid} trên facebook vì điểm kém, cháu xấu hổ không dám ra đường",
            "{kid} bị {kin} bắt quỳ ngoài sân cả buổi trưa, ai đi qua cũng thấy",
            "con em bị bạn bè tẩy chay, nhắn tin chửi bới, cháu trầm cảm {when}",
            "tui thấy {kin} hay dọa giết {kid}, nói sẽ bán nó đi, nó run cầm cập",
        ],
        [
            "{kin_en} screams at {kid_en} every day, calls her worthless and locks her in a room",
            "{kid_en} ({age}) is constantly humiliated by {kin_en} in front of the neighbours",
            "my mom tells me every day she wishes I was never born, I am {age}",
        ],
    ),
    Scene(
        "child_abuse/sexual_abuse",
        CHILD,
        [
            "{kid} {age} tuổi bị {outsider} dâm ô",
            "{outsider} dụ {kid} vào nhà rồi sờ soạng vùng kín của cháu",
            "{kin} xâm hại tình dục {kid} nhiều lần khi mẹ cháu đi làm",
            "{kid} kể với cô là {teacher} hay gọi lên phòng rồi sờ mó người cháu",
            "em {age} tuổi, {kin} hay vào phòng em ban đêm làm chuyện đó, em không dám nói với ai",
            "con nhỏ {age} tuổi {place} bị {outsider} hiếp, giờ nó có bầu rồi",
            "bé nhà tôi về kể {outsider} cởi quần áo bé ra rồi chụp ảnh",
            "{outsider} cho {kid} xem phim sex rồi bắt cháu làm theo",
            "thằng cha đó dụ con bé vô rẫy cà phê rồi giở trò đồi bại",
            "cháu {age} tuổi bị {kin} giao cấu, bác sĩ khám nói có dấu hiệu bị xâm hại",
            "tui nghi ông dượng làm bậy con nhỏ, nó sợ ổng lắm, cứ thấy ổng là khóc",
            "mi biết không, o nghe con bé kể ông chú hắn sờ soạng chỗ kín hắn, răng ác rứa",
        ],
        [
            "{kid_en} aged {age} told me {kin_en} touches her private parts at night",
            "a neighbour molested {kid_en}, she is {age}",
            "my {age} year old daughter was sexually abused by her uncle",
            "I think {kin_en} is raping {kid_en}, she is only {age}",
        ],
    ),
    Scene(
        "child_abuse/exploitation",
        CHILD,
        [
            "{kid} {age} tuổi bị {kin} bắt đi bán vé số tới khuya, không bán hết thì bị đánh",
            "có nhóm người bắt mấy đứa nhỏ đi ăn xin ở bến xe {place}",
            "{kin} bắt {kid} nghỉ học đi làm thuê ở xưởng gỗ, làm từ sáng tới tối",
            "cháu {age} tuổi phải làm ở lò gạch cả ngày, chủ không trả lương",
            "tụi nó bắt con nít đứng bán kẹo ngoài ngã tư, ai không đủ tiền thì bị phạt",
            "{kid} bị chủ quán bắt rửa chén từ 5 giờ sáng tới nửa đêm, không cho đi học",
            "trên rẫy cà phê có mấy đứa nhỏ {age} tuổi bị thuê hái cả ngày, ăn uống không đủ",
            "{kid} bị {kin} cho người ta mượn đi xin tiền ở chợ",
            "mấy đứa nhỏ trong xóm bị người lạ thuê đi giao hàng cấm, đứa nào cũng dưới 15 tuổi",
        ],
        [
            "{kid_en}, {age}, is made to sell lottery tickets until midnight and is beaten if she sells too few",
            "children in our village are working all day in a brick kiln instead of going to school",
            "a gang makes small kids beg at the bus station",
        ],
    ),
    Scene(
        "child_abuse/neglect",
        CHILD,
        [
            "{kid} {age} tuổi bị bỏ ở nhà một mình mấy ngày liền, không có gì ăn",
            "{kin} đi nhậu suốt, để {kid} đói, quần áo rách, không ai chăm",
            "hai đứa nhỏ {place} bị bố mẹ bỏ mặc, đi xin cơm hàng xóm",
            "{kin} không cho {kid} đi học, bắt ở nhà trông em",
            "cháu bị sốt cao mấy ngày mà {kin} không đưa đi khám",
            "thằng bé {age} tuổi ngày nào cũng lang thang ngoài đường tới khuya, ba má hổng ngó ngàng",
            "con nhỏ ốm nhom, đói meo, mẹ nó đi làm xa, ông bà già yếu không lo nổi",
            "bố mẹ đi làm ăn xa để {kid} ở với ông bà, ông bà bệnh nằm một chỗ, cháu không ai chăm sóc",
            "{kid} bị nhốt ở nhà cả ngày để {kin} đi đánh bài, cháu khóc đói",
            "tau thấy hai đứa nhỏ nhà bên ở dơ, bụng đói, bọ mạ đi mô cả tuần chưa về",
        ],
        [
            "{kid_en}, {age}, is left alone for days with no food",
            "the parents are always drunk and the kids do not go to school or eat properly",
            "a {age} year old is sick and nobody takes him to a doctor, the parents do not care",
        ],
    ),
    Scene(
        "child_abuse/abandonment",
        (0, 12),
        [
            "có đứa trẻ sơ sinh bị bỏ trước cổng chùa {place}",
            "sáng nay người dân phát hiện một bé gái mới sinh bị bỏ trong thùng giấy ven đường",
            "mẹ {kid} bỏ đi biệt tích, để lại cháu {age} tuổi cho hàng xóm",
            "bố mẹ bé bỏ con lại bệnh viện rồi trốn mất",
            "có người để lại em bé trong bụi rậm gần rẫy, còn dây rốn",
            "bé {age} tuổi bị bỏ rơi ở bến xe, không biết nhà ở đâu",
            "cha mẹ ly dị rồi cả hai không ai nhận nuôi {kid}, cháu bị bỏ lại một mình",
            "ai đó vứt một bé trai khoảng vài tháng tuổi ở chợ {place}",
        ],
        [
            "someone left a newborn baby at the temple gate this morning",
            "a {age} year old was abandoned at the bus station by her mother",
            "a baby was found abandoned in a box by the road",
        ],
    ),
    Scene(
        "child_abuse/child_marriage",
        TEEN,
        [
            "con gái {age} tuổi ở {place} bị gia đình ép lấy chồng",
            "nhà trai sang bắt vợ, bé mới {age} tuổi, đang học lớp {grade}",
            "ở buôn có bé {age} tuổi sắp cưới, cha mẹ đã nhận lễ",
            "{kid} mới {age} tuổi mà bố mẹ gả cho người ta để lấy tiền sính lễ",
            "em {age} tuổi, ba má bắt em nghỉ học để lấy chồng, em không muốn",
            "ở bản người ta vẫn tảo hôn, con bé {age} tuổi có thai rồi",
            "hai đứa mới {age} tuổi mà hai bên gia đình cho cưới, ở chung nhà trai",
            "bạn em {age} tuổi bị kéo vợ theo tục lệ, bạn ấy khóc nhiều lắm",
            "gia đình hứa gả con gái {age} tuổi cho một người đàn ông hơn 20 tuổi",
        ],
        [
            "my friend is {age} and her parents are forcing her to get married",
            "a {age} year old girl in our village is being married off to an older man",
            "child marriage in our commune, the girl is only {age}",
        ],
    ),
    Scene(
        "child_abuse/online_abuse",
        TEEN,
        [
            "con {age} tuổi quen người lạ qua mạng, bị dụ gửi ảnh khỏa thân rồi bị tống tiền",
            "có người nhắn tin zalo cho {kid} đòi gửi ảnh nóng, không gửi thì dọa đăng lên",
            "em {age} tuổi, em lỡ gửi ảnh cho người quen trên facebook, giờ nó đòi tiền không thì tung ảnh",
            "{kid} bị một tài khoản tiktok gạ gẫm chat sex",
            "thằng đó làm quen con bé qua game rồi đòi gặp, bắt gửi clip",
            "có nhóm trên messenger phát tán ảnh của học sinh lớp {grade}",
            "bé nhà tôi bị một người lạ trên mạng dụ dỗ, nói chuyện tình cảm, hẹn ra gặp",
            "ai đó ghép mặt {kid} vào ảnh đồi trụy rồi đăng lên nhóm chat của trường",
            "em bị ng ta dọa tung clip nóng lên fb, em mới {age} tuổi",
        ],
        [
            "someone online is pressuring my {age} year old to send nude photos",
            "a stranger groomed my son on a gaming app and now asks for videos",
            "my daughter ({age}) is being blackmailed with her pictures on messenger",
        ],
    ),
    # --- gbv ---------------------------------------------------------------------------------
    Scene(
        "gbv/domestic_violence",
        ADULT,
        [
            "{woman} bị {husband} đánh đập {hurt}",
            "{husband} nhậu về là kiếm chuyện đánh vợ, {when} chị ấy phải bỏ chạy sang nhà tôi",
            "tui bị ổng quánh bầm mình, ổng còn dọa giết tui nếu tui đi thưa",
            "{husband} cầm dao dọa giết {woman}, chị ấy đang trốn {place}",
            "chồng em say rượu về đập phá đồ đạc rồi đánh em, em {age} tuổi",
            "ck e về đánh e, e ko dám về nhà",
            "chồng tôi ghen tuông, ngày nào cũng chửi rủa, tát tôi trước mặt con",
            "mi biết không, thằng chồng hắn đấm o ấy gãy cả răng, răng mà ác rứa",
            "{woman} bị {husband} đuổi ra khỏi nhà lúc nửa đêm, không có chỗ ở",
            "anh trai tôi đánh vợ suốt, chị dâu {hurt}",
            "tôi bị chồng bạo hành nhiều năm, giờ muốn ly hôn mà sợ",
            "bà cụ {age} tuổi bị con trai đánh vì không cho tiền",
            "người yêu cũ cứ đến chặn đường đánh em, đòi quay lại",
            "ông xã tui xỉn là quánh tui với mấy đứa nhỏ, tui hết chịu nổi rồi",
            "ở buôn, chồng chị {name} uống rượu cần say rồi đánh chị, làng khuyên chịu đựng",
        ],
        [
            "{husband_en} beats {woman_en} when he drinks, last night she ran to my house",
            "my husband hits me and threatens to kill me if I leave",
            "{woman_en} has bruises on her face, {husband_en} attacked her with a knife",
            "I am being abused by my partner, he strangled me yesterday",
            "my ex-husband keeps coming to my house and beating me",
        ],
    ),
    Scene(
        "gbv/sexual_violence",
        ADULT,
        [
            "{woman} bị một người đàn ông cưỡng hiếp trên đường đi làm về",
            "em bị người quen hiếp dâm sau khi đi nhậu, em {age} tuổi",
            "chồng em ép em quan hệ khi em không muốn, còn đánh em",
            "chị công nhân bị tổ trưởng cưỡng bức trong kho",
            "em bị bạn trai ép quan hệ rồi quay clip",
            "{woman} bị mấy thanh niên kéo vào rẫy hãm hiếp",
            "tui bị thằng chủ trọ xâm hại tình dục, giờ tui sợ không dám ở đó",
            "o ấy bị thằng cha cùng làng cưỡng bức, chừ o không dám đi nương một mình",
            "em gái tôi {age} tuổi bị bỏ thuốc rồi bị hiếp",
        ],
        [
            "{woman_en} was raped by a man from the village last night",
            "I was sexually assaulted by my boss after a party",
            "my husband forces me to have sex and hits me if I refuse",
        ],
    ),
    Scene(
        "gbv/sexual_harassment",
        ADULT,
        [
            "sếp em hay gạ tình, nhắn tin khiêu dâm, em sợ mất việc",
            "{woman} bị quấy rối tình dục trên xe buýt",
            "ông quản đốc hay sàm sỡ công nhân nữ trong xưởng",
            "em bị đồng nghiệp gửi ảnh nhạy cảm, nói những câu gạ gẫm",
            "có thằng cứ đứng trước cổng trọ vạch quần ra, chị em sợ lắm",
            "người yêu cũ phát tán ảnh nóng của em lên mạng để trả thù",
            "em bị thầy hướng dẫn gạ quan hệ để cho qua môn, em {age} tuổi",
            "thằng cha hàng xóm cứ rình em tắm, còn nhắn tin bậy bạ",
            "có người lạ cứ gọi điện nói chuyện tục tĩu với em mấy tuần nay",
        ],
        [
            "my manager keeps sending me sexual messages and touches me at work",
            "{woman_en} is being sexually harassed by a colleague",
            "my ex posted my intimate photos online to shame me",
        ],
    ),
    Scene(
        "gbv/forced_marriage",
        ADULT,
        [
            "gia đình ép {woman} lấy một người chị ấy không yêu để trừ nợ",
            "em {age} tuổi, bố mẹ ép em cưới người em không thương, em muốn trốn đi",
            "chị ấy bị nhà chồng tương lai giữ lại, bắt làm đám cưới",
            "nhà em nhận tiền của người ta rồi ép em lấy chồng",
            "ba má tui ép tui cưới ông chủ nợ để xóa nợ, tui không chịu thì bị đánh",
        ],
        [
            "my family is forcing me to marry a man I do not know to pay their debts",
            "{woman_en} is being forced into marriage by her parents",
        ],
    ),
    Scene(
        "gbv/illegal_marriage_brokering",
        ADULT,
        [
            "có bà cò dẫn mấy cô gái trong xã đi xem mặt người nước ngoài, mỗi lần lấy tiền",
            "{woman} đang bị một đường dây môi giới giới thiệu lấy chồng Hàn Quốc, phải nộp tiền",
            "ở xóm có người chuyên môi giới lấy chồng Đài Loan, tổ chức xem mặt trong khách sạn",
            "em gái tôi bị dụ lấy chồng nước ngoài qua dịch vụ, họ đòi 50 triệu",
            "người ta đưa mấy chị ở miền Tây lên thành phố cho đàn ông nước ngoài chọn vợ",
        ],
        [
            "a broker is arranging marriages for village girls with foreign men for money",
            "{woman_en} paid a marriage agency to find her a Korean husband",
        ],
    ),
    Scene(
        "gbv/economic_violence",
        ADULT,
        [
            "{husband} giữ hết tiền lương của {woman}, không cho chị ấy đồng nào",
            "chồng tôi không cho tôi đi làm, lấy hết giấy tờ nhà đất, không cho tiền chợ",
            "ổng bắt tui đưa hết tiền bán cà phê, không đưa thì ổng chửi",
            "chồng bán đất của vợ mà không hỏi, giờ chị ấy không còn gì",
            "em làm ra tiền bao nhiêu chồng lấy hết đi đánh bạc, không cho em mua sữa cho con",
            "nhà chồng chiếm đoạt tài sản của chị ấy sau khi anh ấy mất",
        ],
        [
            "my husband takes all my salary and gives me nothing for food",
            "{husband_en} controls all the money and won't let {woman_en} work",
        ],
    ),
    # --- trafficking -------------------------------------------------------------------------
    Scene(
        "trafficking",
        None,
        [
            "tôi nghi có đường dây buôn người đang dụ các cô gái trong bản",
            "{woman} đi theo người quen rồi mất liên lạc, nghi bị bán qua biên giới",
            "có người lạ hay vào làng hỏi han mấy đứa con gái, hứa cho đi làm xa",
            "em gái tôi đi với người trên mạng, giờ gọi về khóc nói bị bán rồi",
        ],
        [
            "I think my cousin was trafficked, she left with a stranger and disappeared",
            "there is a trafficking ring in our area luring young women",
        ],
    ),
    Scene(
        "trafficking/sexual_exploitation",
        (16, 30),
        [
            "{woman} được hứa {job_lure} nhưng bị đưa vào nhà chứa, bị ép tiếp khách",
            "em bị lừa sang {country} rồi bị ép bán dâm, em muốn về nhà",
            "con gái tôi gọi về nói bị giữ ở quán karaoke bên {country}, bắt tiếp khách",
            "tụi nó bắt em làm gái, không chịu thì đánh, giữ hết giấy tờ",
            "chị ấy bị bán cho một ổ mại dâm, bị nhốt không cho ra ngoài",
            "bạn em {age} tuổi bị dẫn đi massage trá hình rồi bị ép bán thân",
        ],
        [
            "{woman_en} was promised a restaurant job in {country_en} but is forced into prostitution",
            "my sister is held in a brothel and cannot leave",
        ],
    ),
    Scene(
        "trafficking/forced_labour",
        (15, 45),
        [
            "anh tôi bị lừa sang {country} làm việc nhẹ lương cao, giờ bị giữ hộ chiếu, làm không công",
            "người ta hứa cho em {job_lure}, tới nơi bị nhốt, bắt làm lừa đảo qua mạng",
            "con trai tôi gọi về nói bị bán cho công ty bên {country}, bị đánh nếu không đủ chỉ tiêu",
            "mấy thanh niên trong buôn đi làm xa, bị chủ giữ giấy tờ, không cho về",
            "em bị giữ trên tàu cá mấy tháng, làm ngày đêm không lương",
            "cháu bị dụ lên thành phố làm giúp việc, chủ nhốt trong nhà, không trả tiền",
            "tụi nó giữ căn cước của em, bắt làm casino online, không chịu làm thì bị chích điện",
        ],
        [
            "my brother went to {country_en} for a job, now his passport is taken and he works for no pay",
            "they lured him with an easy high-paying job and now he is locked in a scam compound",
        ],
    ),
    Scene(
        "trafficking/forced_marriage",
        (15, 30),
        [
            "em gái tôi bị lừa bán sang {country} làm vợ",
            "cô ấy bị người quen dụ qua biên giới rồi bán cho một người đàn ông làm vợ",
            "con gái tôi gọi về nói bị bán cho nhà người ta bên {country} lấy chồng, không cho về",
            "bạn em {age} tuổi đi theo người yêu qua mạng rồi bị bán làm vợ",
            "ở xã có mấy cô gái bị dụ đi chơi rồi bị bán làm vợ bên kia biên giới",
        ],
        [
            "my cousin was sold as a bride in {country_en}",
            "she was taken across the border and sold to a man as his wife",
        ],
    ),
    Scene(
        "trafficking/organ_removal",
        ADULT,
        [
            "có người dụ anh tôi sang {country} bán thận lấy tiền trả nợ",
            "trên mạng có nhóm môi giới mua bán nội tạng, họ rủ em bán một quả thận",
            "chồng tôi bị đưa đi, về thì bị mất một quả thận",
            "có kẻ hứa trả 300 triệu nếu bán thận, giờ họ giữ em trong nhà trọ chờ mổ",
        ],
        [
            "someone offered my brother money to sell his kidney abroad",
            "a broker is holding people to remove their organs",
        ],
    ),
    Scene(
        "trafficking/returned_victim",
        (15, 40),
        [
            "em mới được giải cứu từ {country} về, giờ không có giấy tờ, cần giúp",
            "con gái tôi bị bán mấy năm, mới trốn về, cháu sợ hãi không nói chuyện",
            "chị ấy được trao trả ở cửa khẩu, cần chỗ ở và hỗ trợ",
            "cháu là nạn nhân bị mua bán trở về, muốn học nghề nhưng không có tiền",
            "anh tôi mới thoát khỏi trại lừa đảo bên {country} về, bị thương nhiều",
        ],
        [
            "my sister was rescued from {country_en} and came home, she needs support",
            "I am a trafficking survivor who just returned and I need help with papers",
        ],
    ),
    # --- not cases ---------------------------------------------------------------------------
    Scene(
        "counselling",
        None,
        [
            "em bị áp lực học tập quá, thi rớt, ba má la, em buồn lắm",
            "em mới chia tay người yêu, không ngủ được, muốn có người nói chuyện",
            "em {age} tuổi, em thấy mình cô đơn, không ai hiểu em",
            "con tôi dạo này ít nói, hay khóc, tôi muốn hỏi cách nói chuyện với cháu",
            "em cãi nhau với bố mẹ suốt vì chuyện yêu đương, em muốn bỏ nhà đi",
            "tụi bạn trong lớp không chơi với em nữa, em stress quá",
            "em thất tình, tâm trạng tệ lắm, chị nghe em tâm sự chút được không",
            "vợ chồng tôi sắp ly hôn, tôi lo cho con, muốn được tư vấn",
            "em thấy chán đời, nhiều lúc nghĩ không muốn sống nữa",
            "em bị crush từ chối, em buồn quá trời, không muốn đi học",
            "mình đang bị trầm cảm sau sinh, không biết chia sẻ với ai",
            "con em tuổi dậy thì hay cáu gắt, em muốn hỏi cách dạy con",
            "em bị điểm kém sợ về nhà bị la, em đang ngồi ở công viên",
            "e buồn wá, ko bik nói vs ai",
        ],
        [
            "I feel very lonely and stressed about exams, I just want someone to talk to",
            "my girlfriend broke up with me and I can't sleep",
            "I need advice on how to talk to my teenage son, he is always angry",
            "I'm feeling really down lately and don't know who to talk to",
        ],
    ),
    Scene(
        "information",
        None,
        [
            "cho hỏi số điện thoại của phòng lao động thương binh xã hội huyện",
            "tôi muốn xin tài liệu tuyên truyền phòng chống xâm hại trẻ em cho trường",
            "cho em hỏi thủ tục làm giấy khai sinh cho con khi không có cha",
            "tổng đài này có hỗ trợ pháp lý miễn phí không ạ",
            "cho tôi xin địa chỉ nhà tạm lánh ở tỉnh",
            "trường tôi muốn mời cán bộ về nói chuyện về phòng chống bạo lực học đường",
            "cho hỏi luật quy định trẻ em là bao nhiêu tuổi",
            "em muốn biết làm sao để đăng ký tình nguyện viên cho tổng đài",
            "cho hỏi tổng đài có làm việc ban đêm không",
            "xin tờ rơi về phòng chống mua bán người để phát ở xã",
            "tôi là cán bộ xã, muốn hỏi quy trình tiếp nhận tin báo bạo lực gia đình",
            "cho mình hỏi số đường dây nóng của hội phụ nữ tỉnh",
            "em làm báo cáo ở trường về bạo lực gia đình, xin số liệu được không",
            "cho hỏi xin trợ cấp cho trẻ mồ côi thì làm ở đâu",
            "đọc báo thấy vụ buôn người, cho tôi hỏi dấu hiệu nhận biết để dạy con",
        ],
        [
            "I would like leaflets about child abuse prevention for our school",
            "what is the phone number of the women's union in the province",
            "can you tell me how to register a birth without the father's name",
            "do you have statistics on domestic violence for a school project",
            "is there a free legal aid service I can call",
        ],
    ),
    Scene(
        "silent",
        None,
        [
            "người gọi im lặng, không nói gì rồi cúp máy",
            "có tiếng thở, không ai nói gì",
            "gọi tới nhưng không nói, nghe tiếng xe chạy rồi tắt máy",
            "im lặng khoảng 1 phút, hỏi mấy lần không trả lời",
            "cuộc gọi không có tiếng, nghi bấm nhầm",
            "đầu dây bên kia chỉ có tiếng tivi",
            "gọi nhỡ rồi tắt",
        ],
        [
            "silent call, nobody spoke",
            "caller stayed silent and hung up",
            "only background noise, no one answered",
        ],
    ),
    Scene(
        "prank_or_abusive",
        None,
        [
            "mấy đứa nhỏ gọi chọc phá, cười rồi cúp máy",
            "người gọi chửi tục tổng đài viên rồi tắt máy",
            "gọi đùa nói có người bị bắt cóc rồi cười",
            "thanh niên say rượu gọi nói bậy bạ",
            "gọi hát rồi cúp, lần thứ 5 trong ngày",
            "người gọi hỏi tổng đài viên có người yêu chưa, trêu ghẹo",
            "bọn trẻ gọi phá máy, giả giọng ma",
            "gọi đến chửi bới, đe dọa tổng đài viên",
        ],
        [
            "prank call from kids laughing",
            "the caller was drunk and shouted insults at the operator",
            "a joke call, they pretended someone was kidnapped and laughed",
        ],
    ),
    Scene(
        "other",
        None,
        [
            "gọi nhầm số, muốn gọi taxi",
            "người gọi hỏi giá điện tháng này sao cao vậy",
            "muốn phản ánh nhà hàng xóm hát karaoke ồn ào tới khuya",
            "người gọi muốn bán bảo hiểm cho tổng đài",
            "gọi hỏi lịch tiêm chủng cho chó mèo",
            "con chó nhà bên bị chủ đánh tội quá, kêu cả đêm",
            "hàng xóm đánh con mèo ăn vụng cá",
            "em bán hàng online quần áo trẻ em, muốn hỏi có quảng cáo được không",
            "người gọi là shipper hỏi đường giao hàng",
            "ông cụ gọi hỏi lương hưu bao giờ lãnh",
            "tôi gọi để cảm ơn tổng đài đã giúp con tôi tháng trước",
            "mất con gà trống, nghi hàng xóm bắt",
            "cán bộ trung tâm gọi cập nhật tình hình ca cũ",
            "livestream bán đồ trẻ em bị khách bom hàng",
        ],
        [
            "wrong number, was trying to reach a taxi company",
            "my neighbour's dog is being beaten by its owner, can someone check",
            "I sell baby clothes online and want to advertise",
            "caller asked about the electricity bill",
        ],
    ),
]
