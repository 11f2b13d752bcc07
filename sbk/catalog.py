"""The policy catalog, the 102-item application catalog and the bank names.

Maintainers edit the YAML files in ``policy_catalog/`` by hand; this module
loads them, checks them (``check``), and serves them to the analyses as
DataFrames. Findings point at ``file:line`` so a maintainer can go straight to
the record.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from sbk.findings import ERROR, WARNING, Finding, Severity, rule
from sbk.resources import resource_dir

if TYPE_CHECKING:
    import pandas as pd  # imported where a table is built: the reader's workers match bank names without pandas

__all__ = [
    "CATALOG_DIR",
    "LEVELS",
    "BankMatch",
    "CatalogError",
    "DocNo",
    "DocNoError",
    "applications",
    "banks",
    "check",
    "domains",
    "find",
    "in_force_on",
    "latest",
    "links",
    "load",
    "match_bank",
    "milestones",
    "normalise_bank",
    "normalise_doc_no",
    "parse_doc_no",
    "policies",
    "reverse_links",
    "show",
    "targets",
]

CATALOG_DIR = resource_dir("policy_catalog")
TARGETS_CSV = resource_dir("published") / "targets.csv"

CATEGORIES = ("管理类", "规范类", "应用类", "基础类", "国务院文件", "中央文件", "规划", "法律", "其他部委文件", "省级文件",
              "市县文件")
STATUSES = ("in_force", "superseded", "abolished", "unknown", "draft")
# 效力级别, as the legal databases (北大法宝, 国家法律法规数据库) classify a document.
LEVELS = {
    "law": "法律",
    "administrative_regulation": "行政法规",
    "departmental_rule": "部门规章",
    "local_regulation": "地方性法规",
    "local_government_rule": "地方政府规章",
    "normative_document": "规范性文件",
    "party_regulation": "党内法规制度",
    "agreement": "协议",
}
RELIABILITY = ("primary", "seed", "reprint", "secondary")
FIELDS_REQUIRED = ("id", "doc_no", "title", "issuers", "issued_on", "category", "status", "sources")
FIELDS_OPTIONAL = ("topics", "status_since", "supersedes", "abolishes", "cites", "conflicts", "notes", "targets",
                   "level", "effective_on", "published_on", "promulgation_no", "aliases")
DATE_FIELDS = ("issued_on", "published_on", "effective_on", "status_since")
SOURCE_KEYS = ("source", "wording", "reliability", "note")
LINK_FIELDS = ("supersedes", "abolishes", "cites")
# Links are stored in one direction only; the reverse is derived (``reverse_links``).
REVERSE = {"supersedes": "superseded_by", "abolishes": "abolished_by", "cites": "cited_by"}
# An id for a document without a 文号: lowercase ASCII words joined by hyphens (see policy_catalog/README.md).
SLUG = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")


class DocNoError(ValueError):
    """Text that is not a 文号."""


class CatalogError(ValueError):
    """The catalog cannot be loaded (a YAML syntax error, a missing file)."""


# ---------------------------------------------------------------------------
# 文号


@dataclass(frozen=True)
class DocNo:
    agency: str  # issuing-agency code, e.g. 人社部发
    year: int
    number: int

    @property
    def canonical(self) -> str:
        return f"{self.agency}〔{self.year}〕{self.number}号"

    def __str__(self) -> str:
        return self.canonical


_OPEN = "〔[［(（【"
_CLOSE = "〕]］)）】"
_DOC_NO = re.compile(
    rf"^(?P<agency>[^\d{re.escape(_OPEN + _CLOSE)}]+?)[{re.escape(_OPEN)}](?P<year>\d{{4}})[{re.escape(_CLOSE)}]"
    r"第?(?P<number>\d+)号?$"
)


def parse_doc_no(text: str) -> DocNo:
    """Parse a 文号 written with any bracket (〔〕 [] ［］ () （） 【】), full- or
    half-width digits and stray spaces: '人社部发［２０１４］ 52 号' → 人社部发〔2014〕52号."""
    s = unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"\s+", "", s)
    m = _DOC_NO.match(s)
    if not m:
        raise DocNoError(f"“{text}” 不是可识别的文号（应如 人社部发〔2014〕52号）")
    return DocNo(m.group("agency"), int(m.group("year")), int(m.group("number")))


def normalise_doc_no(text: str) -> str:
    """The canonical form of a 文号: agency〔year〕number号."""
    return parse_doc_no(text).canonical


def _key(ref: str) -> str:
    """A reference as written in a link: a 文号 in any variant, or a slug id."""
    try:
        return normalise_doc_no(ref)
    except DocNoError:
        return str(ref).strip()


# ---------------------------------------------------------------------------
# Loading, with line numbers


_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when built: ~5x faster


class _LineLoader(_BaseLoader):  # a base chosen at import time
    """A safe loader that records the line of every mapping (``__line__``) and of its keys."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__lines__"] = {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise CatalogError(f"{path}:{line}: error YAML: {getattr(exc, 'problem', exc)}") from None


@dataclass
class Catalog:
    root: Path
    documents: list[dict]
    applications: dict
    banks: list[dict]

    def rel(self, path: str | Path) -> str:
        try:
            return str(Path(path).resolve().relative_to(Path.cwd()))
        except ValueError:
            return str(path)


def _bank_lookup(banks: list[dict]) -> dict[str, tuple[str, bool]]:
    """Every listed bank name and short name → (canonical name, is the full name)."""
    out: dict[str, tuple[str, bool]] = {}
    for b in banks:
        name = str(b.get("name") or "")
        for short in b.get("short_names") or []:
            out.setdefault(_bank_text(short), (name, False))
        out[_bank_text(name)] = (name, True)
    return out


def load(root: str | Path | None = None) -> Catalog:
    """Load the catalog folder: ``documents/*.yaml``, ``applications.yaml``, ``banks.yaml``."""
    root = Path(root) if root else CATALOG_DIR
    if not root.is_dir():
        raise CatalogError(f"{root}: the catalog folder does not exist")
    docs: list[dict] = []
    for path in sorted((root / "documents").glob("*.yaml")):
        data = _load_yaml(path) or []
        if not isinstance(data, list):
            raise CatalogError(f"{path}:1: error 结构: a documents file is a YAML list of records")
        for rec in data:
            if isinstance(rec, dict):
                rec["__file__"] = str(path)
                docs.append(rec)
    apps = _load_yaml(root / "applications.yaml") if (root / "applications.yaml").exists() else {}
    bank_list = _load_yaml(root / "banks.yaml") if (root / "banks.yaml").exists() else []
    return Catalog(root, docs, apps or {}, bank_list or [])


@lru_cache(maxsize=4)
def _cached(root: str, fingerprint: tuple) -> Catalog:
    return load(root)


def _catalog(root: str | Path | None) -> Catalog:
    """The loaded catalog, reloaded when any of its files changes (long-lived workers see a maintainer's edit)."""
    folder = Path(root) if root else CATALOG_DIR
    files = sorted(folder.rglob("*.yaml")) if folder.is_dir() else []
    fingerprint = tuple((str(p), st.st_mtime_ns, st.st_size) for p, st in ((p, p.stat()) for p in files))
    return _cached(str(folder), fingerprint)


# ---------------------------------------------------------------------------
# Dates: a full date, or a year where only that is known


def _as_date(value: Any, end: bool = False) -> dt.date | None:
    """A date from 'YYYY-MM-DD', a date, 'YYYY-MM' or a bare year (the first day of the month or year,
    or its last with ``end``)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int) or (isinstance(value, str) and re.fullmatch(r"\d{4}", value)):
        y = int(value)
        return dt.date(y, 12, 31) if end else dt.date(y, 1, 1)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value):
        y, m = int(value[:4]), int(value[5:])
        first = dt.date(y, m, 1)
        return (dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)) if end else first
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    raise ValueError(f"{value!r} is not a date or a year")


def _precision(value: Any) -> str | None:
    """How much of a date the sources give: 'day', 'month', 'year', or None."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return "day"
    text = str(value)
    if re.fullmatch(r"\d{4}", text):
        return "year"
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return "month"
    return "day"


def _date_text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


# Rules of the catalog check, keyed by their label (the label is what the checks below name).
_RULES = {
    ("目录", ERROR): rule("catalog.folder", "目录", ERROR, "policy_catalog/documents"),
    ("缺少字段", ERROR): rule("catalog.field_missing", "缺少字段", ERROR, "policy_catalog/documents"),
    ("未知字段", WARNING): rule("catalog.field_unknown", "未知字段", WARNING, "policy_catalog/documents"),
    ("id 重复", ERROR): rule("catalog.id_duplicate", "id 重复", ERROR, "policy_catalog/documents"),
    ("id 与文号不符", ERROR): rule("catalog.id_not_doc_no", "id 与文号不符", ERROR, "policy_catalog/documents"),
    ("文号", ERROR): rule("catalog.doc_no", "文号", ERROR, "policy_catalog/documents"),
    ("类别", ERROR): rule("catalog.category", "类别", ERROR, "policy_catalog/documents"),
    ("状态", ERROR): rule("catalog.status", "状态", ERROR, "policy_catalog/documents"),
    ("发文机关", ERROR): rule("catalog.issuers", "发文机关", ERROR, "policy_catalog/documents"),
    ("来源", ERROR): rule("catalog.sources", "来源", ERROR, "policy_catalog/documents"),
    ("日期", ERROR): rule("catalog.date", "日期", ERROR, "policy_catalog/documents"),
    ("链接无法解析", ERROR): rule("catalog.link_unresolved", "链接无法解析", ERROR, "policy_catalog/documents"),
    ("日期不合理", ERROR): rule("catalog.link_date_order", "日期不合理", ERROR, "policy_catalog/documents"),
    ("冲突记录", ERROR): rule("catalog.conflict_note", "冲突记录", ERROR, "policy_catalog/documents"),
    ("冲突未双向标注", WARNING): rule("catalog.conflict_one_way", "冲突未双向标注", WARNING, "policy_catalog/documents"),
    ("替代关系成环", ERROR): rule("catalog.supersedes_cycle", "替代关系成环", ERROR, "policy_catalog/documents"),
    ("YAML", ERROR): rule("catalog.yaml", "YAML", ERROR, "policy_catalog/documents"),
    ("结构", ERROR): rule("catalog.structure", "结构", ERROR, "policy_catalog/documents"),
    ("应用目录", ERROR): rule("applications.missing", "应用目录", ERROR, "policy_catalog/applications.yaml"),
    ("业务领域项数之和", ERROR): rule("applications.domain_counts", "业务领域项数之和", ERROR, "policy_catalog/applications.yaml"),
    ("编号假设", ERROR): rule("applications.numbering", "编号假设", ERROR, "policy_catalog/applications.yaml"),
    ("功能", ERROR): rule("applications.functions", "功能", ERROR, "policy_catalog/applications.yaml"),
    ("应用目录序号", ERROR): rule("applications.item_number", "应用目录序号", ERROR, "policy_catalog/applications.yaml"),
    ("业务领域", ERROR): rule("applications.domain", "业务领域", ERROR, "policy_catalog/applications.yaml"),
    ("名称状态", ERROR): rule("applications.name_status", "名称状态", ERROR, "policy_catalog/applications.yaml"),
    ("银行简称重复", ERROR): rule("banks.short_name_duplicate", "银行简称重复", ERROR, "policy_catalog/banks.yaml"),
    ("银行记录", ERROR): rule("banks.name_missing", "银行记录", ERROR, "policy_catalog/banks.yaml"),
    ("银行类型", ERROR): rule("banks.type", "银行类型", ERROR, "policy_catalog/banks.yaml"),
    ("银行来源", ERROR): rule("banks.sources", "银行来源", ERROR, "policy_catalog/banks.yaml"),
    ("银行未知字段", WARNING): rule("banks.field_unknown", "银行未知字段", WARNING, "policy_catalog/banks.yaml"),
    ("银行名称遮蔽", ERROR): rule("banks.shadows_place_rule", "银行名称遮蔽", ERROR, "policy_catalog/banks.yaml"),
    ("银行名称解析", ERROR): rule("banks.name_not_read_back", "银行名称解析", ERROR, "policy_catalog/banks.yaml"),
    ("名称状态", WARNING): rule("applications.name_status_stale", "名称状态", WARNING, "policy_catalog/applications.yaml"),
    ("效力级别", ERROR): rule("catalog.level", "效力级别", ERROR, "policy_catalog/documents"),
    ("id 格式", ERROR): rule("catalog.id_format", "id 格式", ERROR, "policy_catalog/documents"),
    ("反向链接", ERROR): rule("catalog.reverse_link_stored", "反向链接", ERROR, "policy_catalog/documents"),
    ("链接矛盾", ERROR): rule("catalog.link_contradiction", "链接矛盾", ERROR, "policy_catalog/documents"),
    ("状态无链接", WARNING): rule("catalog.status_without_link", "状态无链接", WARNING, "policy_catalog/documents"),
    ("链接重复", WARNING): rule("catalog.link_repeated", "链接重复", WARNING, "policy_catalog/documents"),
}


def _finding(path: str, severity: Severity, label: str, message: str, line: int = 0) -> Finding:
    return _RULES[(label, severity)].finding(path, "", "", message, line)


# ---------------------------------------------------------------------------
# Checking


def check(root: str | Path | None = None) -> list[Finding]:
    """Every rule of the catalog, lazily: schema, unique ids, links, cycles, dates, 102 items."""
    try:
        cat = load(root)
    except CatalogError as exc:
        text = str(exc)
        m = re.match(r"^(.*?):(\d+): error (\S+): (.*)$", text)
        if m:
            return [_finding(m.group(1), ERROR, m.group(3), m.group(4), int(m.group(2)))]
        return [_finding(str(root or CATALOG_DIR), ERROR, "目录", text)]
    out: list[Finding] = []

    def add(rec: dict, field: str | None, severity: Severity, rule: str, message: str, path: str | None = None) -> None:
        line = rec.get("__lines__", {}).get(field, rec.get("__line__", 0)) if field else rec.get("__line__", 0)
        out.append(_finding(cat.rel(path or rec.get("__file__", "")), severity, rule, message, line))

    by_id: dict[str, dict] = {}
    for rec in cat.documents:
        rid = str(rec.get("id") or "")
        for field in FIELDS_REQUIRED:
            if field not in rec:
                add(rec, None, ERROR, "缺少字段", f"记录 {rid or '?'} 缺少字段 {field}")
        for field in rec:
            if field.startswith("__"):
                continue
            if field in REVERSE.values():
                forward = next(k for k, v in REVERSE.items() if v == field)
                add(rec, field, ERROR, "反向链接",
                    f"{rid}.{field} 由其他记录的 {forward} 推导，不存储：请在对方记录的 {forward} 中写 {rid}")
            elif field not in FIELDS_REQUIRED + FIELDS_OPTIONAL:
                add(rec, field, WARNING, "未知字段", f"记录 {rid} 的字段 {field} 不在目录结构中（拼写？）")
        if rid in by_id:
            first = by_id[rid]
            add(rec, "id", ERROR, "id 重复", f"{rid} 已在 {cat.rel(first['__file__'])}:{first['__line__']} 定义")
        elif rid:
            by_id[rid] = rec
        doc_no = rec.get("doc_no")
        if doc_no:
            try:
                canonical = normalise_doc_no(doc_no)
                if canonical != rid:
                    add(rec, "id", ERROR, "id 与文号不符", f"id “{rid}” 应为规范文号 {canonical}")
            except DocNoError as exc:
                add(rec, "doc_no", ERROR, "文号", str(exc))
        elif rid and not SLUG.match(rid):
            add(rec, "id", ERROR, "id 格式",
                f"无文号的记录 id “{rid}” 应为小写 ASCII 词以连字符相连（如 sh-yrd-yikatong-2022），见 policy_catalog/README.md")
        if rec.get("category") not in CATEGORIES:
            add(rec, "category", ERROR, "类别", f"{rid}: 类别 “{rec.get('category')}” 不在 {'、'.join(CATEGORIES)} 中")
        if rec.get("status") not in STATUSES:
            add(rec, "status", ERROR, "状态", f"{rid}: 状态 “{rec.get('status')}” 应为 {' / '.join(STATUSES)}")
        if "level" in rec and rec.get("level") not in LEVELS:
            add(rec, "level", ERROR, "效力级别", f"{rid}: 效力级别 “{rec.get('level')}” 应为 {' / '.join(LEVELS)}")
        elif "level" not in rec:
            try:
                recent = (_best_date(rec)[0] or dt.date.min).year >= 2019
            except (ValueError, TypeError):
                recent = False
            if recent:
                add(rec, None, ERROR, "效力级别", f"{rid}: 2019 年以后的文件须写明 level（{' / '.join(LEVELS)}）")
        issuers = rec.get("issuers")
        if not isinstance(issuers, list) or not issuers:
            add(rec, "issuers", ERROR, "发文机关", f"{rid}: issuers 应为非空列表")
        sources = rec.get("sources")
        if not isinstance(sources, list) or not sources or not all(
            isinstance(s, dict) and s.get("source") and s.get("wording") for s in sources
        ):
            add(rec, "sources", ERROR, "来源", f"{rid}: 每条记录至少一个来源，写明 source 和原文 wording")
        for src in sources if isinstance(sources, list) else []:
            if not isinstance(src, dict):
                continue
            unknown = [k for k in src if not str(k).startswith("__") and k not in SOURCE_KEYS]
            if unknown:
                add(src, None, WARNING, "未知字段", f"{rid} 的来源字段 {'、'.join(map(str, unknown))} 不在 {'、'.join(SOURCE_KEYS)} 中", rec.get("__file__"))
            if "reliability" in src and src["reliability"] not in RELIABILITY:
                add(src, None, ERROR, "来源", f"{rid}: reliability “{src['reliability']}” 应为 {' / '.join(RELIABILITY)}", rec.get("__file__"))
        for field in DATE_FIELDS:
            try:
                d = _as_date(rec.get(field))
            except (ValueError, TypeError):
                add(rec, field, ERROR, "日期", f"{rid}: {field} “{rec.get(field)}” 应为 YYYY-MM-DD、YYYY-MM 或年份")
                continue
            if d and not dt.date(1949, 10, 1) <= d <= dt.date.today():
                add(rec, field, ERROR, "日期", f"{rid}: {field} {d} 不在 1949-10-01 至今之间")
        if rec.get("status") in ("superseded", "abolished") and not rec.get("status_since"):
            add(rec, "status", ERROR, "状态", f"{rid}: 状态为 {rec['status']}，须写明 status_since")
        for field in ("status_since", "effective_on", "published_on"):
            try:
                issued, later = _as_date(rec.get("issued_on")), _as_date(rec.get(field), end=True)
                if issued and later and later < issued:
                    add(rec, field, ERROR, "日期", f"{rid}: {field} {rec[field]} 早于发文日期 {rec['issued_on']}")
            except (ValueError, TypeError):
                pass
        for alias in rec.get("aliases") or []:
            if _key(alias) in by_id and by_id[_key(alias)] is not rec:
                add(rec, "aliases", ERROR, "id 重复", f"{rid} 的别名 {alias} 与另一记录的 id 或别名相同")
            else:
                by_id[_key(alias)] = rec

    # Links resolve; a document cannot supersede, abolish or cite a later one; statuses agree; no contradictory pairs.
    graph: dict[str, list[str]] = {}
    targets_of: dict[tuple[str, str], set[str]] = {}
    for rec in cat.documents:
        rid = str(rec.get("id") or "")
        for field in LINK_FIELDS:
            seen: set[str] = set()
            for ref in rec.get(field) or []:
                target = by_id.get(_key(ref))
                if target is None:
                    add(rec, field, ERROR, "链接无法解析", f"{rid}.{field} → “{ref}” 不在目录中")
                    continue
                tid = str(target["id"])
                if tid in seen:
                    add(rec, field, WARNING, "链接重复", f"{rid}.{field} 重复列出 {tid}")
                    continue
                seen.add(tid)
                if target is rec:
                    add(rec, field, ERROR, "链接矛盾", f"{rid}.{field} 指向自身")
                    continue
                targets_of.setdefault((rid, field), set()).add(tid)
                try:
                    mine, theirs = _as_date(rec.get("issued_on"), end=True), _as_date(target.get("issued_on"))
                except (ValueError, TypeError):
                    mine = theirs = None
                verb = {"abolishes": "废止", "supersedes": "替代", "cites": "引用"}[field]
                if mine and theirs and theirs > mine:
                    add(rec, field, ERROR, "日期不合理", f"{rid}（{_date_text(rec.get('issued_on'))}）不能{verb}更晚的 {tid}（{_date_text(target.get('issued_on'))}）")
                if field == "cites":
                    continue
                graph.setdefault(rid, []).append(tid)
                wanted = "abolished" if field == "abolishes" else "superseded"
                if target.get("status") != wanted:
                    add(target, "status", ERROR, "状态", f"{tid} 被 {rid} {field}，状态应为 {wanted}，实为 {target.get('status')}")
        both = targets_of.get((rid, "supersedes"), set()) & targets_of.get((rid, "abolishes"), set())
        for tid in sorted(both):
            add(rec, "abolishes", ERROR, "链接矛盾", f"{rid} 对 {tid} 既写 supersedes 又写 abolishes：一件文件或被替代，或被废止")
        for conflict in rec.get("conflicts") or []:
            if not isinstance(conflict, dict) or not conflict.get("note"):
                add(rec, "conflicts", ERROR, "冲突记录", f"{rid}: 每条冲突须写明 note")
                continue
            other = conflict.get("with")
            if other:
                target = by_id.get(_key(other))
                if target is None:
                    add(rec, "conflicts", ERROR, "链接无法解析", f"{rid}.conflicts → “{other}” 不在目录中")
                elif not any(_key(c.get("with", "")) == rid for c in target.get("conflicts") or [] if isinstance(c, dict)):
                    add(target, "conflicts", WARNING, "冲突未双向标注", f"{target['id']} 未标注与 {rid} 的冲突")
    # A document citing the one that replaced it is a contradictory pair.
    for (rid, field), tids in targets_of.items():
        if field != "cites":
            continue
        for tid in tids:
            for kind in ("supersedes", "abolishes"):
                if rid in targets_of.get((tid, kind), set()):
                    add(by_id[rid], "cites", ERROR, "链接矛盾", f"{rid} 引用了{'替代' if kind == 'supersedes' else '废止'}它的 {tid}")
    # A status of superseded/abolished that no record explains: the replacing document is not in the catalog.
    replaced = {t for (r, f), ts in targets_of.items() if f in ("supersedes", "abolishes") for t in ts}
    for rec in cat.documents:
        if rec.get("status") in ("superseded", "abolished") and rec.get("id") not in replaced:
            add(rec, "status", WARNING, "状态无链接", f"{rec.get('id')} 状态为 {rec['status']}，但目录中没有记录 {'supersedes' if rec['status'] == 'superseded' else 'abolishes'} 它")

    # No supersession cycles.
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
                add(by_id[node], "supersedes", ERROR, "替代关系成环", " → ".join(cycle))
            elif not state.get(nxt):
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if not state.get(node):
            visit(node, [node])

    out.extend(_check_applications(cat))
    out.extend(_check_banks(cat))
    return sorted(set(out), key=lambda f: (f.path, f.line, f.rule, f.message))


def _check_applications(cat: Catalog) -> list[Finding]:
    path = cat.rel(cat.root / "applications.yaml")
    apps = cat.applications
    out: list[Finding] = []
    if not apps:
        return [_finding(path, ERROR, "应用目录", "applications.yaml 缺失或为空")]
    meta = apps.get("metadata", {})
    total = meta.get("total_items", 102)
    functions = set(meta.get("functions") or [])
    domain_list = apps.get("domains") or []
    counted = sum(int(d.get("count", 0)) for d in domain_list)
    if counted != total:
        out.append(_finding(path, ERROR, "业务领域项数之和", f"各业务领域项数之和为 {counted}，应为 {total}",
                           apps.get("__lines__", {}).get("domains", 0)))
    ranges: dict[str, range] = {}
    expected_first = 1
    for d in domain_list:
        first = int(d.get("first_item", 0))
        if first != expected_first:
            out.append(_finding(path, ERROR, "编号假设", f"{d.get('name')} 的 first_item 为 {first}，按顺序编号应为 {expected_first}",
                               d.get("__lines__", {}).get("first_item", d.get("__line__", 0))))
        ranges[str(d.get("name"))] = range(first, first + int(d.get("count", 0)))
        expected_first = first + int(d.get("count", 0))
        unknown = set(d.get("functions") or []) - functions
        if unknown:
            out.append(_finding(path, ERROR, "功能", f"{d.get('name')} 的功能 {'、'.join(sorted(unknown))} 不在 {'、'.join(sorted(functions))} 中",
                               d.get("__lines__", {}).get("functions", d.get("__line__", 0))))
    seen: set[int] = set()
    items = apps.get("items") or []
    for item in items:
        no, line = item.get("item"), item.get("__line__", 0)
        if not isinstance(no, int) or not 1 <= no <= total:
            out.append(_finding(path, ERROR, "应用目录序号", f"序号 {no!r} 不在 1–{total}", line))
            continue
        if no in seen:
            out.append(_finding(path, ERROR, "应用目录序号", f"序号 {no} 重复", line))
        seen.add(no)
        dom = str(item.get("domain"))
        if dom not in ranges:
            out.append(_finding(path, ERROR, "业务领域", f"序号 {no} 的业务领域 “{dom}” 未定义", line))
        elif no not in ranges[dom]:
            r = ranges[dom]
            out.append(_finding(path, ERROR, "业务领域", f"序号 {no} 标为 {dom}，但 {dom} 的编号为 {r.start}–{r.stop - 1}", line))
        status = item.get("name_status")
        if item.get("name") and status == "pending":
            out.append(_finding(path, WARNING, "名称状态", f"序号 {no} 已有名称，name_status 仍为 pending", line))
        if not item.get("name") and status != "pending":
            out.append(_finding(path, ERROR, "名称状态", f"序号 {no} 无名称，name_status 应为 pending（不得编造名称）", line))
    missing = sorted(set(range(1, total + 1)) - seen)
    if missing:
        out.append(_finding(path, ERROR, "应用目录序号", f"缺少序号 {', '.join(map(str, missing[:10]))}{' …' if len(missing) > 10 else ''}",
                           apps.get("__lines__", {}).get("items", 0)))
    return out


def _check_banks(cat: Catalog) -> list[Finding]:
    """banks.yaml: fields, sources, types, no name twice, and every listed name read back as its own bank.

    The read-back catches a short name shadowed by another entry or cut by the branch rule, and a
    listed name that the place rule would read as another bank (a short name 长沙银行 on a national bank
    would hide the city commercial bank of that name).
    """
    path = cat.rel(cat.root / "banks.yaml")
    if not isinstance(cat.banks, list):
        return [_finding(path, ERROR, "结构", "banks.yaml 应为银行记录的 YAML 列表")]
    out: list[Finding] = []
    seen: dict[str, str] = {}
    for bank in cat.banks:
        if not isinstance(bank, dict):
            out.append(_finding(path, ERROR, "结构", f"banks.yaml 的条目 “{bank}” 不是银行记录"))
            continue
        name = str(bank.get("name") or "")
        line = bank.get("__line__", 0)
        lines = bank.get("__lines__", {})
        for field in bank:
            if not str(field).startswith("__") and field not in BANK_FIELDS:
                out.append(_finding(path, WARNING, "银行未知字段", f"{name} 的字段 {field} 不在 {'、'.join(BANK_FIELDS)} 中（拼写？）",
                                    lines.get(field, line)))
        if not name:
            out.append(_finding(path, ERROR, "银行记录", "银行记录缺少 name", line))
            continue
        if bank.get("type") not in BANK_TYPES:
            out.append(_finding(path, ERROR, "银行类型", f"{name} 的 type “{bank.get('type')}” 应为 {' / '.join(BANK_TYPES)}",
                                lines.get("type", line)))
        sources = bank.get("sources")
        if not isinstance(sources, list) or not [x for x in sources if str(x).strip()]:
            out.append(_finding(path, ERROR, "银行来源", f"{name} 没有 sources：写明全称出处（种子文件或公开网页地址）",
                                lines.get("sources", line)))
        for written in [name] + list(bank.get("short_names") or []):
            if written in seen:
                out.append(_finding(path, ERROR, "银行简称重复", f"“{written}” 同时指向 {seen[written]} 和 {name}", line))
            seen[str(written)] = name
    if out:
        return out
    for bank in cat.banks:
        name = str(bank["name"])
        for written in [name] + list(bank.get("short_names") or []):
            by_rule = _by_rule(_bank_core(_bank_text(written)))
            if by_rule is not None and by_rule.name != name:
                out.append(_finding(path, ERROR, "银行名称遮蔽", f"“{written}” 按地名规则应为 {by_rule.name}，目录却指向 {name}："
                                    "删去该简称，或改写规则", bank.get("__lines__", {}).get("short_names", bank.get("__line__", 0))))
                continue
            try:
                got = normalise_bank(written, cat.root)
            except KeyError:
                got = "（无法识别）"
            if got != name:
                out.append(_finding(path, ERROR, "银行名称解析", f"“{written}” 读作 {got}，不是 {name}（被其他条目或分支机构规则截去）",
                                    bank.get("__lines__", {}).get("short_names", bank.get("__line__", 0))))
    return out


def pending_names(root: str | Path | None = None) -> int:
    """How many of the 102 items still have no name."""
    return int(applications(root)["name"].isna().sum())


# ---------------------------------------------------------------------------
# Serving the catalog


def _clean(value: Any) -> Any:
    """A record without the loader's line bookkeeping, at every depth."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def policies(root: str | Path | None = None) -> pd.DataFrame:
    """One row per policy document, with the catalog's fields and the reverse links derived from the others."""
    import pandas as pd

    rows = []
    reverse = reverse_links(root)
    for rec in _catalog(root).documents:
        r = _clean(rec)
        rows.append({
            "id": r.get("id"),
            "doc_no": r.get("doc_no"),
            "title": r.get("title"),
            "issuers": list(r.get("issuers") or []),
            "issued_on": _date_text(r.get("issued_on")),
            "category": r.get("category"),
            "topics": list(r.get("topics") or []),
            "status": r.get("status"),
            "status_since": _date_text(r.get("status_since")),
            "published_on": _date_text(r.get("published_on")),
            "effective_on": _date_text(r.get("effective_on")),
            "level": r.get("level") or "",
            "supersedes": [_resolve(x, root) for x in r.get("supersedes") or []],
            "abolishes": [_resolve(x, root) for x in r.get("abolishes") or []],
            "cites": [_resolve(x, root) for x in r.get("cites") or []],
            "superseded_by": reverse.get(r.get("id"), {}).get("superseded_by", []),
            "abolished_by": reverse.get(r.get("id"), {}).get("abolished_by", []),
            "cited_by": reverse.get(r.get("id"), {}).get("cited_by", []),
            "has_conflict": bool(r.get("conflicts")),
            "notes": r.get("notes") or "",
        })
    return pd.DataFrame(rows).sort_values(["issued_on", "id"], kind="stable").reset_index(drop=True)


def conflicts(root: str | Path | None = None) -> pd.DataFrame:
    """Every conflict between sources the catalog records."""
    import pandas as pd

    rows = []
    for rec in _catalog(root).documents:
        for c in rec.get("conflicts") or []:
            rows.append({"id": rec["id"], "field": c.get("field"), "with": c.get("with") or "", "note": c.get("note")})
    return pd.DataFrame(rows, columns=["id", "field", "with", "note"])


def _index(root: str | Path | None) -> dict[str, dict]:
    """Records by id and by alias (first wins; ``check`` reports duplicates)."""
    out: dict[str, dict] = {}
    for rec in _catalog(root).documents:
        out.setdefault(str(rec.get("id")), rec)
    for rec in _catalog(root).documents:
        for alias in rec.get("aliases") or []:
            out.setdefault(_key(alias), rec)
    return out


def _resolve(ref: str, root: str | Path | None) -> str:
    """The id a link points at (a 文号 in any variant, a slug or an alias); the normalised text if unknown."""
    key = _key(ref)
    rec = _index(root).get(key)
    return str(rec["id"]) if rec is not None else key


def find(doc_no: str, root: str | Path | None = None) -> dict:
    """The record of a document by 文号 (any bracket variant), slug id or alias."""
    key = _key(doc_no)
    rec = _index(root).get(key)
    if rec is None:
        raise KeyError(f"目录中没有 {doc_no}（规范化为 {key}）")
    return _clean(rec)


def reverse_links(root: str | Path | None = None) -> dict[str, dict[str, list[str]]]:
    """For each document, the links other records make to it: cited_by, superseded_by, abolished_by.

    Only the forward direction (cites, supersedes, abolishes) is stored; this derives the other.
    """
    out: dict[str, dict[str, list[str]]] = {}
    index = _index(root)
    for rec in _catalog(root).documents:
        for field, back in REVERSE.items():
            for ref in rec.get(field) or []:
                target = index.get(_key(ref))
                if target is None:
                    continue
                lst = out.setdefault(str(target["id"]), {b: [] for b in REVERSE.values()})[back]
                if rec["id"] not in lst:
                    lst.append(str(rec["id"]))
    for d in out.values():
        for lst in d.values():
            lst.sort()
    return out


def links(doc_no: str, root: str | Path | None = None) -> dict[str, list[str]]:
    """Every link of one document, both directions: cites/cited_by, supersedes/superseded_by, abolishes/abolished_by."""
    rec = find(doc_no, root)
    back = reverse_links(root).get(str(rec["id"]), {})
    out: dict[str, list[str]] = {}
    for field, rev in REVERSE.items():
        out[field] = [_resolve(x, root) for x in rec.get(field) or []]
        out[rev] = list(back.get(rev, []))
    return out


def _target_document_matches(text: str, rec: dict) -> bool:
    """Whether a targets.csv ``document`` names this record: it starts with its 文号/id, or contains its title."""
    text = str(text or "").strip()
    if not text:
        return False
    first = text.split()[0]
    ids = {str(rec.get("id"))} | {_key(a) for a in rec.get("aliases") or []}
    if _key(first) in ids:
        return True
    title = re.sub(r"^中华人民共和国", "", str(rec.get("title") or ""))
    return len(title) >= 6 and title in text


def targets(doc_no: str, root: str | Path | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """The plan targets a document sets, from ``data/raw/published/targets.csv`` (its ``document`` column)."""
    import pandas as pd

    rec = find(doc_no, root)
    csv = Path(path) if path else TARGETS_CSV
    cols = ["target_year", "measure", "value", "unit", "scope", "document", "source_url", "quote", "note"]
    if not csv.exists():
        return pd.DataFrame(columns=cols)
    df = pd.read_csv(csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    hit = df[df["document"].map(lambda t: _target_document_matches(t, rec))]
    return hit[[c for c in cols if c in hit.columns]].sort_values(["target_year", "measure"], kind="stable").reset_index(drop=True)


def show(doc_no: str, root: str | Path | None = None, targets_path: str | Path | None = None) -> str:
    """One document as YAML: its record, then what is derived: links both ways and the targets it sets."""
    rec = find(doc_no, root)
    text = yaml.safe_dump(rec, allow_unicode=True, sort_keys=False, width=120).rstrip()
    tg = targets(doc_no, root, targets_path)
    rows = [{k: v for k, v in row.items() if v != ""} for row in tg.drop(columns=["document"], errors="ignore").to_dict("records")]
    link_text = yaml.safe_dump({"links": links(doc_no, root)}, allow_unicode=True, sort_keys=False, width=120,
                               default_flow_style=None).rstrip()
    target_text = yaml.safe_dump({"plan_targets": rows}, allow_unicode=True, sort_keys=False, width=120,
                                 default_flow_style=False).rstrip()
    return (f"{text}\n# 推导（不存储）· derived, not stored: links both ways (cited_by / superseded_by / abolished_by "
            f"from the other records) and the targets this document sets (data/raw/published/targets.csv)\n"
            f"{link_text}\n{target_text}")


def _best_date(rec: dict) -> tuple[dt.date | None, str | None, Any]:
    """The most precise date known for a document: issued_on, or published_on when that is more precise."""
    order = {"day": 3, "month": 2, "year": 1, None: 0}
    best: tuple[dt.date | None, str | None, Any] = (None, None, None)
    for field in ("issued_on", "published_on"):
        value = rec.get(field)
        prec = _precision(value)
        if order[prec] > order[best[1]]:
            best = (_as_date(value), prec, value)
    return best


def latest(root: str | Path | None = None, *, include_drafts: bool = True) -> dict:
    """The catalog's most recent document by its best known date: id, date (as the sources give it), title, status."""
    order = {"day": 3, "month": 2, "year": 1, None: 0}
    best: tuple | None = None
    for rec in _catalog(root).documents:
        if not include_drafts and rec.get("status") == "draft":
            continue
        day, prec, value = _best_date(rec)
        if day is None:
            continue
        key = (day, order[prec])
        if best is None or key > best[0]:
            best = (key, {"id": rec["id"], "date": _date_text(value), "title": rec.get("title"), "status": rec.get("status")})
    if best is None:
        raise KeyError("目录中没有带日期的文件")
    return best[1]


def in_force_on(date: str | dt.date, root: str | Path | None = None) -> pd.DataFrame:
    """Documents issued by ``date`` and not superseded or abolished by then.

    A document whose status is unknown is kept (nothing says it lapsed) and
    shows its status, so a reader can tell the two apart; a draft never is in
    force. A document counts from its effective date (实施日期) where the
    sources give one, else from its issue date; a year-only date counts from
    January 1 of that year (a month-only one from the first of the month).
    """

    day = _as_date(date) if not isinstance(date, dt.date) else date
    if day is None:
        raise ValueError(f"not a date: {date!r}")
    df = policies(root)

    def keep(row: pd.Series) -> bool:
        start = row["effective_on"] or row["issued_on"]  # 实施日期 where the sources give one
        issued = _as_date(start) if start else None
        if issued is None or issued > day:
            return False
        if row["status"] == "draft":
            return False
        if row["status"] in ("superseded", "abolished"):
            since = _as_date(row["status_since"])
            return since is not None and since > day  # the catalog check requires status_since for these
        return True

    return df[df.apply(keep, axis=1)].reset_index(drop=True)


def applications(root: str | Path | None = None) -> pd.DataFrame:
    """The 102 items: number, domain, name (None while pending), and the domain's functions."""
    import pandas as pd

    apps = _catalog(root).applications
    funcs = {d["name"]: list(d.get("functions") or []) for d in apps.get("domains", [])}
    rows = [
        {
            "item": item["item"],
            "domain": item["domain"],
            "name": item.get("name"),
            "name_status": item.get("name_status"),
            "functions": funcs.get(item["domain"], []),
        }
        for item in apps.get("items", [])
    ]
    return pd.DataFrame(rows).sort_values("item").reset_index(drop=True)


def domains(root: str | Path | None = None) -> pd.DataFrame:
    """The nine domains with their item counts, item ranges and the domain × function matrix."""
    import pandas as pd

    apps = _catalog(root).applications
    functions = list(apps["metadata"]["functions"])
    rows = []
    for d in apps.get("domains", []):
        row = {"domain": d["name"], "count": d["count"], "first_item": d["first_item"],
               "last_item": d["first_item"] + d["count"] - 1}
        row.update({f: f in (d.get("functions") or []) for f in functions})
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------
# Bank names (表四 银行名称)
#
# The form asks for the 商业银行全称; people write legal names (…股份有限公司),
# branches (…省分行, …支行), short names (工行) and place-prefixed names. The
# national banks are listed in banks.yaml; city and rural commercial banks are
# recognised by a rule (a real place followed by 银行 / 农村商业银行 …), and the
# rural credit cooperatives of a province form one group, 农村信用社 (why: see
# the header of banks.yaml).

BANK_TYPES = ("国有大型商业银行", "股份制商业银行", "农村信用社")
BANK_FIELDS = ("name", "type", "short_names", "sources", "notes")
# The legal form after a bank's name; the name without it is the canonical one.
_LEGAL_FORM = re.compile(r"(股份有限公司|有限责任公司|有限公司)$")
# A branch or office after the bank's name: everything after the last 行/社 up to the branch word.
_BRANCH = re.compile(r"[^行社]*?(总行|分行|支行|营业部|营业室|分理处|储蓄所|办事处|分社)$")
# City and rural commercial banks: <place><kind>. The canonical kind, and whether the kind as written is
# the full form (农商银行 is a short name of 农村商业银行). Longest kinds first.
_PLACE_KINDS = (
    ("农村商业银行", "农村商业银行", True),
    ("农村合作银行", "农村合作银行", True),
    ("农商银行", "农村商业银行", False),
    ("农商行", "农村商业银行", False),
    ("商业银行", "商业银行", True),
    ("银行", "银行", True),
)
# The rural credit cooperatives of a place (省联社, county 联社, 信用社): the 农村信用社 group. True: a full name.
_RURAL_CREDIT_KINDS = (
    ("农村信用社联合社", True), ("农村信用合作联社", True), ("信用合作联社", True), ("农村信用联社", True),
    ("农村信用合作社", True), ("农村信用社", True), ("农信联社", False), ("信用联社", False), ("农信社", False),
    ("信用社", False), ("农信", False),
)
RURAL_CREDIT_GROUP = "农村信用社"
MAX_BANK_NAME = 80  # characters, spaces included


@dataclass(frozen=True)
class BankMatch:
    """What a written bank name was recognised as.

    ``name`` is the canonical name; ``full`` says whether the bank was written
    by its full name (with or without its legal form or a branch), which is
    what the form asks for; ``how`` is 'catalog', 'pattern' or 'group'.
    """

    name: str
    full: bool
    how: str


def banks(root: str | Path | None = None) -> pd.DataFrame:
    """The listed banks: canonical name, type and the short names people write."""
    import pandas as pd

    return pd.DataFrame([
        {"name": b["name"], "type": b.get("type") or "", "short_names": list(b.get("short_names") or [])}
        for b in _catalog(root).banks
    ], columns=["name", "type", "short_names"])


_BRACKETS = r"()（）\[\]【】〔〕<>《》"


def _bank_text(name: Any) -> str:
    """A written bank name in one form: NFKC (full-width letters), no spaces, brackets dropped but not their text."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name)))
    return re.sub(rf"[{_BRACKETS}\"'“”‘’]", "", text)


def _bank_readings(name: Any) -> list[str]:
    """The ways to read a written name: without a bracketed note first (工商银行（工行）, 长沙银行（湘潭）),
    then with the note's text kept (中国银行（湖南省分行）)."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name)))
    bare = re.sub(r"[(（\[【〔<《][^)）\]】〕>》]*[)）\]】〕>》]", "", text)
    return list(dict.fromkeys(t for t in (_bank_text(bare), _bank_text(text)) if t))


def _bank_core(text: str) -> str:
    """The bank without its branch and legal form: 中国农业银行股份有限公司湖南省分行营业部 → 中国农业银行."""
    for _ in range(4):  # a 营业部 of a 分行 of a bank: a few levels at most
        stripped = _BRANCH.sub("", text)
        stripped = _LEGAL_FORM.sub("", stripped)
        if stripped == text or not stripped:
            break
        text = stripped
    return text


def _is_place(text: str, depth: int = 3) -> bool:
    """A real division name, or up to three run together (江苏太仓, 湖南省长沙市)."""
    from sbk.regions import place_names

    places = place_names()
    if text in places:
        return True
    if depth <= 1:
        return False
    return any(text[:i] in places and _is_place(text[i:], depth - 1) for i in range(2, len(text) - 1))


def _lookup(root: str | Path | None) -> dict[str, tuple[str, bool]]:
    """Every listed name and short name → (canonical name, is the full name), of the current ``banks.yaml``.

    Read from that file alone, reloaded when it changes: the reader asks for it in every process that reads a bank
    table (``sbk validate`` of one workbook), and the documents' files are most of the catalog's loading time."""
    folder = Path(root) if root else CATALOG_DIR
    if not folder.is_dir():
        raise CatalogError(f"{folder}: the catalog folder does not exist")
    path = folder / "banks.yaml"
    try:
        st = path.stat()
    except FileNotFoundError:
        return {}
    return _banks_file(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=4)
def _banks_file(path: str, mtime_ns: int, size: int) -> dict[str, tuple[str, bool]]:
    return _bank_lookup(_load_yaml(Path(path)) or [])


def _by_rule(core: str) -> BankMatch | None:
    """A bank the rules recognise without the list: rural credit cooperatives of a place, or <place>银行."""
    for kind, full in _RURAL_CREDIT_KINDS:
        if core.endswith(kind) and _is_place(core[: -len(kind)]):
            return BankMatch(RURAL_CREDIT_GROUP, full, "group")
    for kind, canonical_kind, full in _PLACE_KINDS:
        if core.endswith(kind) and _is_place(core[: -len(kind)]):
            return BankMatch(_own_place(core[: -len(kind)]) + canonical_kind, full, "pattern")
    return None


def _own_place(text: str, depth: int = 3) -> str:
    """The bank's own place from places run together: 湖南浏阳 → 浏阳, 江苏太仓 → 太仓, 湖南 → 湖南.

    Legal names often put the province first (湖南浏阳农村商业银行股份有限公司) while people write the
    bank's place alone (浏阳农商行): both must give one canonical name, so the last place is kept.
    """
    from sbk.regions import place_names

    places = place_names()
    if depth > 1:
        for i in range(2, len(text) - 1):
            if text[:i] in places and _is_place(text[i:], depth - 1):
                return _own_place(text[i:], depth - 1)
    return text


def match_bank(name: Any, root: str | Path | None = None) -> BankMatch:
    """Recognise a written bank name (see ``normalise_bank``); KeyError when it is none the catalog knows."""
    return _match_bank(name, _lookup(root))


def bank_matcher(root: str | Path | None = None) -> Callable[[Any], BankMatch]:
    """``match_bank`` with the catalog read once: for the rows of one table (the catalog's files are looked at
    once, not for every row)."""
    lookup = _lookup(root)
    return lambda name: _match_bank(name, lookup)


def _match_bank(name: Any, lookup: dict[str, tuple[str, bool]]) -> BankMatch:
    # No bank's name, with its legal form and a branch, comes near this; a longer cell (up to Excel's 32,767
    # characters) is no bank name, and the rules below would take seconds on it.
    readings = _bank_readings(name) if len(str(name)) <= MAX_BANK_NAME else []
    for text in readings:
        found = _match_text(text, lookup)
        if found is not None:
            return found
    shown = str(name) if len(str(name)) <= MAX_BANK_NAME else f"{str(name)[:20]}…（共 {len(str(name))} 字）"
    raise KeyError(f"银行名称 “{shown}” 不在 policy_catalog/banks.yaml 中，也不是“地名+银行/农村商业银行”形式的城市或农村商业银行")


def _match_text(text: str, lookup: dict[str, tuple[str, bool]]) -> BankMatch | None:
    core = _bank_core(text)

    def listed(key: str, full: bool) -> BankMatch:
        canonical, is_full = lookup[key]
        return BankMatch(canonical, full and is_full, "group" if canonical == RURAL_CREDIT_GROUP else "catalog")

    # 1. A listed bank: full name, legal name, a branch of either, or a short name.
    if core in lookup:
        return listed(core, True)
    for i in range(2, len(text) - 1):
        # 2. A short name with no 行/社 of its own before a branch (邮储长沙支行), which the branch rule cannot cut,
        # or a listed name followed by its place only (中国工商银行湖南, from 中国工商银行（湖南）).
        if text[:i] in lookup and (_BRANCH.fullmatch(text[i:]) or _is_place(text[i:])):
            return listed(text[:i], True)
    # 3. By rule: 湖南省农村信用社联合社 → 农村信用社; 长沙银行, 浏阳农商银行 → 浏阳农村商业银行.
    by_rule = _by_rule(core)
    if by_rule is not None:
        return by_rule
    # 4. A listed bank with a place before it: 湖南省工商银行, 湖南农行 (not the way the form asks).
    for i in range(2, len(core) - 1):
        if core[i:] in lookup and _is_place(core[:i]):
            return listed(core[i:], False)
    return None


def normalise_bank(name: Any, root: str | Path | None = None) -> str:
    """The canonical name of a bank from what people write.

    中国工商银行股份有限公司, 交通银行股份有限公司湖南省分行, 建设银行长沙分行, 工行 → the listed name
    (中国工商银行, 交通银行, 中国建设银行); 长沙银行股份有限公司 → 长沙银行 and 浏阳农商银行 →
    浏阳农村商业银行 (by the place rule); 湖南省农村信用社联合社, 农信社 → 农村信用社.
    Raises KeyError for a name the catalog does not know (add it to banks.yaml).
    """
    return match_bank(name, root).name


def milestones(root: str | Path | None = None, categories: Iterable[str] | None = None) -> pd.DataFrame:
    """Policy milestones for charts: documents with a known date, oldest first.

    The date is the most precise one the sources give (issued_on, or
    published_on when only that is known to the day). Full dates are placed
    on that day; month-only dates on the 15th, year-only dates on July 1 of
    the year, so they sit mid-period on a time axis (``precision`` says which;
    ``year_only`` is kept for older callers).
    """
    import pandas as pd

    rows = []
    for rec in _catalog(root).documents:
        day, prec, value = _best_date(rec)
        if day is None or (categories and rec.get("category") not in set(categories)):
            continue
        placed = {"day": day, "month": day.replace(day=15), "year": dt.date(day.year, 7, 1)}[prec or "day"]
        rows.append({
            "date": placed, "precision": prec, "year_only": prec == "year", "id": rec["id"],
            "label": rec.get("doc_no") or rec.get("title"), "title": rec.get("title"), "category": rec.get("category"),
            "status": rec.get("status"), "level": rec.get("level") or "", "date_text": _date_text(value),
        })
    cols = ["date", "precision", "year_only", "id", "label", "title", "category", "status", "level", "date_text"]
    return pd.DataFrame(rows, columns=cols).sort_values(["date", "id"]).reset_index(drop=True)
