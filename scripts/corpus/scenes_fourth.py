"""The corpus's fourth batch of scenes: what the first three still had too little of.

English narratives for every category (callers from abroad, foreign residents, young people
who type in English), adult domestic violence told in Southern and Central speech, everyday
`other` calls (wrong numbers, thanks, complaints about the service, neighbours' quarrels,
lost property), silent calls and pranks told the ways operators note them, and more child
abuse and GBV in wordings the earlier batches did not use.

Same format as scenes.py; generate.py draws these with a fourth random stream and a larger
share of English, so the first three batches' narratives stay as they were. Some templates
are written in Southern or Central speech or as teenagers type already; generate.py retells
the rest the same ways. Written for this corpus, copied from nothing.
"""

from __future__ import annotations

from scenes import ADULT, CHILD, TEEN, Scene

KIDS = (8, 17)

SCENES_FOURTH: list[Scene] = [
    # --- adult domestic violence, much of it in Southern and Central speech ------------------
    Scene(
        "gbv/domestic_violence",
        ADULT,
        [
            "ổng xỉn về là kiếm chuyện, nắm đầu tui đập vô vách, tui hổng dám la",
            "chồng tui quýnh tui bầm con mắt, tui ôm con chạy qua nhà má ruột ở tạm",
            "chỉ bị thằng chồng choảng cái ghế vô lưng, giờ nằm một chỗ hổng dậy nổi",
            "ck e đi nhậu về đập e, e bỏ chạy ra đường lúc nửa đêm, giờ hông dám dìa",
            "bả nói ổng đánh bả hoài mà hổng dám thưa, sợ ổng đuổi ra khỏi nhà",
            "tau bị thằng chồng đập suốt, mặt mũi thâm hết, chừ tau không biết đi mô",
            "o {name} ở xóm tau bị chồng đánh gãy tay, răng mà không ai can",
            "chồng hắn say rồi rượt o ấy chạy khắp xóm, cầm cả con dao",
            "mạ tui bị bọ tui đánh từ hồi tui còn nhỏ, chừ già rồi bọ vẫn đánh",
            "{woman} {place} bị chồng đá vào bụng khi đang mang bầu tháng thứ năm",
            "tối nào {husband} cũng về chửi bới rồi đánh, {woman} phải ra ngủ ngoài hiên",
            "vợ chồng cãi nhau, ảnh bóp cổ chị tới ngất xỉu, hàng xóm phải phá cửa vô",
            "thằng con trai nghiện ngập về đòi tiền, bà cụ không đưa là bị nó xô ngã",
            "chồng em ghen, đánh em rồi nhốt em trong nhà, lấy luôn điện thoại của em",
            "{woman} bị chồng túm tóc lôi ra sân đánh trước mặt hai đứa con",
            "chồng tôi đi làm về là kiếm cớ đánh, tôi chịu mười năm nay rồi, giờ hết chịu nổi",
            "người yêu em mỗi lần ghen là tát em, hôm qua còn đấm vào mặt em chảy máu mũi",
            "ba đánh má suốt, tui lớn rồi mà hổng can được, má hổng chịu bỏ đi",
        ],
        [
            "my husband beats me when he drinks and I have nowhere to go",
            "{woman_en} {place_en} was beaten by {husband_en} again last night, her face is swollen",
            "my partner pushed me down the stairs and took my phone so I can't call anyone",
            "he punches the wall and then me, I'm afraid he will kill me one day",
            "{husband_en} locks her in the house and hits her if she talks to anyone",
            "my boyfriend slapped me in front of his friends and said I deserved it",
            "I need help, my husband hit me with a chair and I am hiding at a friend's place",
            "my mother is 60 and my brother beats her when she won't give him money",
            "she has bruises on her arms again, she says she fell but I know her husband did it",
            "my ex keeps coming to my house drunk and yesterday he broke my nose",
        ],
    ),
    # --- child abuse, more wordings -----------------------------------------------------------
    Scene(
        "child_abuse/physical_violence",
        CHILD,
        [
            "ba ghẻ của {kid} quýnh nó bằng cây tre, lưng nó lằn đỏ hết",
            "má ghẻ bắt con nhỏ quỳ rồi lấy cây đánh vô chân, con nhỏ khóc hổng ra tiếng",
            "bọ dượng hắn đánh con bé {age} tuổi suốt, chừ con bé thấy đàn ông là run",
            "{kin} phạt {kid} bằng cách bắt nhịn ăn rồi đánh đòn, {hurt}",
            "cô bảo mẫu ở nhóm trẻ tự phát đánh vào đầu các cháu khi không chịu ngủ trưa",
            "tui nghe thằng nhỏ nhà bên la làng, {kin} nó đánh nó mỗi ngày",
            "{kid} bị {kin} đạp ngã xuống sân, đầu va vào bậc thềm",
            "em {age} tuổi, hôm qua ba em đánh em bằng dây nịt vì em về trễ",
            "{kin} xách {kid} quăng ra ngoài trời mưa rồi khóa cửa",
            "thằng cu {age} tuổi ở xóm tau bị bọ hắn đánh gãy cả răng",
            "cô giáo véo tai và cốc đầu {kid} liên tục, cháu về đầu sưng u",
            "em bị anh trai đánh hoài, ba mẹ đi làm xa không ai bênh em",
        ],
        [
            "my stepdad hits me with a belt when my mum is at work, I'm {age}",
            "the boy next door, about {age}, has burn marks on his arms and his father shouts all night",
            "{kin_en} beat {kid_en} so hard last night that she could not walk to school",
            "I'm {age} and my dad punches me when he loses at cards",
            "the nanny shakes the baby and slaps him when he cries, we have it on the camera",
            "our neighbour ties his son to a post and whips him with a stick",
            "a teacher at the private class hits the kids with a ruler until their hands bleed",
            "{kid_en} keeps coming to school with new bruises and flinches when adults come close",
        ],
    ),
    Scene(
        "child_abuse/sexual_abuse",
        CHILD,
        [
            "ông hàng xóm hay gọi {kid} qua nhà cho bánh rồi bắt cởi đồ",
            "bé nhà tôi {age} tuổi kể là ông dượng hay sờ vào người bé khi không có ai",
            "thằng cha đó rủ con nhỏ {age} tuổi vô vườn rồi làm chuyện bậy bạ",
            "con gái tui đi học thêm về khóc, nói thầy dạy thêm sờ soạng nó",
            "cháu {age} tuổi có thai, nghi là bị người trong nhà xâm hại",
            "em {age} tuổi, chú em hay vào phòng em ban đêm, em sợ lắm mà không dám nói với mẹ",
            "có người lớn trong xóm dụ mấy bé gái vào nhà xem phim người lớn",
            "bé trai {age} tuổi bị một thanh niên trong xóm dụ vào nhà hoang rồi xâm hại",
        ],
        [
            "my {age} year old daughter told me her uncle touches her private parts",
            "an old man in our alley gives the girls sweets and then touches them",
            "I'm {age} and my stepfather comes into my room at night, I don't know who to tell",
            "the swimming coach asks the boys to undress in his office, one of them told me",
            "a girl in my class is {age} and pregnant, she said a relative did it",
            "{kid_en} was molested by the neighbour's grown son, she is too scared to go outside",
        ],
    ),
    Scene(
        "child_abuse/emotional_violence",
        CHILD,
        [
            "má nó chửi nó là đồ ăn hại, đồ báo đời, ngày nào cũng chửi",
            "{kin} bắt {kid} đứng ngoài cửa cả đêm vì làm mất tiền",
            "{kin} nói nếu {kid} còn khóc thì sẽ đem cho người ta",
            "em {age} tuổi, ba em hay nói em ngu, không bằng con nhà người ta, em thấy mình vô dụng",
            "mạ tau không cho tau ăn cơm chung, nói tau là đứa con hư",
            "{kin} quay clip {kid} khóc rồi đăng lên mạng để làm nhục",
        ],
        [
            "my parents call me stupid every day and say they regret having me, I'm {age}",
            "{kin_en} makes {kid_en} sleep outside with the dog as a punishment",
            "my mom locks me in the bathroom for hours when I get bad marks",
            "the stepmother tells the little boy nobody wants him and he should go away",
            "my dad threatens to throw me out of the house if I tell anyone what happens at home",
            "{kid_en} is {age} and is shouted at and insulted by {kin_en} in front of everyone",
        ],
    ),
    Scene(
        "child_abuse/neglect",
        CHILD,
        [
            "ba má đi làm xa, để ba đứa nhỏ ở nhà tự lo, đứa lớn mới {age} tuổi",
            "mẹ nó đi biền biệt, {kid} ở nhà một mình, hàng xóm cho ăn",
            "{kin} nhậu suốt ngày, để con nhỏ đói lả, quần áo rách rưới",
            "cháu {age} tuổi bị sốt mấy ngày mà {kin} không đưa đi bác sĩ",
            "tui thấy hai đứa nhỏ lang thang ngoài chợ tới khuya, hỏi thì nói ba má không có nhà",
            "con nhỏ {age} tuổi phải tự nấu cơm, trông em, không được đi học",
        ],
        [
            "the children next door are left alone for days and come to us asking for food",
            "{kid_en} has not been to school for months and looks starving",
            "the parents go to the karaoke every night and leave a {age} year old with the baby",
            "a little boy in our building sleeps in the stairwell because nobody opens the door",
            "my neighbour's kids are dirty, hungry and sick and no adult looks after them",
            "I'm {age}, my mom hasn't come home in a week and there is no food in the house",
        ],
    ),
    Scene(
        "child_abuse/online_abuse",
        TEEN,
        [
            "có ng trên mạng đòi e gửi ảnh ko mặc đồ, ko gửi thì nó đăng ảnh e lên nhóm",
            "con gái tôi {age} tuổi chat với một người lạ trên game, giờ người đó dọa tung ảnh",
            "e quen 1 a trên tiktok, a ấy bắt e gọi video cởi đồ, giờ e sợ lắm",
            "bạn em bị lập nick giả, đăng ảnh ghép khỏa thân lên facebook",
            "thằng con tôi {age} tuổi bị một người trên mạng dụ gửi clip nhạy cảm rồi đòi tiền",
        ],
        [
            "someone I met in a game wants nude pictures of me and says he will post my old ones, I'm {age}",
            "my {age} year old son is being blackmailed by a man online after sending a video",
            "a stranger on Instagram keeps asking my little sister for photos in her underwear",
            "a fake account is sharing edited naked pictures of a girl from my school",
            "my daughter is {age} and an adult she met online wants to meet her alone in a hotel",
        ],
    ),
    Scene(
        "child_abuse/exploitation",
        CHILD,
        [
            "mấy đứa nhỏ {age} tuổi bị bắt đi bán vé số tới khuya, không bán hết thì bị đánh",
            "chủ xưởng may thuê trẻ con {age} tuổi làm từ sáng tới tối, không cho nghỉ",
            "{kin} bắt {kid} nghỉ học ra đồng làm thuê lấy tiền cho {kin} nhậu",
            "có người đưa trẻ con trong buôn đi hái cà phê cả mùa, không trả đồng nào",
        ],
        [
            "young children are made to beg at the traffic lights and an adult takes the money",
            "a {age} year old works in a restaurant kitchen until midnight every day",
            "{kin_en} took {kid_en} out of school to work on a construction site",
            "kids from the village work in a factory all night and are not allowed to go home",
            "a boy of {age} is forced to sell flowers in the bars after midnight",
        ],
    ),
    Scene(
        "child_abuse/child_marriage",
        (13, 17),
        [
            "gia đình bắt em {age} tuổi nghỉ học để cưới anh con nhà bên",
            "ba má nhận tiền sính lễ rồi, ép con nhỏ {age} tuổi về làm dâu",
            "bạn em {age} tuổi bị kéo vợ, gia đình bạn ấy nói là phong tục",
        ],
        [
            "my parents want me to marry a man of 30 next month, I'm {age}",
            "a {age} year old girl in our village is being married off to pay a family debt",
            "my friend is {age} and her family arranged a wedding, she doesn't want it",
            "they are planning a wedding for my cousin who is only {age}",
        ],
    ),
    # --- GBV in wordings the earlier batches lacked ----------------------------------------
    Scene(
        "gbv/sexual_violence",
        ADULT,
        [
            "{woman} bị mấy thanh niên chuốc rượu rồi làm nhục trong nhà nghỉ",
            "em đi làm ca đêm về bị một người lạ kéo vào bụi cây cưỡng bức",
            "ông chủ nhà trọ lợi dụng lúc em say, vào phòng em làm chuyện đó",
            "chồng tui ép quan hệ dù tui đang bệnh, hổng chịu là ổng đánh",
        ],
        [
            "I was raped by a man I met at a party and I don't know if I should go to the police",
            "{woman_en} was sexually assaulted by her supervisor in the factory storeroom",
            "my husband forces me to have sex every night even when I say no",
            "a taxi driver assaulted my friend on the way home, she is in shock",
            "someone put something in my drink and I woke up in a hotel room",
        ],
    ),
    Scene(
        "gbv/sexual_harassment",
        ADULT,
        [
            "sếp em nhắn tin gạ gẫm, em không chịu là ổng dọa đuổi việc",
            "trên xe buýt có người cứ áp sát rồi sờ mông em",
            "đồng nghiệp nam gửi ảnh nhạy cảm cho em liên tục qua zalo",
            "ông chủ quán hay kiếm cớ ôm eo mấy em phục vụ",
        ],
        [
            "my manager keeps sending me sexual messages and says my contract depends on it",
            "a man on the bus groped me and nobody did anything",
            "a colleague touches me and makes comments about my body every day",
            "my landlord asks for sex instead of rent and enters my room when I'm out",
            "someone keeps sending me explicit photos and won't stop",
        ],
    ),
    Scene(
        "gbv/threats",
        ADULT,
        [
            "chồng cũ nhắn tin nói sẽ tạt axit nếu tui đi lấy chồng khác",
            "người yêu cũ đứng trước nhà trọ cả đêm, nhắn là sẽ giết em",
            "thằng chồng hắn nói nếu tau bỏ đi thì hắn đốt nhà",
        ],
        [
            "my ex says he will kill me and my new partner, he is waiting outside my work",
            "{husband_en} threatened to throw acid on her if she leaves",
            "he sends me messages every night saying he knows where I live and will hurt me",
            "my ex-boyfriend is stalking me and said nobody else will have me",
        ],
    ),
    Scene(
        "gbv/economic_violence",
        ADULT,
        [
            "chồng giữ hết lương của tui, mua hộp sữa cho con cũng phải xin",
            "ổng bán nhà mà hổng hỏi tui một tiếng, giờ mẹ con tui ra đường",
            "chồng cấm em đi làm, tiền chợ cũng đếm từng đồng",
        ],
        [
            "my husband takes my whole salary and gives me nothing for the children",
            "he won't let me have a bank account or a job, I have to beg him for money",
            "my husband sold our land in my name without asking me",
            "{husband_en} controls all the money and she can't even buy medicine",
        ],
    ),
    Scene(
        "gbv/forced_marriage",
        ADULT,
        [
            "gia đình ép em lấy người em không thương để trả nợ cho ba",
            "ba má tui ép tui cưới ông chủ vựa, tui hổng chịu thì nhốt tui trong nhà",
        ],
        [
            "my family is forcing me to marry a man I have never met, I'm 22",
            "my parents say I must marry my cousin or they will disown me",
            "{woman_en} is being pushed into a marriage to settle her father's debts",
        ],
    ),
    # --- trafficking, English and more -----------------------------------------------------
    Scene(
        "trafficking",
        None,
        [
            "con gái tui theo người quen qua bên kia biên giới làm ăn, giờ hổng gọi về được",
            "có người tới làng hứa đưa mấy cô gái đi làm ở {country}, đưa trước cho gia đình ít tiền",
            "em họ tôi đi với bạn trai quen trên mạng, tới nay ba tháng không liên lạc được",
            "nghi có đường dây đưa người từ buôn đi {country}, mấy nhà có con gái mất tích",
        ],
        [
            "my sister went to {country_en} for a job and now she says she is locked in and cannot leave",
            "a woman offered the girls in our village jobs abroad and paid their families in advance",
            "my cousin went with a man she met online and we lost contact two months ago",
            "I think my friend has been trafficked, she sent a message saying help and then nothing",
            "people smugglers took my brother across the border and now ask us for more money",
            "our daughter was sold to a family in {country_en}, she managed to call us once",
        ],
    ),
    Scene(
        "trafficking/forced_labour",
        ADULT,
        [
            "anh tôi qua {country} làm, bị giữ hộ chiếu, làm không lương, ai đòi về thì bị đánh",
            "mấy thanh niên trong xã bị đưa qua {country} làm lừa đảo qua mạng, không đủ chỉ tiêu bị chích điện",
        ],
        [
            "my husband works on a boat and the owner says he owes them and cannot come home",
            "they took our passports when we arrived and make us work 16 hours a day for nothing",
            "my son is held in a compound in {country_en} and forced to scam people online",
            "he was promised a factory job but they keep him locked in and do not pay him",
            "the agency took her papers and she works as a maid without pay and cannot go out",
        ],
    ),
    Scene(
        "trafficking/sexual_exploitation",
        ADULT,
        [
            "chị tui bị dụ đi làm quán ăn, tới nơi thì bị bắt tiếp khách",
            "em bị bán vô quán karaoke bên {country}, bị ép bán dâm, không trả tiền",
        ],
        [
            "my cousin was promised a waitress job but they force her to sleep with customers",
            "she was sold to a karaoke bar in {country_en} and they make her work with men",
            "girls from our town are kept in a massage place and not allowed to leave",
            "my friend is being forced into prostitution to pay back a debt to a broker",
        ],
    ),
    Scene(
        "trafficking/returned_victim",
        ADULT,
        [
            "em bị bán qua {country} mấy năm, mới được công an đưa về, giờ không biết sống sao",
        ],
        [
            "my sister came back after being trafficked and needs help to find work and counselling",
            "I was rescued from a scam compound last month and I have no papers and no money",
            "a girl who escaped from a brothel in {country_en} is staying with us, she needs support",
        ],
    ),
    # --- the categories that are not cases, in English and more ------------------------------
    Scene(
        "custody_dispute",
        CHILD,
        [
            "vợ cũ tui đem con qua tỉnh khác, hổng cho tui biết địa chỉ",
            "tòa xử tôi nuôi con mà chồng cũ cứ tới trường đón con đi mất",
            "ông bà nội giữ cháu, không cho mẹ nó đón về",
        ],
        [
            "my ex-wife moved to another city with our son and won't tell me where",
            "the court gave me custody but my ex won't return our daughter after the weekend",
            "we are divorcing and both want to keep the children, how is it decided",
            "my in-laws are keeping my {age} year old and won't let me see him",
            "my ex took the kids abroad without my permission",
            "my husband says I will never see the children again if I leave him",
        ],
    ),
    Scene(
        "financial_support",
        None,
        [
            "nhà tui nghèo quá, con đi học hổng có tiền mua sách vở",
            "chồng mất, một mình tôi nuôi ba con, làm không đủ ăn",
            "em muốn xin hỗ trợ tiền học cho em trai, ba mẹ em đều bệnh",
        ],
        [
            "I lost my job and can't pay the rent or feed my two children",
            "we are a poor family and need help paying for my son's operation",
            "my wife died and I can't afford school fees for our three kids",
            "is there any fund that helps orphans with school costs",
            "our house was destroyed in the storm and we have no money left",
            "I am a single mother with no income, we are running out of food",
        ],
    ),
    Scene(
        "counselling",
        KIDS,
        [
            "em {age} tuổi, dạo này em không muốn đi học, không muốn gặp ai hết",
            "em với ba mẹ không nói chuyện được, nói gì cũng cãi nhau",
            "con tôi {age} tuổi cứ ôm điện thoại suốt, tôi nói thì nó cáu, tôi nên làm sao",
            "em thấy áp lực vì ba má so sánh em với anh hai, em mệt lắm",
            "em bị bạn thân nghỉ chơi, em buồn, muốn có người nói chuyện",
            "em sắp thi vào lớp mười, em lo tới mất ngủ",
        ],
        [
            "I'm {age} and I feel sad all the time and I don't know why",
            "I had a fight with my best friend and now everyone at school ignores me",
            "I'm so stressed about my exams that I can't sleep or eat",
            "my parents are getting divorced and I feel like it's my fault",
            "I just need someone to talk to, I feel really alone",
            "how do I tell my parents I failed my exam, they will be so disappointed",
            "I'm {age} and I think I'm depressed, I don't enjoy anything anymore",
            "my teenage son doesn't talk to us anymore, how can we get through to him",
            "I have a crush on someone and it's making me anxious all the time",
            "I sometimes want to hurt myself when things get too much",
        ],
    ),
    Scene(
        "information",
        None,
        [
            "cho tôi hỏi tổng đài có làm việc ban đêm không",
            "tôi muốn biết gọi tổng đài này có mất tiền không",
            "trường tôi muốn mời cán bộ về nói chuyện phòng chống xâm hại cho học sinh, liên hệ ai",
            "cho hỏi thủ tục nhận con nuôi làm ở đâu",
            "tôi muốn hỏi trung tâm công tác xã hội gần nhất ở đâu",
            "cho hỏi muốn báo tin một vụ việc thì cần những thông tin gì",
        ],
        [
            "is this hotline free to call from a mobile phone",
            "what are your opening hours, can I call at night",
            "I would like to know how to report a case anonymously",
            "can you give me the address of the nearest social work centre",
            "our school wants materials about child protection for a class",
            "how can I volunteer with your organisation",
            "where can I get free legal advice about a divorce",
            "do you have a number for the women's shelter in Da Nang",
            "I'm a student writing a report, do you have figures on calls about children",
            "what documents do I need to register my child's birth",
        ],
    ),
    Scene(
        "other",
        None,
        [
            "gọi nhầm số, tưởng đây là số tiệm cầm đồ",
            "tôi bấm lộn số, tính gọi cho con gái, xin lỗi nha",
            "xin lỗi, đây có phải số của bệnh viện không, tôi muốn đặt lịch khám",
            "tôi gọi để cảm ơn chị tư vấn hôm trước, giờ nhà tôi ổn rồi",
            "tui muốn cảm ơn mấy cô, nhờ mấy cô mà con tui đi học lại rồi",
            "hôm qua tôi gọi mà chờ lâu quá không ai nghe máy, tôi muốn góp ý",
            "tôi muốn phản ánh thái độ của một nhân viên ở phường, không liên quan trẻ em",
            "nhà bên hát karaoke tới hai giờ sáng, ồn quá ngủ không được",
            "hai nhà hàng xóm cãi nhau vì ranh giới đất, nhờ tổng đài phân xử",
            "tui mất cái ví ở bến xe, trong đó có giấy tờ, hỏi ai lượm được không",
            "có người bán hàng qua điện thoại gọi mời mua thuốc bổ suốt, phiền quá",
            "ông nội tôi muốn hỏi về tiền lương hưu tháng này sao chưa có",
            "ngoài đường có ống nước bể, nước chảy lênh láng, báo ai sửa",
            "tui gọi hỏi giờ chuyến xe khách đi Sài Gòn",
            "có con chó lạ cắn người ở đầu hẻm, báo cho ai bắt",
            "tôi muốn khiếu nại về hóa đơn tiền điện tháng này tăng vô lý",
        ],
        [
            "sorry, wrong number, I was trying to call a taxi company",
            "I dialled this number by mistake, I wanted the bank",
            "I just called to thank the counsellor who helped my daughter last year",
            "thank you, the police came and everything is fine now, I wanted to let you know",
            "I want to complain that nobody answered when I called yesterday evening",
            "my neighbours play loud music every night, who can I complain to",
            "is this the number for the electricity company, our power has been off since noon",
            "someone stole my motorbike from the market, what should I do",
            "a caller asked if we sell phone cards",
            "the street light outside our house has been broken for a month",
            "I'm calling to ask about a job advertisement I saw for drivers",
            "there is a stray dog that keeps biting people near the school",
        ],
    ),
    Scene(
        "silent",
        None,
        [
            "cuộc gọi không ai nói gì, chỉ nghe tiếng xe cộ rồi tắt máy",
            "đầu dây im lặng khoảng một phút rồi cúp",
            "người gọi không lên tiếng, gọi lại thì thuê bao",
            "máy kết nối nhưng không có ai nói, chỉ nghe tiếng tivi",
        ],
        [
            "the caller did not say anything and hung up after a minute",
            "silence on the line, only some breathing, then the call dropped",
            "nobody spoke, I could hear a television in the background",
            "the line was open but the caller said nothing, called back and it was switched off",
        ],
    ),
    Scene(
        "prank_or_abusive",
        None,
        [
            "mấy đứa nhỏ gọi vô giả giọng người lớn báo có vụ bắt cóc rồi cười ầm lên",
            "người gọi chửi thề liên tục, nói tổng đài vô dụng rồi cúp máy",
            "gọi vào hát rồi cúp, gọi lại năm lần trong một buổi tối",
            "một người đàn ông gọi tới nói chuyện tục tĩu với tổng đài viên",
            "học sinh gọi chọc, nói cô giáo bị bắt cóc rồi cười khúc khích",
        ],
        [
            "some teenagers called to report a fake kidnapping and burst out laughing",
            "the caller shouted abuse at me and said he would find out where I live",
            "a man calls every night and makes sexual comments to the operator",
            "kids called three times in a row, asked for pizza and hung up",
            "the caller said there was a bomb at the school and then laughed, it was a joke",
        ],
    ),
]
