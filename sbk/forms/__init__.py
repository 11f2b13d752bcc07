"""The five dispatch forms of the 2015 notice: layouts of field specs, option lists and rules.

Specification: 《关于调整社会保障卡工作情况调度制度的通知》 (2015-02-11), attachment 1
(社会保障卡发行情况月调度表) and attachment 2 (社会保障卡工作情况季调度表（一）–（四）),
and their 填写说明.

- ``spec``: what a column is (``Field``) and what a form is (``Layout``);
- ``layouts``: the five forms, one ``Field`` per column;
- ``options``: the option lists (服务事项, 服务渠道, 使用地域, 持卡库建设进度);
- ``rules``: every rule with its stable code, derived from the specs or written
  out where it is specific to one form, and the tidy tables' pandera schemas.
"""

from typing import Any

from sbk.forms.layouts import FORMS, LAYOUTS
from sbk.forms.options import CATALOG_SIZE, CardholderDbStage, CrossRegionScope, ServiceChannel, ServiceItem
from sbk.forms.spec import PROVENANCE, Field, Kind, Layout

_FROM_RULES = {"TABLES", "Table", "column_labels", "fmt", "table_columns"}


def __getattr__(name: str) -> Any:
    # The rules build pandera schemas (pandas, pandera: most of a second to import). The reader's worker processes
    # need only the layouts, so the rules are imported when first asked for (issue 18).
    if name in _FROM_RULES:
        from sbk.forms import rules

        return getattr(rules, name)
    raise AttributeError(f"module 'sbk.forms' has no attribute {name!r}")

__all__ = [
    "CATALOG_SIZE",
    "FORMS",
    "LAYOUTS",
    "PROVENANCE",
    "TABLES",
    "CardholderDbStage",
    "CrossRegionScope",
    "Field",
    "Kind",
    "Layout",
    "ServiceChannel",
    "ServiceItem",
    "Table",
    "column_labels",
    "fmt",
    "table_columns",
]
