"""The five forms of the 2015 notice as layouts: one ``Field`` per column, in the order printed.

Source: 《关于调整社会保障卡工作情况调度制度的通知》 attachment 1 (月调度表) and
attachment 2 (季调度表（一）–（四）) with their 填写说明 (``../shared/seeds/000_…``).
To add a column, add one ``Field`` here: reading, validation, the template and
the data package pick it up (``tests/test_field_spec.py`` proves it).
"""

from __future__ import annotations

from sbk.findings import ERROR, WARNING
from sbk.forms.options import CATALOG_SIZE, CardholderDbStage, CrossRegionScope, ServiceChannel, ServiceItem
from sbk.forms.spec import Field, Kind, Layout

__all__ = ["FORMS", "LAYOUTS", "REGION_COLUMNS"]

_TWO_DECIMALS = "数字统一保留小数点后两位"
_CUMULATIVE = "本表中的各项指标均为截至季度末的累计数量，而非本季度的新增数量"
REGION_COLUMNS = (
    Field("region_code", Kind.CODE, "行政区划代码"),
    Field("region_name", Kind.NAME, "地区"),
)

LAYOUTS: dict[str, Layout] = {
    "monthly": Layout(
        "monthly", "monthly_issuance", "社会保障卡发行情况月调度表", ("填报单位：_____年__月",),
        (
            Field("seq", Kind.SEQ, "序号"),
            *REGION_COLUMNS,
            Field("cumulative_holders_10k", Kind.FIGURE_10K, "累计持卡人数（万人）", unit="万人", summed=True,
                  blank=ERROR, never_falls=ERROR,
                  quote="累计持卡人数：截至某月末本地区实际持有社会保障卡的人数，换卡、补卡人数不再重复计算，数字统一保留小数点后两位。"),
        ),
        "合计", ("region_code",), "行政区划代码", "monthly", remark="备注：新增发卡城市__个，即_____",
    ),
    "q1": Layout(
        "q1", "quarterly_work", "社会保障卡工作情况季调度表（一）", ("填报单位：_____ 年 第__季度",),
        (
            *REGION_COLUMNS,
            Field("holders_total_10k", Kind.FIGURE_10K, "累计持卡人数（万人）/总数", unit="万人", summed=True,
                  blank=ERROR, never_falls=ERROR,
                  quote="累计持卡人数：截至季度末本地区实际持有社会保障卡的人数，换卡、补卡人数不再重复计算，数字统一保留小数点后两位。"),
            Field("holders_urban_employees_10k", Kind.FIGURE_10K, "累计持卡人数（万人）/城镇职工", unit="万人",
                  summed=True, quote=_TWO_DECIMALS),
            Field("holders_residents_10k", Kind.FIGURE_10K, "累计持卡人数（万人）/城乡居民", unit="万人",
                  summed=True, quote=_TWO_DECIMALS),
            Field("holders_other_10k", Kind.FIGURE_10K, "累计持卡人数（万人）/其他", unit="万人", summed=True,
                  note="other_groups_note", note_label="其他人群类别", quote=_TWO_DECIMALS),
            Field("terminals", Kind.COUNT, "可受理社保卡读写终端累计数量", unit="台", summed=True, blank=ERROR,
                  never_falls=WARNING, quote=_CUMULATIVE),
            Field("service_items", Kind.OPTIONS, "服务情况/服务事项", options=ServiceItem,
                  note="service_items_other", note_label="服务事项·其他",
                  quote="服务事项：指已开展的社会保障卡服务事项，按照“①申领（补换卡） ②信息变更 ③挂失（解挂）④注销 "
                        "⑤省内转移 ⑥跨省转移 ⑦咨询 ⑧解锁 ⑨其他_____”填写。"),
            Field("service_channels", Kind.OPTIONS, "服务情况/服务渠道", options=ServiceChannel,
                  note="service_channels_other", note_label="服务渠道·其他",
                  quote="服务渠道：指已开通的社会保障卡服务渠道，按照“①社保卡服务中心 ②社保经办大厅 ③就业服务大厅 "
                        "④街道乡镇基层服务网点 ⑤银行网点 ⑥12333 ⑦网上服务 ⑧手机服务 ⑨自助终端服务 ⑩其他_____”填写。"),
            Field("progress_note", Kind.TEXT, "工作进展", blank=WARNING, hint="如对比上季度无新进展，可填写“无”",
                  quote="工作进展：指社会保障卡工作相关的会议培训、相关文件下发、资金落实、系统建设等情况介绍，"
                        "如对比上季度无新进展，可填写“无”。"),
        ),
        "全省", ("region_code",), "行政区划代码", "quarterly",
    ),
    "q2": Layout(
        "q2", "quarterly_application", "社会保障卡工作情况季调度表（二）", ("填报单位：_____", "_____年 第____季度"),
        (
            *REGION_COLUMNS,
            Field("catalog_open_rate_pct", Kind.PERCENT, "应用目录开通率 (%)", unit="%", blank=ERROR,
                  quote="应用目录开通率：指按照人社部发〔2014〕52号文中的社保卡应用目录，本地社保卡已开通应用项目数/102*100%。"),
            Field("payment_coverage_pct", Kind.PERCENT, "持卡缴费人群覆盖率 (%)", unit="%",
                  quote="持卡缴费人群覆盖率：指利用社保卡实现102项目录中任意一项缴费应用所覆盖的人数/累计持卡人数*100%。"),
            Field("benefit_coverage_pct", Kind.PERCENT, "持卡领取待遇人群覆盖率 (%)", unit="%",
                  quote="持卡领取待遇人群覆盖率：指利用社保卡实现102项目录中任意一项领取待遇应用所覆盖的人数/累计持卡人数*100%。"),
            Field("local_items", Kind.OPTIONS, "本地应用情况/业务领域", label="本地应用情况·业务领域（应用目录序号）",
                  options=CATALOG_SIZE, carries_over=True,
                  quote="业务领域：指社会保障卡已开通应用的业务领域，按照人社部发〔2014〕52号文中的应用目录序号进行填写"),
            Field("cross_region_scope", Kind.OPTIONS, "跨地区应用情况/使用地域", options=CrossRegionScope,
                  note="cross_region_scope_other", note_label="使用地域·其他",
                  quote="使用地域：指社会保障卡跨地区使用的地域范围，如果只在本市使用，则不用填写。按照“①省内跨地市 ②跨省 ③其他_____”填写。"),
            Field("cross_region_items", Kind.OPTIONS, "跨地区应用情况/业务领域",
                  label="跨地区应用情况·业务领域（应用目录序号）", options=CATALOG_SIZE,
                  quote="按照人社部发〔2014〕52号文中的应用目录序号进行填写"),
        ),
        "全省", ("region_code",), "行政区划代码", "quarterly",
    ),
    "q3": Layout(
        "q3", "quarterly_cardholder_db", "社会保障卡工作情况季调度表（三）", ("填报单位：_____", "_____年 第__季度"),
        (
            Field("region_code", Kind.CODE, "行政区划代码", stored=False),
            Field("region_name", Kind.NAME, "地区", stored=False),
            Field("stage", Kind.OPTION, "省级持卡库建设总体进度", options=CardholderDbStage, blank=ERROR,
                  note="stage_other", note_label="建设进度·其他",
                  quote="省级持卡库建设总体进度：指持卡库建设工作进展阶段，按照“①尚未启动 ②制定建设实施方案 "
                        "③省持卡库系统部署，并与部级持卡库系统联调 ④数据准备及初始化 ⑤卡管系统接入 ⑥业务系统接入 "
                        "⑦系统试运行 ⑧系统正式上线运行 ⑨其他_____”填写。"),
            Field("data_preparation", Kind.TEXT, "数据准备及初始化情况", blank=WARNING,
                  hint="应说明数据源、覆盖人群和地域、数据量、质量检查、入库进展等",
                  quote="数据准备及初始化情况：指拟接入持卡库的基础数据准备及初始化工作进展情况，应说明数据源对应的系统、"
                        "数据覆盖人群和地域范围、数据量、数据质量检查、数据初始化入库进展、错误数据排查情况等内容。"),
            Field("system_integration", Kind.TEXT, "业务系统接入情况", blank=WARNING,
                  hint="应说明本季度系统功能调整、接口改造、对接测试等",
                  quote="业务系统接入情况：指拟接入持卡库的业务系统（包括省集中的业务系统、地市业务系统）接入持卡库的进展情况"),
            Field("next_quarter_plan", Kind.TEXT, "下一季度工作安排", blank=WARNING,
                  quote="下一季度工作安排：指下一季度省级持卡库建设的具体内容和时间计划等。"),
        ),
        None, (), "行政区划代码", "quarterly",
    ),
    "q4": Layout(
        "q4", "quarterly_bank", "社会保障卡工作情况季调度表（四）", ("填报单位：_____", "_____年 第____季度"),
        (
            Field("seq", Kind.SEQ, "序号"),
            Field("bank_name", Kind.NAME, "银行名称", blank=ERROR, hint="应填商业银行全称",
                  quote="银行名称：指本省范围内与人力资源社会保障部门联合发行具有金融功能的社会保障卡的商业银行全称。"),
            Field("fin_holders_10k", Kind.FIGURE_10K, "具有金融功能的社会保障卡发行情况/累计持卡人数 (万人)",
                  label="具有金融功能的社会保障卡·累计持卡人数", unit="万人", summed=True, blank=ERROR,
                  never_falls=ERROR, quote="具有金融功能的社会保障卡累计持卡人数：……数字统一保留两位小数。"),
            Field("fin_activated_10k", Kind.FIGURE_10K,
                  "具有金融功能的社会保障卡发行情况/已激活金融功能的社会保障卡持卡人数 (万人)",
                  label="已激活金融功能的社会保障卡持卡人数", unit="万人", summed=True,
                  quote="已激活金融功能的社会保障卡持卡人数：指已激活金融功能的社会保障卡持卡人数，数字统一保留两位小数。"),
            Field("partner_city_count", Kind.COUNT, "具有金融功能的社会保障卡发行情况/合作地市数量",
                  label="合作地市数量", unit="个"),
            Field("partner_cities", Kind.NAMES, "具有金融功能的社会保障卡发行情况/合作地市名称", label="合作地市名称",
                  quote="具有金融功能的社会保障卡合作地市：指与该银行在本省范围内联合发行具有金融功能的社会保障卡的所有地市（含省本级）。"),
            Field("other_fin_holders_10k", Kind.FIGURE_10K, "其他方式加载金融功能的社会保障卡持卡人数 (万人)", unit="万人",
                  summed=True, quote="其他方式加载金融功能社会保障卡持卡人数：……数字统一保留两位小数。"),
            Field("note", Kind.TEXT, "备注"),
        ),
        "合计", ("bank_name",), "银行名称", "quarterly",
    ),
}
FORMS = tuple(LAYOUTS)
