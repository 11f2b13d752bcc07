"""The option lists of the forms (①…), each member carrying its official label."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["CATALOG_SIZE", "CardholderDbStage", "CrossRegionScope", "ServiceChannel", "ServiceItem"]

CATALOG_SIZE = 102  # 人社部发〔2014〕52号 社保卡应用目录


class _Labelled(IntEnum):
    label: str

    def __new__(cls, value: int, label: str) -> _Labelled:
        obj = int.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj

    @classmethod
    def other(cls) -> _Labelled:
        return max(cls)

    @classmethod
    def legend(cls) -> str:
        circled = "①②③④⑤⑥⑦⑧⑨⑩"
        return " ".join(f"{circled[m.value - 1]}{m.label}" for m in cls)

class ServiceItem(_Labelled):
    """表一 服务事项: 已开展的社会保障卡服务事项."""

    APPLY = 1, "申领（补换卡）"
    INFO_CHANGE = 2, "信息变更"
    REPORT_LOSS = 3, "挂失（解挂）"
    CANCEL = 4, "注销"
    TRANSFER_IN_PROVINCE = 5, "省内转移"
    TRANSFER_CROSS_PROVINCE = 6, "跨省转移"
    ENQUIRY = 7, "咨询"
    UNLOCK = 8, "解锁"
    OTHER = 9, "其他"


class ServiceChannel(_Labelled):
    """表一 服务渠道: 已开通的社会保障卡服务渠道."""

    CARD_CENTRE = 1, "社保卡服务中心"
    SOCIAL_INSURANCE_HALL = 2, "社保经办大厅"
    EMPLOYMENT_HALL = 3, "就业服务大厅"
    GRASSROOTS = 4, "街道乡镇基层服务网点"
    BANK_BRANCH = 5, "银行网点"
    HOTLINE_12333 = 6, "12333"
    ONLINE = 7, "网上服务"
    MOBILE = 8, "手机服务"
    SELF_SERVICE = 9, "自助终端服务"
    OTHER = 10, "其他"


class CrossRegionScope(_Labelled):
    """表二 使用地域: 社会保障卡跨地区使用的地域范围."""

    CROSS_CITY_IN_PROVINCE = 1, "省内跨地市"
    CROSS_PROVINCE = 2, "跨省"
    OTHER = 3, "其他"


class CardholderDbStage(_Labelled):
    """表三 省级持卡库建设总体进度."""

    NOT_STARTED = 1, "尚未启动"
    PLAN = 2, "制定建设实施方案"
    DEPLOYMENT = 3, "省持卡库系统部署，并与部级持卡库系统联调"
    DATA_PREPARATION = 4, "数据准备及初始化"
    CARD_SYSTEM = 5, "卡管系统接入"
    BUSINESS_SYSTEMS = 6, "业务系统接入"
    TRIAL = 7, "系统试运行"
    LIVE = 8, "系统正式上线运行"
    OTHER = 9, "其他"
