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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import pandas as pd
import yaml

from sbk.findings import ERROR, WARNING, Finding, rule

__all__ = [
    "DocNo",
    "DocNoError",
    "CatalogError",
    "CATALOG_DIR",
    "normalize_doc_no",
    "parse_doc_no",
    "load",
    "check",
    "policies",
    "applications",
    "domains",
    "banks",
    "normalize_bank",
    "find",
    "in_force_on",
    "milestones",
]

CATALOG_DIR = Path(__file__).resolve().parents[1] / "policy_catalog"

CATEGORIES = ("管理类", "规范类", "应用类", "基础类", "国务院文件", "中央文件", "规划", "法律", "其他部委文件", "省级文件")
STATUSES = ("in_force", "superseded", "abolished", "unknown")
FIELDS_REQUIRED = ("id", "doc_no", "title", "issuers", "issued_on", "category", "status", "sources")
FIELDS_OPTIONAL = ("topics", "status_since", "supersedes", "abolishes", "cites", "conflicts", "notes", "targets")
LINK_FIELDS = ("supersedes", "abolishes", "cites")


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


def normalize_doc_no(text: str) -> str:
    """The canonical form of a 文号: agency〔year〕number号."""
    return parse_doc_no(text).canonical


def _key(ref: str) -> str:
    """A reference as written in a link: a 文号 in any variant, or a slug id."""
    try:
        return normalize_doc_no(ref)
    except DocNoError:
        return str(ref).strip()


# ---------------------------------------------------------------------------
# Loading, with line numbers


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when built with it: ~5x faster
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
    """A date from 'YYYY-MM-DD', a date, or a bare year (its first day, or last with ``end``)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int) or (isinstance(value, str) and re.fullmatch(r"\d{4}", value)):
        y = int(value)
        return dt.date(y, 12, 31) if end else dt.date(y, 1, 1)
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    raise ValueError(f"{value!r} is not a date or a year")


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
    ("名称状态", WARNING): rule("applications.name_status_stale", "名称状态", WARNING, "policy_catalog/applications.yaml"),
}


def _finding(path: str, severity: str, label: str, message: str, line: int = 0) -> Finding:
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

    def add(rec: dict, field: str | None, severity: str, rule: str, message: str, path: str | None = None) -> None:
        line = rec.get("__lines__", {}).get(field, rec.get("__line__", 0)) if field else rec.get("__line__", 0)
        out.append(_finding(cat.rel(path or rec.get("__file__", "")), severity, rule, message, line))

    by_id: dict[str, dict] = {}
    for rec in cat.documents:
        rid = str(rec.get("id") or "")
        for field in FIELDS_REQUIRED:
            if field not in rec:
                add(rec, None, ERROR, "缺少字段", f"记录 {rid or '?'} 缺少字段 {field}")
        for field in rec:
            if not field.startswith("__") and field not in FIELDS_REQUIRED + FIELDS_OPTIONAL:
                add(rec, field, WARNING, "未知字段", f"记录 {rid} 的字段 {field} 不在目录结构中（拼写？）")
        if rid in by_id:
            first = by_id[rid]
            add(rec, "id", ERROR, "id 重复", f"{rid} 已在 {cat.rel(first['__file__'])}:{first['__line__']} 定义")
        elif rid:
            by_id[rid] = rec
        doc_no = rec.get("doc_no")
        if doc_no:
            try:
                canonical = normalize_doc_no(doc_no)
                if canonical != rid:
                    add(rec, "id", ERROR, "id 与文号不符", f"id “{rid}” 应为规范文号 {canonical}")
            except DocNoError as exc:
                add(rec, "doc_no", ERROR, "文号", str(exc))
        if rec.get("category") not in CATEGORIES:
            add(rec, "category", ERROR, "类别", f"{rid}: 类别 “{rec.get('category')}” 不在 {'、'.join(CATEGORIES)} 中")
        if rec.get("status") not in STATUSES:
            add(rec, "status", ERROR, "状态", f"{rid}: 状态 “{rec.get('status')}” 应为 {' / '.join(STATUSES)}")
        issuers = rec.get("issuers")
        if not isinstance(issuers, list) or not issuers:
            add(rec, "issuers", ERROR, "发文机关", f"{rid}: issuers 应为非空列表")
        sources = rec.get("sources")
        if not isinstance(sources, list) or not sources or not all(
            isinstance(s, dict) and s.get("source") and s.get("wording") for s in sources
        ):
            add(rec, "sources", ERROR, "来源", f"{rid}: 每条记录至少一个来源，写明 source 和原文 wording")
        for field in ("issued_on", "status_since"):
            try:
                d = _as_date(rec.get(field))
            except (ValueError, TypeError):
                add(rec, field, ERROR, "日期", f"{rid}: {field} “{rec.get(field)}” 应为 YYYY-MM-DD 或年份")
                continue
            if d and not dt.date(1949, 10, 1) <= d <= dt.date.today():
                add(rec, field, ERROR, "日期", f"{rid}: {field} {d} 不在 1949-10-01 至今之间")
        if rec.get("status") in ("superseded", "abolished") and not rec.get("status_since"):
            add(rec, "status", ERROR, "状态", f"{rid}: 状态为 {rec['status']}，须写明 status_since")
        try:
            issued, since = _as_date(rec.get("issued_on")), _as_date(rec.get("status_since"), end=True)
            if issued and since and since < issued:
                add(rec, "status_since", ERROR, "日期", f"{rid}: status_since {rec['status_since']} 早于发文日期 {rec['issued_on']}")
        except (ValueError, TypeError):
            pass

    # Links resolve; a document cannot supersede or abolish a later one; statuses agree.
    graph: dict[str, list[str]] = {}
    for rec in cat.documents:
        rid = str(rec.get("id") or "")
        for field in LINK_FIELDS:
            for ref in rec.get(field) or []:
                target = by_id.get(_key(ref))
                if target is None:
                    add(rec, field, ERROR, "链接无法解析", f"{rid}.{field} → “{ref}” 不在目录中")
                    continue
                if field == "cites":
                    continue
                graph.setdefault(rid, []).append(target["id"])
                try:
                    mine, theirs = _as_date(rec.get("issued_on"), end=True), _as_date(target.get("issued_on"))
                except (ValueError, TypeError):
                    mine = theirs = None
                if mine and theirs and theirs > mine:
                    add(rec, field, ERROR, "日期不合理", f"{rid}（{_date_text(rec.get('issued_on'))}）不能{'废止' if field == 'abolishes' else '替代'}更晚的 {target['id']}（{_date_text(target.get('issued_on'))}）")
                wanted = "abolished" if field == "abolishes" else "superseded"
                if target.get("status") != wanted:
                    add(target, "status", ERROR, "状态", f"{target['id']} 被 {rid} {field}，状态应为 {wanted}，实为 {target.get('status')}")
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
    path = cat.rel(cat.root / "banks.yaml")
    out: list[Finding] = []
    seen: dict[str, str] = {}
    for bank in cat.banks:
        for name in [bank.get("name")] + list(bank.get("short_names") or []):
            if name in seen:
                out.append(_finding(path, ERROR, "银行简称重复", f"“{name}” 同时指向 {seen[name]} 和 {bank.get('name')}", bank.get("__line__", 0)))
            seen[str(name)] = str(bank.get("name"))
    return out


def pending_names(root: str | Path | None = None) -> int:
    """How many of the 102 items still have no name."""
    return int(applications(root)["name"].isna().sum())


# ---------------------------------------------------------------------------
# Serving the catalog


def _clean(rec: dict) -> dict:
    return {k: v for k, v in rec.items() if not k.startswith("__")}


def policies(root: str | Path | None = None) -> pd.DataFrame:
    """One row per policy document, with the catalog's fields."""
    rows = []
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
            "supersedes": [_key(x) for x in r.get("supersedes") or []],
            "abolishes": [_key(x) for x in r.get("abolishes") or []],
            "cites": [_key(x) for x in r.get("cites") or []],
            "has_conflict": bool(r.get("conflicts")),
            "notes": r.get("notes") or "",
        })
    return pd.DataFrame(rows).sort_values(["issued_on", "id"], kind="stable").reset_index(drop=True)


def conflicts(root: str | Path | None = None) -> pd.DataFrame:
    """Every conflict between sources the catalog records."""
    rows = []
    for rec in _catalog(root).documents:
        for c in rec.get("conflicts") or []:
            rows.append({"id": rec["id"], "field": c.get("field"), "with": c.get("with") or "", "note": c.get("note")})
    return pd.DataFrame(rows, columns=["id", "field", "with", "note"])


def find(doc_no: str, root: str | Path | None = None) -> dict:
    """The record of a document by 文号 (any bracket variant) or slug id."""
    key = _key(doc_no)
    for rec in _catalog(root).documents:
        if rec.get("id") == key:
            return _clean(rec)
    raise KeyError(f"目录中没有 {doc_no}（规范化为 {key}）")


def in_force_on(date: str | dt.date, root: str | Path | None = None) -> pd.DataFrame:
    """Documents issued by ``date`` and not superseded or abolished by then.

    A document whose status is unknown is kept (nothing says it lapsed) and
    shows its status, so a reader can tell the two apart. A year-only issue
    date counts from January 1 of that year.
    """
    day = _as_date(date) if not isinstance(date, dt.date) else date
    df = policies(root)

    def keep(row: pd.Series) -> bool:
        issued = _as_date(row["issued_on"]) if row["issued_on"] else None
        if issued is None or issued > day:
            return False
        if row["status"] in ("superseded", "abolished"):
            return _as_date(row["status_since"]) > day
        return True

    return df[df.apply(keep, axis=1)].reset_index(drop=True)


def applications(root: str | Path | None = None) -> pd.DataFrame:
    """The 102 items: number, domain, name (None while pending), and the domain's functions."""
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
    apps = _catalog(root).applications
    functions = list(apps["metadata"]["functions"])
    rows = []
    for d in apps.get("domains", []):
        row = {"domain": d["name"], "count": d["count"], "first_item": d["first_item"],
               "last_item": d["first_item"] + d["count"] - 1}
        row.update({f: f in (d.get("functions") or []) for f in functions})
        rows.append(row)
    return pd.DataFrame(rows)


def banks(root: str | Path | None = None) -> pd.DataFrame:
    return pd.DataFrame([
        {"name": b["name"], "short_names": list(b.get("short_names") or [])} for b in _catalog(root).banks
    ])


def normalize_bank(name: str, root: str | Path | None = None) -> str:
    """The full name of a bank from what people write: 工行, 农业银行, 建设银行宁波分行 → 中国建设银行.

    Raises KeyError for a name the catalog does not know (add it to banks.yaml).
    """
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name)))
    # A branch (…分行 / …支行 / …营业部) is its bank: strip the place and the branch word.
    base = re.sub(r"(股份有限公司)?[^行社]*?(分行|支行|营业部)$", "", text) or text
    lookup: dict[str, str] = {}
    for b in _catalog(root).banks:
        for n in [b["name"]] + list(b.get("short_names") or []):
            lookup[n] = b["name"]
    # A provincial prefix (湖南省农村信用社联合社) names the province's branch of the same bank.
    candidates = [text, base] + [re.sub(r"^[^银]{2,7}?(省|自治区|市)", "", c) for c in (text, base)]
    for candidate in candidates:
        if candidate in lookup:
            return lookup[candidate]
    raise KeyError(f"银行名称 “{name}” 不在 policy_catalog/banks.yaml 中：请填写商业银行全称，或把该简称加入目录")


def milestones(root: str | Path | None = None, categories: Iterable[str] | None = None) -> pd.DataFrame:
    """Policy milestones for charts: documents with an issue date, oldest first.

    Full dates are placed on that day; year-only dates on July 1 of the year
    (flagged ``year_only``) so they sit mid-year on a time axis.
    """
    df = policies(root)
    if categories:
        df = df[df["category"].isin(list(categories))]
    df = df[df["issued_on"] != ""].copy()
    df["year_only"] = df["issued_on"].str.fullmatch(r"\d{4}")
    df["date"] = [
        dt.date(int(v), 7, 1) if y else dt.date.fromisoformat(v) for v, y in zip(df["issued_on"], df["year_only"])
    ]
    df["label"] = [d if d else t for d, t in zip(df["doc_no"].fillna(""), df["title"])]
    return df[["date", "year_only", "id", "label", "title", "category", "status"]].sort_values(["date", "id"]).reset_index(drop=True)
