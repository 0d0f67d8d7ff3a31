"""The corpus's fifth batch of scenes: the way callers really tell it, which the rules miss.

Sentences where the person and the act are far apart or come in the other order ("my
stepfather, when he drinks, he ... beats me"; "bị đánh, là ông dượng đó"), Southern,
Central and Central Highlands speech, teen and SMS writing typed without marks and with
shorthand, operator notes (XHTD, BLGĐ, MBN, TE, NN), euphemisms ("làm chuyện người lớn",
"đụng chạm", "đi làm bên kia"), custody disputes and requests for financial support, English
and mixed Vietnamese-English, and hard negatives: information requests about prevention,
leaflets and numbers, animals, online selling, news stories, school projects, which must not
get a case category.

Same format as scenes.py; generate.py draws these with a fifth random stream, so the first
four batches' narratives stay as they were. Written for this corpus, copied from nothing.
"""

from __future__ import annotations

from scenes import ADULT, CHILD, TEEN, Scene

SCENES_FIFTH: list[Scene] = [
    # --- child abuse: the person and the blow far apart, or the other way round --------------
    Scene(
        "child_abuse/physical_violence",
        CHILD,
        [
            "ông dượng của em, hễ uống rượu vào là ổng lại kiếm chuyện rồi lấy cây đánh em",
            "bị đánh sưng hết mặt, là ông bố dượng nó đó chị, thằng nhỏ mới {age} tuổi",
            "con bé {age} tuổi nhà kế bên, tối qua ba nó đi nhậu về, chưa nói câu nào đã tát nó té xuống đất",
            "vết bầm trên lưng cháu là do ai? cháu nói là mẹ kế, mỗi lần cháu làm sai cái gì",
            "e {age}t, ba e moi lan thua do la ve dap e, e so lam ko dam ve nha",
            "thằng cu ở buôn bên, cha nó say rượu rồi trói nó vào gốc cà phê mà quất",
            "mạ hắn mỗi lần giận là cầm chổi lông gà quật vô chân con bé tới rướm máu",
            "chị ơi bà nội em già rồi mà cứ lấy roi mây quất em, em {age} tuổi, chân em lằn hết",
            "TE nam {age}t, nghi bị cha dượng đánh, có vết bầm ở tay và lưng",
            "mỗi lần mẹ đi vắng là người đàn ông sống chung với mẹ lại đánh hai anh em con",
            "thằng bé hàng xóm hay chạy sang nhà tôi trốn, người nó chỗ nào cũng tím, nhà nó có ông bố hay say",
            "con tui về kể, cô ở lớp mầm non hay nhéo với đánh vô tay mấy đứa không chịu ăn",
            "nó mới {age} tuổi mà bị ông chú ruột dùng dây điện đánh vì tội làm mất con gà",
            "em bi ba duong dap hoai, hom qua bi chay mau dau, em ko muon ve nha nua",
            "thầy giáo chủ nhiệm bắt con em chống đẩy rồi đá vào bụng, cháu về đau mấy ngày",
        ],
        [
            "my stepfather, when he drinks, he comes to my room and beats me, I'm {age}",
            "the little boy downstairs, I think it is his father, hits him every evening with something hard",
            "it's my grandmother, every time I break something she whips my legs with a stick",
            "I'm {age}, dad said if I tell anyone about the bruises he will hit me harder",
            "bé nhà bên bị ba nó đánh tiếp rồi, the kid is only {age} and his arm looks broken",
            "my mum's new boyfriend, he doesn't like me, yesterday he threw me against the wall",
            "TE {age}t bị bố đánh, hàng xóm báo, đang ở nhà ông bà ngoại, need follow up",
        ],
    ),
    Scene(
        "child_abuse/emotional_violence",
        CHILD,
        [
            "ngày nào mẹ em cũng nói là phải chi hồi đó đừng đẻ ra em, em {age} tuổi",
            "ba e ko danh e nhung ngay nao cung chui e la do an bam, e muon bien mat",
            "con bé {age} tuổi bị nhốt ngoài ban công cả đêm, ông bố nói cho nó chừa",
            "má kế nói với thằng nhỏ là mi không phải con nhà ni, cút đi cho khuất mắt",
            "cô giáo lớp con tôi hay gọi cháu là đồ ngu trước cả lớp, cháu giờ sợ đi học",
            "e bi me bat quy truoc nha cho hang xom nhin, me noi vay cho e biet nhuc",
            "bố em dọa nếu em còn khóc thì ổng gửi em vô trại mồ côi, em mới {age} tuổi",
            "cháu {age} tuổi ở với bà, bà suốt ngày chì chiết nói cháu là thứ báo đời giống mẹ nó",
            "họ chửi nó, họ nhốt nó, họ không cho nó ra khỏi phòng, nó chỉ là con nít",
            "TE nữ {age}t bị cha mẹ mắng chửi, đe dọa thường xuyên, có dấu hiệu trầm cảm",
            "ba mẹ em lấy clip em khóc đăng lên nhóm zalo gia đình để bêu em",
        ],
        [
            "my parents don't hit me but they say every day I am a mistake and they should have given me away",
            "the kid next door is locked outside in the rain at night by her mother, she is {age}",
            "mẹ em says I'm useless and ugly every day, I'm {age} and I don't want to live like this",
            "my dad threatens to send me to the countryside and never see me again if I get bad grades",
        ],
    ),
    Scene(
        "child_abuse/sexual_abuse",
        CHILD,
        [
            "con bé nói với tôi là ông ngoại hay bắt nó ngồi lên đùi rồi đụng chạm chỗ kín của nó",
            "em {age} tuoi, anh ho cua em hay vao phong luc khuya, lam chuyen nguoi lon voi em",
            "nó mới {age} tuổi mà cái ông hàng xóm đó, lúc không có ai, ổng dụ vô nhà rồi làm bậy",
            "cháu về đi tiểu kêu đau, hỏi mãi mới nói là chú bảo vệ trường làm vậy",
            "bé gái {age} tuổi ở làng bên có bầu, người ta đồn là ông chủ rẫy",
            "NN nữ {age}t, nghi XHTD, đối tượng là hàng xóm, gia đình muốn giấu",
            "thằng bé {age} tuổi nhà em bị một ông trong xóm rủ đi câu cá rồi bắt cởi quần",
            "e bj ng yeu cua me sờ soạng hoai, e noi me ko tin, e {age}t",
            "bé nhà tôi mới học mẫu giáo mà về kể chú đưa đón bắt bé hôn chỗ đó",
            "mỗi lần mẹ đi chợ là ổng, ba dượng của em, lại kêu em vô buồng",
            "con gai toi {age} tuoi bi thay day them om hon, so mo, chau khoc ko chiu di hoc",
        ],
        [
            "my {age} year old daughter said the man who drives her to school touches her under her skirt",
            "I'm {age}, my cousin does things to me at night that I don't like, I can't tell my mum",
            "ông hàng xóm touched my little sister, she is {age}, what should we do",
            "a neighbour, every time the parents are out, calls the girl into his house and abuses her",
        ],
    ),
    Scene(
        "child_abuse/exploitation",
        CHILD,
        [
            "thằng nhỏ {age} tuổi bị chủ quán nhậu bắt rửa chén tới 2 giờ sáng, không trả lương",
            "mấy đứa nhỏ trong buôn bị người ta chở xuống thành phố bán kẹo kéo, tối về nộp tiền",
            "cha mẹ bắt con bé {age} tuổi nghỉ học đi giúp việc nhà người ta lấy tiền trả nợ",
            "e {age}t, lam o xuong go tu sang toi, chu ko cho nghi, dut tay cung ko cho di vien",
            "trẻ con ở đây bị thuê đi hái điều cả ngày, bữa trưa chỉ có gói mì",
            "có nhóm người lớn đưa trẻ em ra ngã tư xin tiền, đứa nào xin ít thì bị phạt nhịn đói",
            "TE {age}t bị bóc lột sức lao động tại lò gạch, làm việc 12 tiếng mỗi ngày",
        ],
        [
            "a boy of {age} works at the car wash all day and the owner keeps his money",
            "children from the mountain village are brought to the city to sell lottery tickets for a man",
            "my neighbour's daughter, {age}, was taken out of school to work as a maid for a rich family",
            "kids in our street pick up scrap until midnight and a woman takes everything they earn",
        ],
    ),
    Scene(
        "child_abuse/neglect",
        CHILD,
        [
            "cha mẹ tụi nhỏ lên rẫy cả tuần, để hai đứa {age} tuổi với 3 tuổi ở chòi một mình",
            "con bé {age} tuổi bị sốt cao ba ngày, má nó nói không có thời gian chở đi trạm xá",
            "ba me e di lam an xa, gui e cho ong noi, ong noi nhau suot ngay ko ai nau com",
            "thằng nhỏ ở nhà một mình, cửa khóa ngoài, mẹ nó đi đánh bài tới khuya mới về",
            "nhà bên có đứa bé sơ sinh khóc cả ngày, mẹ nó nghiện, ít khi cho bú",
            "đứa nhỏ {age} tuổi gầy trơ xương, quần áo bẩn, đi lượm đồ ăn thừa ngoài chợ",
            "TE {age}t bị bỏ mặc, không được đi học, bố mẹ nghiện rượu",
        ],
        [
            "the parents went to work in the city and left a {age} year old to look after two babies",
            "a child in our building has not eaten properly for days, the mother is always drunk",
            "my nephew is {age}, he has a bad infection and his father refuses to take him to a doctor",
        ],
    ),
    Scene(
        "child_abuse/abandonment",
        CHILD,
        [
            "có ai bỏ một em bé mới sinh trước cổng chùa, còn nguyên dây rốn",
            "mẹ con bé gửi nó cho hàng xóm rồi đi luôn, hai năm nay không liên lạc",
            "ba má ly dị xong không ai chịu nhận thằng nhỏ, giờ nó ở với bà cố {age} tuổi",
            "sáng nay người ta thấy đứa nhỏ chừng {age} tuổi ngồi khóc ở bến xe, người nhà bỏ lại",
            "TE bị bỏ rơi tại bệnh viện huyện sau sinh, mẹ trốn viện",
            "e {age}t, me bo e di theo chong moi, ba thi o tu, e ko bik o voi ai",
        ],
        [
            "someone left a newborn baby in a box outside the health station this morning",
            "my neighbour's kids were left behind when their mother moved away, nobody came back for them",
            "a {age} year old was found alone at the bus station, his family left him there",
        ],
    ),
    Scene(
        "child_abuse/child_marriage",
        TEEN,
        [
            "ba má em nhận lễ rồi, tháng sau em phải về nhà chồng, em mới {age} tuổi",
            "con nhỏ {age} tuổi trong làng bị bắt về làm vợ thằng con nhà giàu",
            "e {age}t, gd bat e lay ck de tra no, e ko mun",
            "em gái em học lớp 9, nhà đang tính cho cưới người làng bên",
            "nhà bên làm đám cưới cho đứa con gái {age} tuổi, chồng nó lớn hơn mười mấy tuổi",
            "ở buôn em, bạn em {age} tuổi đã về ở với chồng, có con rồi, không đi học nữa",
            "NN {age}t bị gia đình ép kết hôn, nghi tảo hôn",
        ],
        [
            "I'm {age} and my father promised me to a man from the next village, the wedding is next week",
            "my classmate, she is only {age}, her parents are marrying her to a 35 year old",
            "em {age} tuổi, my family wants me to get married after Tet, I want to finish school",
        ],
    ),
    Scene(
        "child_abuse/online_abuse",
        TEEN,
        [
            "e quen 1 ng tren fb, ng do xin hinh nhay cam roi gio doa gui cho ba me e",
            "có tài khoản ẩn danh cứ nhắn tin cho con tôi {age} tuổi, đòi gặp riêng và gửi ảnh",
            "bọn nó lấy ảnh con bé ghép vô hình khỏa thân rồi đăng lên group của trường",
            "thằng con {age} tuổi của em bị người lạ trên game dụ quay clip, giờ bị tống tiền",
            "e bi 1 a tren tiktok bat goi video, neu e ko lam thi a ay tung anh cu cua e",
            "con gái tôi {age} tuổi kể có người lớn trên mạng gửi cho nó hình ảnh đồi trụy",
        ],
        [
            "a guy on discord asked me for pics and now says he'll send them to my school, I'm {age}",
            "someone made a fake account of my {age} year old sister and posts sexual photos of her",
            "my son is {age}, a man he met in an online game sends him porn and wants to meet",
        ],
    ),
    # --- GBV ---------------------------------------------------------------------------------
    Scene(
        "gbv/domestic_violence",
        ADULT,
        [
            "chồng tôi, mỗi lần đi nhậu về, chưa kịp nói gì là đã lao vào đánh tôi",
            "tui bị ổng đánh hoài à, lần này ổng cầm cây củi phang vô đầu tui",
            "ck e say xin ve la kiem chuyen, nam toc e dap vo tuong, e so lam",
            "chị hàng xóm tui, đêm qua lại la làng, chồng chỉ rượt chỉ ra tới ngoài đường",
            "BLGĐ: vợ {age}t bị chồng đánh nhiều lần, nay có thương tích ở mặt",
            "o ni bị thằng chồng đánh mô cũng bầm, chừ o ở tạm nhà mệ, hắn còn tới đòi đánh nữa",
            "người đàn bà trong buôn bị chồng say rượu chém vào tay, cả làng biết mà không ai báo",
            "anh ấy không đánh nhiều, chỉ là khi nóng lên thì bóp cổ em thôi, vậy có phải bạo lực không",
            "thằng con rể nhậu về là đánh con gái tôi, đánh cả tôi khi tôi can",
            "bả bị ổng đánh tới sảy thai, giờ bả vẫn hổng dám thưa",
            "chồng em đánh em trước mặt con, còn nói đánh cho chết, em ôm con trốn sang nhà mẹ đẻ",
            "tôi {age} tuổi, bị chồng đánh suốt mười mấy năm, giờ con lớn rồi tôi muốn thoát ra",
            "người yêu e, a ay ghen, hom qua a ay tat e roi dam vao bung e",
            "vụ BLGĐ ở thôn 3, vợ bị đánh nhập viện, chồng đang bỏ trốn",
            "nhà bên đêm nào cũng đập phá đồ đạc, vợ la cứu, sáng ra mặt chị ấy sưng vù",
        ],
        [
            "my husband, when he's angry and drunk, he drags me by the hair and kicks me",
            "ck em lại đánh em rồi, I can't take it anymore, he broke my arm last month",
            "I'm {age}, my partner hits me and says nobody will believe me because he is a police officer",
            "the woman next door screams every night and today I saw her husband hit her with a pan",
            "my son-in-law beats my daughter and she is afraid to leave because of the kids",
            "he chokes me when he is angry, is that domestic violence? I'm scared",
        ],
    ),
    Scene(
        "gbv/sexual_violence",
        ADULT,
        [
            "em đi làm về khuya, có hai thằng chặn đường rồi lôi em vào rẫy cao su",
            "e bi ng quen chuoc ruou roi lam chuyen do, sang day e ko nho j",
            "chị ấy bị một người trong làng cưỡng hiếp khi đi rẫy một mình",
            "chồng em ép em quan hệ mỗi đêm, em nói không thì bị đánh, như vậy có phải hiếp không",
            "NN nữ {age}t bị hiếp dâm tại nhà trọ, đã trình báo CA xã",
            "tôi bị ông chủ, lúc vợ ổng đi vắng, ép vô phòng rồi làm nhục",
            "bạn em đi xe ôm công nghệ, tài xế chở vô chỗ vắng rồi giở trò đồi bại",
        ],
        [
            "I was raped last night by a man I met on a dating app, I'm {age}",
            "a co-worker forced himself on me after the company party",
            "tối qua em bị hiếp, I don't know where to go, please help",
        ],
    ),
    Scene(
        "gbv/sexual_harassment",
        ADULT,
        [
            "sếp e cu nhan tin goi e ra khach san, e ko di thi doa cat hop dong",
            "ông tổ trưởng hay đứng sát sau lưng mấy chị em công nhân rồi sờ mông",
            "có thằng cha ở xóm trọ hay đứng nhìn em tắm qua khe cửa",
            "em đi xe buýt bị một người cứ cọ người vào em, em la lên mà không ai giúp",
            "đồng nghiệp gửi tin nhắn khiêu dâm cho tôi suốt, nói đùa thôi mà",
            "thầy hướng dẫn luận văn gạ em đi chơi riêng, em từ chối thì bị cho điểm thấp",
            "anh quản lý quán cà phê hay ôm eo, nói chuyện tục với mấy bạn nữ phục vụ",
        ],
        [
            "my boss keeps touching my waist and says I'll lose my job if I complain",
            "a man at the gym follows me and sends me dirty messages every night",
            "sếp em sends me sexual jokes every day and asks me to go to a hotel with him",
        ],
    ),
    Scene(
        "gbv/forced_marriage",
        ADULT,
        [
            "gia đình ép tôi lấy người mà tôi không yêu, họ nói không cưới thì từ mặt",
            "ba má nhận tiền của nhà trai rồi, bắt chị về làm dâu dù chị đã có người yêu",
            "ở làng em người ta bắt em về làm vợ theo tục, em {age} tuổi rồi mà không được chọn",
            "e bi gd ep cuoi ng ta de tra no, e ko chiu thi bi nhot trong nha",
            "chị ấy {age} tuổi, bị cả dòng họ ép phải lấy em chồng sau khi chồng mất",
        ],
        [
            "my family is forcing me to marry a man I have never met, I'm {age}",
            "they locked my sister in the house until she agrees to the wedding",
        ],
    ),
    Scene(
        "gbv/illegal_marriage_brokering",
        ADULT,
        [
            "có bà mai trong xã đi vận động con gái lấy chồng Hàn, lấy tiền cọc mấy chục triệu",
            "em thấy trên fb có nhóm tuyển vợ cho người Đài Loan, bao ăn ở, cho xem mặt tập thể",
            "có một nhóm đưa mấy chục cô gái vào khách sạn cho đàn ông nước ngoài chọn làm vợ",
            "môi giới nói đi lấy chồng bên kia sướng lắm, gửi tiền về nuôi ba má, chỉ cần đóng phí",
            "dịch vụ hôn nhân không giấy phép ở thị trấn, cứ vài tuần lại có đợt xem mặt",
        ],
        [
            "a woman in our village collects girls' photos for foreign men and takes a fee from each family",
            "there is a facebook page selling 'brides' to men abroad, they show girls in a hotel",
        ],
    ),
    Scene(
        "gbv/economic_violence",
        ADULT,
        [
            "ổng cầm hết tiền bán cà phê, tui xin tiền mua thuốc cho con cũng hổng cho",
            "ck giu het luong cua e, e di lam ve phai dua het, ko dua la bi chui",
            "chồng tôi bán đất đứng tên hai vợ chồng mà không cho tôi biết, giờ còn đuổi tôi ra khỏi nhà",
            "anh ấy cấm em đi làm, nói đàn bà ở nhà, rồi mỗi lần đưa tiền chợ là chửi",
            "chồng chị đem sổ đỏ đi cầm lấy tiền đánh bạc, không cho chị đụng vào đồng nào",
        ],
        [
            "my husband controls all the money and makes me ask for every dollar, even for food",
            "he took my salary card and says I'm not allowed to work anymore",
        ],
    ),
    Scene(
        "gbv/threats",
        ADULT,
        [
            "thằng chồng cũ, từ hồi ly dị, cứ nhắn tin nói sẽ tới giết cả nhà em",
            "ny cu cua e doa neu e quen ng khac thi se dang clip nong cua e len mang",
            "hắn đứng trước cổng cả đêm, cầm dao, nói tau mà đi thì hắn đâm",
            "ổng nói nếu tui ly dị thì ổng tạt xăng đốt nhà, tui sợ lắm",
            "người yêu cũ theo dõi em, biết em đi đâu làm gì, nhắn là sẽ cho em biết tay",
        ],
        [
            "my ex keeps texting that he will burn my house if I don't come back",
            "ny cũ says he will post my private videos and kill himself and me",
        ],
    ),
    # --- trafficking -------------------------------------------------------------------------
    Scene(
        "trafficking",
        (16, 40),
        [
            "con gái tôi đi theo một người quen qua bên kia làm ăn, giờ mất liên lạc ba tháng",
            "có người rủ em đi làm bên Campuchia lương cao, giờ em muốn về mà họ không cho",
            "nghi MBN: NN {age}t đi cùng người lạ qua biên giới, gia đình mất liên lạc",
            "em ho cua e di lam ben kia, hom qua nhan tin cau cuu roi mat lien lac",
            "ở buôn có mấy đứa con gái đi theo người ta xuống xuôi làm việc, không thấy về",
            "người ta hứa đưa chị đi làm nhà hàng, tới nơi thì bị giữ giấy tờ, bị bán qua lại",
        ],
        [
            "my sister went abroad with a man who promised her a job, now she says she was sold",
            "em gái em đi làm bên Trung Quốc, she called crying and said they won't let her leave",
        ],
    ),
    Scene(
        "trafficking/sexual_exploitation",
        (15, 35),
        [
            "em bị lừa qua bên kia, họ bắt em tiếp khách, không chịu thì bị đánh",
            "chị nghe người ta nói con bé {age} tuổi ở xóm bị bán vào quán karaoke bên Lào, bắt bán dâm",
            "MBN - NN {age}t bị ép bán dâm tại nhà nghỉ ở biên giới, đang tìm cách trốn",
            "e bi dua vao 1 quan o ben kia, bat e di khach, ho giu het giay to cua e",
            "người ta bán nó cho một ổ mại dâm, nói nợ tiền đưa đi nên phải làm trả",
        ],
        [
            "my cousin was taken to Malaysia for a restaurant job but they force her to sell sex",
            "I was tricked into going abroad and they make me sleep with customers, help",
        ],
    ),
    Scene(
        "trafficking/forced_labour",
        (16, 50),
        [
            "anh em bị đưa qua Campuchia làm online lừa đảo, không đủ chỉ tiêu là bị chích điện",
            "ba tui đi làm tàu cá, mấy năm rồi không được trả lương, chủ không cho lên bờ",
            "em bị giữ trong xưởng, ko cho ra ngoai, ko tra luong, ai cai la bi danh",
            "MBN - cưỡng bức LĐ tại khu casino, NN bị giữ hộ chiếu, đòi tiền chuộc",
            "con tôi đi xuất khẩu lao động chui, giờ bị nhốt trong công trường, làm không công",
        ],
        [
            "my brother is held in a scam compound in Cambodia, they beat him and want ransom",
            "we work on a fishing boat for two years without pay and they won't let us go ashore",
        ],
    ),
    Scene(
        "trafficking/forced_marriage",
        (15, 35),
        [
            "con gái tôi bị người quen dụ qua biên giới rồi bán cho một ông bên đó làm vợ",
            "e bi lua sang TQ, bi ban cho 1 nha lam vo, ko cho ve",
            "chị ấy gọi về nói bị bán làm vợ, ở một làng xa, không biết tiếng",
            "NN nữ {age}t nghi bị bán sang TQ làm vợ, gia đình có số ĐT",
        ],
        [
            "my niece was sold across the border as a bride and can't get out",
            "they took her to China and sold her to a family as a wife for their son",
        ],
    ),
    Scene(
        "trafficking/organ_removal",
        (18, 45),
        [
            "có người trên mạng trả tiền để mua thận, hứa đưa qua nước ngoài mổ",
            "ba em được rủ đi làm bên kia, về thì mất một quả thận, ổng nói bị lừa",
            "nhóm đó dụ người nghèo bán gan bán thận, nói là cho tặng chứ không phải bán",
        ],
        [
            "a man offered my brother money to sell a kidney abroad, now he is missing",
            "my uncle came back from a job abroad with a scar and one kidney missing",
        ],
    ),
    Scene(
        "trafficking/returned_victim",
        (16, 40),
        [
            "con gái tôi mới được giải cứu từ bên kia về, cháu không chịu nói chuyện với ai",
            "e moi tron ve tu ben kia, gio ko co giay to, ko co tien, ko dam ve lang",
            "NN MBN trở về, cần hỗ trợ tâm lý và học nghề",
            "chị ấy bị bán qua đó mấy năm, giờ về rồi nhưng làng ai cũng dị nghị",
        ],
        [
            "my sister just came back after being trafficked, she needs help with papers and a job",
            "I escaped from the place they held me abroad and I'm back but I have nothing",
        ],
    ),
    # --- custody and financial support -------------------------------------------------------
    Scene(
        "custody_dispute",
        CHILD,
        [
            "vợ chồng em ly thân, ảnh bắt thằng nhỏ về nội, không cho em gặp con",
            "tòa xử cho tui nuôi con mà ổng cứ tới trường rước con đi, hổng trả",
            "bên nội giành con bé, nói con gái theo mẹ là khổ, em phải làm sao",
            "ck cu e ko cho e tham con, e goi thi chan so, con e moi {age} tuoi",
            "ly hôn xong chồng cũ đưa con về quê, tôi hai tháng nay không được gặp",
            "tụi em chia tay, giờ ai được quyền nuôi đứa nhỏ {age} tuổi, em không có việc làm ổn định",
            "mẹ vợ giữ con tôi, không cho tôi đón về, nói tôi không đủ tư cách làm cha",
            "con tôi {age} tuổi muốn ở với tôi mà bố nó không chịu, lấy đi rồi",
            "ba tụi nhỏ nói nếu tui đòi nuôi con thì ổng đem tụi nhỏ đi mất",
            "em muốn giành lại quyền nuôi con thì làm thủ tục ở đâu, con em đang ở với bên nội",
            "vợ em bỏ đi, đem theo hai đứa nhỏ, em hỏi thì nói không bao giờ cho em gặp",
        ],
        [
            "my ex-wife moved to another province with our son and won't let me talk to him",
            "we are divorcing and his parents took my daughter, she is {age}, how do I get her back",
            "ck cũ em keeps the kids and blocks my number, I just want to see my children",
            "who gets the children after a divorce if the father has no job?",
        ],
    ),
    Scene(
        "financial_support",
        None,
        [
            "chồng em mất, em ở vậy nuôi ba đứa nhỏ, tiền thuê nhà không đủ, có chỗ nào giúp không",
            "ly hôn rồi mà ổng không chịu đưa tiền nuôi con, tui làm sao bắt ổng đưa",
            "ck cu ko gui tien nuoi con may thang nay, e ko du tien cho con di hoc",
            "mẹ con em không còn gạo ăn, em bị mất việc từ tháng trước",
            "nhà tui nghèo, con tui đậu đại học mà không có tiền nhập học, có học bổng gì hông",
            "bé nhà em bị bệnh tim cần mổ, gia đình không lo nổi chi phí",
            "con tôi mồ côi cha, tôi muốn xin trợ cấp cho cháu thì làm ở đâu",
            "bố nó bỏ đi, tiền cấp dưỡng tòa xử mà không đưa đồng nào",
            "o ơi nhà tau chừ hết tiền rồi, mấy đứa nhỏ không có chi ăn",
            "em là mẹ đơn thân, lương công nhân không đủ tiền sữa cho con",
            "nhà cháu ở buôn, mùa này cà phê mất giá, không có tiền cho hai đứa em đi học",
        ],
        [
            "my ex doesn't pay child support and I can't feed my kids, is there any help",
            "I'm a single mum, I lost my job and I can't pay the rent this month",
            "we need money for my son's operation, can the hotline help or tell me who can",
            "em cần help về tiền học cho con, chồng em không gửi tiền nuôi con",
        ],
    ),
    # --- counselling, silent, pranks, other ---------------------------------------------------
    Scene(
        "counselling",
        None,
        [
            "e buon qua, ba me cai nhau suot, e ko bik noi voi ai",
            "em {age} tuổi, bị bạn bè xa lánh, tối nào cũng khóc, chỉ muốn có ai nghe em nói",
            "con trai tôi mê điện thoại, không chịu học, tôi nói gì nó cũng cãi, tôi phải làm sao",
            "tui với ổng tính ly dị, tui không biết nói với tụi nhỏ sao cho tụi nó bớt buồn",
            "e thi rot cap 3, ba me that vong, e thay minh vo dung qua",
            "em mới chia tay người yêu, không ăn không ngủ được, em cần ai đó nói chuyện",
            "con gái em dậy thì, hay cáu, em muốn hỏi cách nói chuyện với con",
        ],
        [
            "I just need someone to talk to, I feel so alone since I moved to this city",
            "my teenage son doesn't talk to me anymore, how can I get close to him again",
            "em stress quá vì thi cử, I can't sleep and I cry all the time",
        ],
    ),
    Scene(
        "silent",
        None,
        [
            "cuộc gọi không có tiếng, chỉ nghe tiếng xe cộ rồi tắt",
            "CG im lặng khoảng 30 giây, có tiếng thở, sau đó ngắt máy",
            "alo alo mà không ai trả lời, có tiếng ti vi phía sau",
            "gọi tới chỉ nghe tiếng trẻ con khóc xa xa, không ai nói gì rồi cúp",
        ],
        [
            "the caller stayed on the line for a minute without saying a word",
            "silent call, only some traffic noise, then the line went dead",
        ],
    ),
    Scene(
        "prank_or_abusive",
        None,
        [
            "mấy đứa nhỏ gọi vô nói có người bị bắt cóc rồi cười ngặt nghẽo cúp máy",
            "người gọi chửi tục tổng đài viên rồi hỏi có rảnh đi chơi không",
            "thằng nào gọi hoài, giả giọng con gái kêu cứu, hỏi lại thì cười",
            "gọi vô chỉ để chửi bới, nói tổng đài vô dụng, rồi nói bậy bạ",
            "tui gọi chọc chơi thôi mà, có gì đâu, nói giỡn á",
        ],
        [
            "some teenagers called to say their teacher was kidnapped and then laughed and hung up",
            "the caller swore at the operator and made sexual comments",
        ],
    ),
    Scene(
        "other",
        None,
        [
            "cho hỏi có phải số của trạm y tế xã không, em gọi nhầm hả",
            "nhà bên hát karaoke tới 1 giờ sáng, con tui không ngủ được, báo ai",
            "em muốn cảm ơn chị tuần trước đã giúp em, giờ em ổn rồi",
            "chiếc xe máy của tui bị mất trước cổng chợ, tổng đài có giúp tìm được không",
            "tôi muốn phản ánh đèn đường ở xóm tôi hư cả tháng chưa sửa",
        ],
        [
            "sorry, I think I called the wrong number, I was looking for a taxi",
            "I just wanted to say thank you, the person you sent helped my family a lot",
        ],
    ),
    # --- hard negatives: topic words in calls that are not cases ----------------------------
    Scene(
        "information",
        None,
        [
            "trường em muốn xin tờ rơi về phòng chống xâm hại tình dục trẻ em để phát cho phụ huynh",
            "cho em hỏi số đường dây nóng phòng chống bạo lực gia đình ở tỉnh Gia Lai",
            "em làm bài tập nhóm về mua bán người, chị cho em xin số liệu mấy năm gần đây",
            "hội phụ nữ xã muốn mời cán bộ về nói chuyện về bạo lực giới, liên hệ ai ạ",
            "e muon hoi neu thay 1 dua tre bi danh thi bao cho ai, so nao, de sau nay bik",
            "cho hỏi tổng đài có tập huấn kỹ năng nhận biết trẻ bị xâm hại cho giáo viên không",
            "xin tài liệu tuyên truyền về tảo hôn bằng tiếng Ê Đê cho buôn em",
            "tôi là phóng viên, muốn hỏi quy trình tiếp nhận ca bạo hành trẻ em của tổng đài",
            "cho tui hỏi luật quy định sao về quyền nuôi con khi ly hôn, tui hỏi để biết thôi",
            "làm sao để dạy con nhận biết người lạ dụ dỗ, có sách nào không",
            "cho em xin áp phích về phòng chống mua bán người để dán ở nhà văn hóa thôn",
        ],
        [
            "can I get leaflets about child abuse prevention for our school's parents' meeting",
            "I'm writing a school project about human trafficking, do you have statistics",
            "what number should people call to report domestic violence in Da Nang",
            "do you offer training for teachers on recognising sexual abuse in children",
            "cho em hỏi what services does the hotline have for foreigners who experience violence",
        ],
    ),
    Scene(
        "other",
        None,
        [
            "con chó nhà bên bị chủ nó đánh tối ngày, kêu thảm lắm, báo ai được",
            "có người nhốt mấy con mèo trong lồng nhỏ xíu ngoài nắng, tội quá",
            "shop em bán quần áo trẻ em online, bị khách bom hàng, chửi em trên fb",
            "em đọc báo thấy vụ bé bị bạo hành ở Hà Nội, em thấy thương quá nên gọi hỏi thăm",
            "hôm qua xem tin tức có vụ lừa bán người qua Campuchia, tui gọi hỏi coi có thật không",
            "nhà tui nuôi heo, con heo nái bị hàng xóm đánh gãy chân vì phá vườn",
            "tui bán hàng online, có người đặt đơn rồi chửi tui, đòi đánh tui nếu không giao",
        ],
        [
            "my neighbour beats his dog every night and keeps it chained in the sun",
            "I sell children's clothes online and a customer threatened me over a late delivery",
            "I saw a news story about a child being beaten in a daycare, is the child okay now",
            "someone is starving their horses in a field near our village, who do I call",
        ],
    ),
]
