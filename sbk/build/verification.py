"""``sbk verify``: rebuild reports on fresh kernels into a temporary folder and list those whose bytes differ.

A check that finds nothing to check fails: every report (``reports/<period>/<province>/<analysis>.html``) must have
its build record, every record must read back and name its own report, the report's data must still exist, and the
rebuild must give the same bytes. Each problem is a finding of one of the rules below.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sbk.build.planning import Job, has_data
from sbk.build.record import ReportRecord
from sbk.build.runner import build_job
from sbk.findings import ERROR, Finding, rule

__all__ = ["verify"]

NOTHING = rule("build.nothing_to_verify", "没有可核验的报告", ERROR, "report")
NO_RECORD = rule("build.record_missing", "报告缺少构建记录", ERROR, "report")
BAD_RECORD = rule("build.record_malformed", "构建记录无法读取", ERROR, "report")
NO_REPORT = rule("build.report_missing", "构建记录对应的报告不存在", ERROR, "report")
NO_DATA = rule("build.data_missing", "报告的数据已不存在", ERROR, "report")
FAILED = rule("build.rebuild_failed", "重新构建失败", ERROR, "report")
DIFFERS = rule("build.differs", "与重新构建的结果不同", ERROR, "report")


def _shown(path: Path) -> str:
    return path.as_posix()


def _selected(path: Path, only: list[Path] | None) -> bool:
    """``path`` (a report's base path, without suffix) is one of ``only`` or lies under one of them."""
    if only is None:
        return True
    base = path.resolve()
    for p in only:
        p = p.resolve()
        if p == base or p.with_suffix("") == base or p in base.parents:
            return True
    return False


def _record(path: Path) -> tuple[ReportRecord | None, str]:
    """The record at ``path``, or None and why it cannot be used."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ReportRecord.from_dict(data), ""
    except UnicodeDecodeError:
        return None, "不是 UTF-8 文本"
    except json.JSONDecodeError as exc:
        return None, f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）"
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return None, f"缺少或不符合构建记录的字段（{type(exc).__name__}: {exc}）"


def verify(reports: Path, processed: Path, only: Iterable[Path] | None = None) -> list[Finding]:
    """Rebuild each report (or those under ``only``) into a temporary folder; a finding for each problem.

    No report at all (or none under ``only``) is a finding too: a check that checked nothing does not pass.
    """
    only_list = [Path(p) for p in only] if only is not None else None
    # Reports and records live three levels down; index.html and catalog.html above them are not reports.
    bases = sorted({p.with_suffix("") for pattern in ("*/*/*.html", "*/*/*.json") for p in reports.glob(pattern)
                    if p.is_file()})
    bases = [b for b in bases if _selected(b, only_list)]
    if not bases:
        where = ", ".join(_shown(p) for p in only_list) if only_list else _shown(reports)
        return [NOTHING.finding(where, message=f"{where} 下没有报告或构建记录：先用 sbk run 构建报告，或指明报告所在的文件夹")]
    findings: list[Finding] = []
    with tempfile.TemporaryDirectory() as tmp:
        for base in bases:
            html, record_path = base.with_suffix(".html"), base.with_suffix(".json")
            if not record_path.exists():
                findings.append(NO_RECORD.finding(_shown(html), message=(
                    f"没有构建记录 {record_path.name}，无法核验：用 sbk run --force 重新构建此报告")))
                continue
            record, why = _record(record_path)
            if record is None:
                findings.append(BAD_RECORD.finding(_shown(record_path), message=(
                    f"构建记录{why}：用 sbk run --force 重新构建此报告")))
                continue
            job = record.job
            if job.paths(reports)["json"].resolve() != record_path.resolve():
                findings.append(BAD_RECORD.finding(_shown(record_path), message=(
                    f"构建记录属于另一份报告（{job.period}/{job.province}/{job.analysis}）：用 sbk run --force 重新构建此报告")))
                continue
            if not html.exists():
                findings.append(NO_REPORT.finding(_shown(html), message=(
                    f"有构建记录 {record_path.name} 但报告不存在：用 sbk run --force 重新构建此报告")))
                continue
            if not has_data(processed, job):
                findings.append(NO_DATA.finding(_shown(html), message=(
                    f"{processed.as_posix()} 中已没有 {job.province} {job.period} 的数据，报告无法重建：恢复数据后重新 ingest，或删除此报告")))
                continue
            try:
                build_job(Job(job.period, job.province, job.analysis), processed, Path(tmp), force=True)
            except Exception as exc:  # noqa: BLE001 - one report that cannot be rebuilt must not stop the others
                findings.append(FAILED.finding(_shown(html), message=f"{type(exc).__name__}: {str(exc)[-300:]}"))
                continue
            if html.read_bytes() != job.paths(Path(tmp))["html"].read_bytes():
                findings.append(DIFFERS.finding(_shown(html), message="字节与重新构建的结果不同：报告被改动过，或其输入已变化（用 sbk run 重建）"))
            inputs = job.paths(reports)["inputs"]
            if not inputs.exists() or inputs.read_bytes() != job.paths(Path(tmp))["inputs"].read_bytes():
                findings.append(DIFFERS.finding(_shown(inputs), message=(
                    "报告的输入行下载文件缺失或与重新构建的结果不同：用 sbk run --force 重新构建此报告")))
    return findings
