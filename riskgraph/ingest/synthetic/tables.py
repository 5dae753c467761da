"""Static tables of the synthetic province: real Zhejiang districts, Chinese names, phrases.

Frequencies are rough but shaped like the real ones, because the traps the engine must
survive (many people with one name, a few dominant cities) come from the shape.
"""

from __future__ import annotations

from typing import NamedTuple

PROVINCE = "浙江省"


class District(NamedTuple):
    code: str
    city: str
    name: str
    area_code: str
    local_digits: int  # length of a landline number after the area code
    weight: float


# Real Zhejiang county-level divisions (GB/T 2260 codes valid today); weights loosely follow
# the number of registered enterprises.
DISTRICTS: tuple[District, ...] = (
    District("330102", "杭州市", "上城区", "0571", 8, 5.0),
    District("330105", "杭州市", "拱墅区", "0571", 8, 5.0),
    District("330106", "杭州市", "西湖区", "0571", 8, 6.0),
    District("330108", "杭州市", "滨江区", "0571", 8, 5.0),
    District("330109", "杭州市", "萧山区", "0571", 8, 6.0),
    District("330110", "杭州市", "余杭区", "0571", 8, 7.0),
    District("330203", "宁波市", "海曙区", "0574", 8, 4.0),
    District("330206", "宁波市", "北仑区", "0574", 8, 3.0),
    District("330212", "宁波市", "鄞州区", "0574", 8, 5.0),
    District("330302", "温州市", "鹿城区", "0577", 8, 4.0),
    District("330304", "温州市", "瓯海区", "0577", 8, 3.0),
    District("330382", "温州市", "乐清市", "0577", 8, 3.0),
    District("330402", "嘉兴市", "南湖区", "0573", 8, 3.0),
    District("330502", "湖州市", "吴兴区", "0572", 7, 2.5),
    District("330602", "绍兴市", "越城区", "0575", 8, 2.5),
    District("330603", "绍兴市", "柯桥区", "0575", 8, 3.0),
    District("330702", "金华市", "婺城区", "0579", 8, 2.5),
    District("330782", "金华市", "义乌市", "0579", 8, 5.0),
    District("330802", "衢州市", "柯城区", "0570", 7, 1.5),
    District("330902", "舟山市", "定海区", "0580", 7, 1.2),
    District("331002", "台州市", "椒江区", "0576", 8, 3.0),
    District("331102", "丽水市", "莲都区", "0578", 7, 1.5),
)

STREETS: dict[str, tuple[str, ...]] = {
    "杭州市": (
        "文三路",
        "文一西路",
        "天目山路",
        "莫干山路",
        "延安路",
        "解放路",
        "江南大道",
        "滨盛路",
        "市心中路",
        "余杭塘路",
        "古墩路",
        "学院路",
        "教工路",
        "庆春路",
        "钱江路",
        "江晖路",
    ),
    "宁波市": ("中山东路", "天童南路", "鄞州大道", "日丽中路", "新晖路", "明州路", "解放南路"),
    "温州市": ("车站大道", "人民路", "学院中路", "温州大道", "府东路", "锦绣路", "旭阳路"),
    "嘉兴市": ("中山路", "南湖路", "广益路", "秀洲大道", "昌盛路", "由拳路"),
    "湖州市": ("人民路", "凤凰路", "红丰路", "仁皇山路", "二环东路"),
    "绍兴市": ("解放路", "中兴路", "笛扬路", "群贤路", "柯桥大道", "金柯桥大道"),
    "金华市": ("八一街", "宾虹路", "李渔路", "稠州北路", "工人路", "宾王路", "城中路"),
    "衢州市": ("荷花路", "衢化路", "百汇路", "花园东大道"),
    "舟山市": ("环城北路", "解放路", "千岛路", "海天大道"),
    "台州市": ("市府大道", "中山西路", "东环大道", "开发大道"),
    "丽水市": ("人民街", "丽阳街", "中山街", "花园路"),
}

BUILDINGS: tuple[str, ...] = (
    "国际大厦",
    "财富中心",
    "金融广场",
    "商务中心",
    "时代大厦",
    "世贸中心",
    "银泰中心",
    "创新大厦",
    "科技园",
    "现代城",
    "华润大厦",
    "东方广场",
)

HUB_NAMES: tuple[str, ...] = (
    "众创空间",
    "创业园",
    "科创园",
    "电商产业园",
    "孵化器",
    "创意园",
    "总部经济园",
    "商务秘书园",
)

# Surnames weighted by rough national frequency (percent); Zhejiang-specific names such as
# 陈, 徐, 沈, 金, 胡 are slightly boosted.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.1),
    ("李", 6.4),
    ("张", 6.2),
    ("刘", 5.0),
    ("陈", 5.8),
    ("杨", 3.0),
    ("黄", 2.5),
    ("赵", 2.0),
    ("吴", 2.4),
    ("周", 2.1),
    ("徐", 1.9),
    ("孙", 1.4),
    ("马", 1.2),
    ("朱", 1.4),
    ("胡", 1.5),
    ("郭", 1.0),
    ("何", 1.1),
    ("林", 1.2),
    ("高", 0.9),
    ("罗", 0.8),
    ("郑", 1.0),
    ("梁", 0.7),
    ("谢", 0.7),
    ("宋", 0.6),
    ("唐", 0.6),
    ("许", 0.7),
    ("韩", 0.5),
    ("冯", 0.5),
    ("邓", 0.5),
    ("曹", 0.5),
    ("彭", 0.4),
    ("曾", 0.4),
    ("肖", 0.4),
    ("田", 0.3),
    ("董", 0.4),
    ("袁", 0.4),
    ("潘", 0.5),
    ("于", 0.3),
    ("蒋", 0.5),
    ("蔡", 0.4),
    ("余", 0.4),
    ("杜", 0.3),
    ("叶", 0.6),
    ("程", 0.3),
    ("苏", 0.3),
    ("魏", 0.3),
    ("吕", 0.3),
    ("丁", 0.3),
    ("任", 0.3),
    ("沈", 0.6),
    ("姚", 0.3),
    ("卢", 0.3),
    ("姜", 0.3),
    ("崔", 0.2),
    ("钟", 0.2),
    ("谭", 0.2),
    ("陆", 0.4),
    ("汪", 0.4),
    ("范", 0.2),
    ("金", 0.5),
    ("石", 0.2),
    ("廖", 0.2),
    ("贾", 0.2),
    ("夏", 0.2),
    ("韦", 0.1),
    ("方", 0.4),
    ("白", 0.1),
    ("邹", 0.2),
    ("孟", 0.1),
    ("熊", 0.1),
    ("秦", 0.1),
    ("邱", 0.2),
    ("江", 0.2),
    ("尹", 0.1),
    ("薛", 0.1),
    ("段", 0.1),
    ("雷", 0.1),
    ("侯", 0.1),
    ("龙", 0.1),
    ("史", 0.1),
    ("陶", 0.1),
    ("贺", 0.1),
    ("顾", 0.3),
    ("毛", 0.2),
    ("郝", 0.1),
    ("龚", 0.1),
    ("邵", 0.2),
    ("万", 0.1),
    ("钱", 0.3),
    ("严", 0.2),
    ("戴", 0.2),
    ("孔", 0.1),
    ("汤", 0.1),
    ("章", 0.3),
    ("楼", 0.1),
    ("应", 0.1),
    ("俞", 0.2),
    ("诸葛", 0.01),
    ("欧阳", 0.02),
)

# Given-name characters, most common first; drawn with Zipf-like weights so that 伟, 芳, 敏...
# dominate and names collide as often as in real registries.
GIVEN_CHARS: str = "".join(
    dict.fromkeys(
        "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲斌辉建国红波鹏飞浩宇俊峰"
        "晨婷雪琳慧颖倩琴云洁梅兰萍佳欣怡悦丹凯健帆旭宁龙林海春亮成志文东鑫晶莉燕"
        "雯琪瑶璐思嘉子涵梓轩博睿泽宏良永新利忠清彬荣光德友民立胜福生祥才发金"
    )
)

BRAND_CHARS: str = (
    "鑫华恒盛达泰源丰宏信瑞祥通博德利安康嘉诚创新远顺凯汇金银众联海宇天润和兴隆"
    "昌荣耀星辰朗锦乾坤正方圆明阳光晟昊禾森裕富佳美优卓越精工永振宝力威腾飞"
)

FUND_BRAND_CHARS: str = "鑫汇财富金盈融聚宝益诚信安盛钱通达众投资合利丰泰银鼎惠"


class Industry(NamedTuple):
    label: str
    words: tuple[str, ...]  # the business word in a company name (…贸易有限公司)
    weight: float
    fund_prone: bool


INDUSTRIES: tuple[Industry, ...] = (
    Industry("批发零售", ("贸易", "商贸", "百货", "服饰", "五金", "建材"), 22.0, False),
    Industry(
        "制造业", ("机械", "电子", "纺织", "塑业", "新材料", "汽配", "家具", "电器"), 16.0, False
    ),
    Industry("软件和信息技术服务", ("网络科技", "信息技术", "软件", "数据科技"), 8.0, False),
    Industry("建筑业", ("建设工程", "建筑劳务", "装饰工程", "市政工程"), 6.0, False),
    Industry("电子商务", ("电子商务", "网络销售", "供应链"), 6.0, False),
    Industry("进出口贸易", ("进出口", "国际贸易", "外贸"), 5.0, False),
    Industry("餐饮", ("餐饮管理", "餐饮", "食品"), 4.0, False),
    Industry("交通运输", ("物流", "运输", "货运代理"), 4.0, False),
    Industry("房地产", ("房地产开发", "置业", "物业管理"), 3.0, False),
    Industry("科技推广", ("科技", "生物科技", "环保科技"), 5.0, False),
    Industry("文化传媒", ("文化传媒", "广告", "影视文化"), 4.0, False),
    Industry("教育培训", ("教育科技", "培训", "文化艺术"), 2.0, False),
    Industry("农业", ("农业开发", "生态农业", "农产品"), 2.0, False),
    Industry("居民服务", ("家政服务", "美容", "健身"), 2.0, False),
    Industry("医药", ("医药", "医疗器械", "健康管理"), 2.0, False),
    Industry("商务咨询", ("商务咨询", "企业管理咨询", "信息咨询"), 3.0, True),
    Industry("投资管理", ("投资管理", "投资", "股权投资"), 1.5, True),
    Industry("资产管理", ("资产管理", "财富管理"), 0.6, True),
    Industry("互联网金融", ("互联网金融信息服务", "金融信息服务", "网络借贷信息中介"), 0.3, True),
    Industry("融资租赁", ("融资租赁", "商业保理"), 0.4, True),
    Industry("私募基金", ("私募基金管理", "基金管理", "股权投资基金管理"), 0.4, True),
    Industry("供应链金融", ("供应链管理", "供应链金融服务"), 0.3, True),
)

FUND_INDUSTRY_IDS: tuple[int, ...] = tuple(i for i, ind in enumerate(INDUSTRIES) if ind.fund_prone)

STATUSES: tuple[str, ...] = ("active", "revoked", "cancelled", "abnormal")
HOLDER_TYPES: tuple[str, ...] = ("person", "company")
ROLES: tuple[str, ...] = ("legal_representative", "director", "supervisor", "manager", "executive")
LINK_TYPES: tuple[str, ...] = ("guarantee", "loan", "trade", "branch", "rent", "creditor")
EVENT_TYPES: tuple[str, ...] = (
    "exposure",
    "case_filed",
    "litigation",
    "penalty",
    "abnormal_operation",
    "complaint",
    "negative_news",
    "tax_delinquency",
)

EVENT_PHRASES: dict[str, tuple[str, ...]] = {
    "exposure": (
        "涉嫌非法吸收公众存款被公安机关立案侦查",
        "平台逾期无法兑付，实际控制人失联",
        "涉嫌集资诈骗，相关人员被采取刑事强制措施",
        "出借人集中报案，平台停止运营",
    ),
    "case_filed": (
        "涉嫌非法吸收公众存款被立案调查",
        "涉嫌合同诈骗被立案",
        "被地方金融监管部门立案核查",
        "涉嫌虚假出资被立案",
    ),
    "litigation": (
        "买卖合同纠纷被起诉",
        "民间借贷纠纷被起诉",
        "劳动争议仲裁",
        "租赁合同纠纷",
        "金融借款合同纠纷",
        "建设工程施工合同纠纷",
    ),
    "penalty": (
        "市场监管部门行政处罚：虚假宣传",
        "税务行政处罚",
        "生态环境行政处罚",
        "消防安全行政处罚",
        "未按规定办理变更登记被处罚",
    ),
    "abnormal_operation": (
        "通过登记的住所或经营场所无法联系",
        "未按规定公示年度报告",
        "公示企业信息隐瞒真实情况",
    ),
    "complaint": (
        "消费者投诉服务质量",
        "投资者投诉无法提现",
        "12345热线投诉承诺高额回报",
        "员工投诉拖欠工资",
    ),
    "negative_news": (
        "媒体报道承诺年化收益15%以上",
        "网络舆情：兑付困难",
        "媒体报道涉嫌虚假宣传理财产品",
        "网络舆情：拖欠货款",
    ),
    "tax_delinquency": (
        "欠缴增值税",
        "欠税公告",
        "未按期申报纳税",
    ),
}

# Phrases that read like fund-raising trouble; rings draw from these, ordinary firms rarely.
RING_PHRASE_INDEX: dict[str, tuple[int, ...]] = {
    "case_filed": (0, 2),
    "complaint": (1, 2),
    "negative_news": (0, 1, 2),
    "litigation": (1, 4),
}

MOBILE_PREFIXES: tuple[tuple[str, float], ...] = (
    ("138", 8.0),
    ("139", 8.0),
    ("137", 5.0),
    ("136", 5.0),
    ("135", 6.0),
    ("134", 2.0),
    ("150", 4.0),
    ("151", 4.0),
    ("152", 3.0),
    ("157", 2.0),
    ("158", 5.0),
    ("159", 5.0),
    ("182", 3.0),
    ("183", 2.0),
    ("187", 3.0),
    ("188", 3.0),
    ("130", 3.0),
    ("131", 3.0),
    ("132", 2.0),
    ("155", 2.0),
    ("156", 2.0),
    ("185", 2.0),
    ("186", 3.0),
    ("133", 2.0),
    ("153", 2.0),
    ("180", 2.0),
    ("181", 2.0),
    ("189", 3.0),
    ("177", 2.0),
    ("199", 2.0),
    ("166", 1.0),
    ("170", 0.5),
    ("171", 0.5),
)

# Address codes used for resident ID numbers of people born outside Zhejiang: nominee
# representatives in fraud rings are often migrants.
OUTSIDE_ID_CODES: tuple[str, ...] = (
    "340104",
    "340221",
    "341221",
    "342401",
    "360102",
    "360421",
    "362330",
    "410102",
    "411521",
    "412726",
    "320102",
    "320582",
    "350102",
    "350583",
    "430102",
    "431021",
    "510104",
    "511521",
    "520102",
    "522121",
)
