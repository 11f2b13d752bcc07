"""The catalog page for readers: reports/catalog.html.

Documents by category with status, a timeline of issue dates with abolition
and supersession marked, the conflicts between sources, and the 102-item
domain × function matrix. One self-contained file (the chart is inline SVG with
glyphs as paths, so Chinese renders without fonts on the reader's machine),
byte-identical for the same catalog.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import matplotlib.pyplot as plt

from sbk import __version__, catalog
from sbk.analysis.common import use_cjk_font
from sbk.atomic import write_atomic
from sbk.csp import with_policy

__all__ = ["catalog_html", "timeline_svg", "write_catalog_page"]

_TIMELINE_TITLE = "社会保障卡政策文件发文时间线：各类别文件按发文日期排列，标出已废止、被替代的文件与草案"
_STATUS_ZH = {"in_force": "现行有效", "superseded": "已被替代", "abolished": "已废止", "unknown": "未知", "draft": "草案"}


def timeline_svg(root: str | Path | None = None) -> str:
    """Issue dates of the documents by category; abolished/superseded documents marked ×."""
    use_cjk_font()
    plt.rcParams["svg.hashsalt"] = "sbk-catalog"  # stable ids: same catalog, same bytes
    ms = catalog.milestones(root)
    cats = list(dict.fromkeys(ms["category"]))
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(cats) + 1.6))
    for i, cat in enumerate(cats):
        sub = ms[ms["category"] == cat]
        gone_mask = sub["status"].isin(["abolished", "superseded"])
        draft_mask = sub["status"] == "draft"
        live, gone, draft = sub[~gone_mask & ~draft_mask], sub[gone_mask], sub[draft_mask]
        exact = live["precision"] == "day"
        ax.scatter(live[exact]["date"], [i] * int(exact.sum()), marker="o", s=28, color="#1f5fa8", zorder=3)
        ax.scatter(live[~exact]["date"], [i] * int((~exact).sum()), marker="o", s=28, facecolors="none",
                   edgecolors="#1f5fa8", zorder=3)
        ax.scatter(gone["date"], [i] * len(gone), marker="x", s=40, color="#b22222", zorder=3)
        ax.scatter(draft["date"], [i] * len(draft), marker="^", s=34, facecolors="none", edgecolors="#7a7a7a", zorder=3)
    ax.set_yticks(range(len(cats)), cats)
    ax.invert_yaxis()
    ax.grid(axis="x", color="#dddddd")
    ax.set_title("社会保障卡政策文件时间线（● 现行或状态未知，○ 仅知年份/月份（置于年中/月中），× 已废止/被替代，△ 草案）",
                 fontsize=10)
    ax.set_xlabel("发文日期（无发文日期而有发布日期者按发布日期）")
    fig.text(0.01, 0.01, "来源：policy_catalog/（据卡伴一生 2019、2015年调度通知，及 2019 年后的公开网页；各条来源见下表与 YAML）",
             fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    buf = io.StringIO()
    # No metadata at all: matplotlib writes it as RDF, which the Nu HTML checker rejects inside inline SVG.
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    # With role="img" and a <title> first, the chart has a name a screen reader announces.
    start = svg.index(">") + 1
    return (svg[:4] + ' role="img"' + svg[4:start] + f"\n <title>{html.escape(_TIMELINE_TITLE)}</title>"
            + svg[start:])


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def catalog_html(root: str | Path | None = None) -> str:
    pol = catalog.policies(root)
    newest, newest_final = catalog.latest(root), catalog.latest(root, include_drafts=False)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        "<title>社会保障卡政策文件目录 · Policy catalog</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
        "table{border-collapse:collapse;margin:1em 0;font-size:14px}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}"
        "th{background:#f3f3f3}.abolished,.superseded{color:#b22222}.note{color:#555;font-size:13px}</style>",
        "</head><body><main>",
        "<h1>社会保障卡政策文件目录 <small>Policy catalog</small></h1>",
        f"<p class=\"note\">sbk {__version__}；共 {len(pol)} 件文件。状态依据所列来源；“未知”表示这些来源未说明其效力。"
        "数据见仓库 <code>policy_catalog/</code>，由 <code>sbk catalog check</code> 校验。</p>",
        f"<p class=\"note\">最新文件 · latest document: {_e(newest['date'])} {_e(newest['id'])}（{_e(_STATUS_ZH[newest['status']])}）"
        f"；最新非草案 · latest that is not a draft: {_e(newest_final['date'])} {_e(newest_final['id'])}。"
        "引用、替代、废止只在引用方记录一次，被引用、被替代、被废止由此推导。</p>",
        "<h2>发文时间线 · Timeline</h2>",
        timeline_svg(root),
        "<h2>来源之间的冲突 · Conflicts between sources</h2>",
        "<table><tr><th>文件</th><th>字段</th><th>冲突对象</th><th>说明</th></tr>",
    ]
    for c in catalog.conflicts(root).itertuples():
        parts.append(f"<tr><td>{_e(c.id)}</td><td>{_e(c.field)}</td><td>{_e(c._3)}</td><td>{_e(c.note)}</td></tr>")
    parts.append("</table>")
    parts.append("<h2>文件（按类别）· Documents by category</h2>")
    for cat in catalog.CATEGORIES:
        sub = pol[pol["category"] == cat]
        if sub.empty:
            continue
        parts.append(f"<h3>{_e(cat)}（{len(sub)}）</h3><table><tr><th>文号 / id</th><th>标题</th><th>发文机关</th>"
                     "<th>效力级别</th><th>日期</th><th>实施日期</th><th>状态</th><th>关系</th></tr>")
        for r in sub.itertuples():
            rel = []
            for label, values in (("废止", r.abolishes), ("替代", r.supersedes), ("引用", r.cites),
                                  ("被废止于", r.abolished_by), ("被替代于", r.superseded_by), ("被引用于", r.cited_by)):
                if values:
                    rel.append(f"{label} " + "、".join(values))
            since = f"（{r.status_since} 起）" if r.status in ("abolished", "superseded") else ""
            date = r.issued_on or (f"发布 {r.published_on}" if r.published_on else "不详")
            parts.append(
                f"<tr><td>{_e(r.doc_no or r.id)}</td><td>{_e(r.title)}</td><td>{_e('、'.join(r.issuers))}</td>"
                f"<td>{_e(catalog.LEVELS.get(r.level, '—'))}</td><td>{_e(date)}</td><td>{_e(r.effective_on or '—')}</td>"
                f"<td class=\"{_e(r.status)}\">{_e(_STATUS_ZH[r.status])}{_e(since)}</td>"
                f"<td>{_e('；'.join(rel))}</td></tr>"
            )
        parts.append("</table>")
    dom = catalog.domains(root)
    funcs = [c for c in dom.columns if c not in ("domain", "count", "first_item", "last_item")]
    parts.append("<h2>102 项社保卡应用目录：业务领域 × 功能 · Application catalog (人社部发〔2014〕52号)</h2>")
    parts.append(f"<p class=\"note\">领域项数与功能矩阵据《卡伴一生》(2019)。序号按领域顺序连续编排是假设；"
                 f"各项名称待补 {catalog.pending_names(root)} 项（来源未按序号列出名称，不作编造）。</p>")
    parts.append("<table><tr><th>业务领域</th><th>项数</th><th>序号</th>" + "".join(f"<th>{_e(f)}</th>" for f in funcs) + "</tr>")
    for r in dom.to_dict("records"):
        cells = "".join(f"<td>{'✓' if r[f] else ''}</td>" for f in funcs)
        parts.append(f"<tr><td>{_e(r['domain'])}</td><td>{r['count']}</td><td>{r['first_item']}–{r['last_item']}</td>{cells}</tr>")
    parts.append(f"<tr><th>合计</th><th>{int(dom['count'].sum())}</th><td colspan=\"{len(funcs) + 1}\"></td></tr></table>")
    parts.append("</main></body></html>\n")
    return with_policy("\n".join(parts))


def write_catalog_page(reports_dir: Path, root: str | Path | None = None) -> Path:
    """Write ``reports_dir/catalog.html`` atomically (temporary file, then rename)."""
    target = reports_dir / "catalog.html"
    write_atomic(target, catalog_html(root).encode("utf-8"))
    return target
