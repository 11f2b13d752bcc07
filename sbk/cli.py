"""The ``sbk`` command: argument parsing, printing, exit codes; no business logic.

Exit codes: 0 success (warnings allowed), 1 data errors (and failures such as a full disk, a file that cannot
be read or a busy output folder), 2 usage errors, 130 interrupted (Ctrl-C). Every failure is one line on
stderr saying what to do, never a traceback (``SBK_DEBUG=1`` shows the traceback of an unexpected error).
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

from sbk import __version__
from sbk.bulk import leave_uncollected
from sbk.errors import SbkError
from sbk.findings import escape_controls

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _table(rows: list[dict[str, str]]) -> str:
    if not rows:
        return ""
    cols = list(rows[0])
    # CJK characters take two columns in a terminal.
    def width(s: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

    rows = [{c: escape_controls(str(r[c])) for c in cols} for r in rows]  # cells may come from files
    widths = {c: max(width(c), *(width(str(r[c])) for r in rows)) for c in cols}
    def line(values: dict[str, str]) -> str:
        return "  ".join(str(values[c]) + " " * (widths[c] - width(str(values[c]))) for c in cols).rstrip()

    return "\n".join([line({c: c for c in cols})] + [line(r) for r in rows])


def _cmd_calendar(args: argparse.Namespace) -> int:
    from sbk.calendar import deadlines

    if args.period:
        from sbk.calendar import PeriodError, due_date

        try:
            print(due_date(args.period).isoformat())
        except PeriodError as exc:
            print(f"sbk calendar: {exc}", file=sys.stderr)
            return 1
        return 0
    if args.year is None or not 2015 <= args.year <= 2100:
        print("sbk calendar: give a year from 2015 on (the 2015 notice's regime starts with 2015-02)", file=sys.stderr)
        return 2
    print(f"{args.year} 年社会保障卡调度表报送截止日（次月3日 / 1、4、7、10月3日，遇节假日顺延）")
    print(_table(deadlines(args.year)))
    return 0


def _cmd_regions(args: argparse.Namespace) -> int:
    from sbk.calendar import PeriodError
    from sbk.regions import RegionError, lookup, regions_of

    try:
        prov = lookup(args.province, args.period)
        if not prov.is_province:
            print(f"sbk regions: {args.province} is not a province", file=sys.stderr)
            return 1
        rows = [
            {"行政区划代码": r.code, "地区": r.name, "简称": r.short_name, "区划版本": r.revision}
            for r in regions_of(prov.code, args.period, include_provincial=True)
        ]
    except (RegionError, PeriodError) as exc:
        print(f"sbk regions: {exc}", file=sys.stderr)
        return 1
    print(_table(rows))
    return 0


def _print_findings(findings: list, fmt: str) -> None:
    from sbk.findings import findings_csv, findings_json, format_findings

    if fmt == "json":
        print(findings_json(findings))
    elif fmt == "csv":
        sys.stdout.flush()
        sys.stdout.buffer.write(findings_csv(findings))
        sys.stdout.buffer.flush()
    elif findings:
        print(format_findings(findings))


def _cmd_ingest(args: argparse.Namespace) -> int:
    from sbk.ingest import ingest

    result = ingest(args.raw_dir, args.out, on_wait=_waiting("sbk ingest"))
    if result.up_to_date:
        print(f"up to date: {result.files} input files unchanged since the last ingest ({args.out}/datapackage.json)")
        return 0
    _print_findings(result.findings, args.format)
    errors = sum(f.severity == "error" for f in result.findings)
    warnings_ = len(result.findings) - errors
    if errors:
        print(f"sbk ingest: {errors} error(s), {warnings_} warning(s); nothing in {args.out} was changed", file=sys.stderr)
        return 1
    removed = f", {len(result.removed)} of an earlier set removed" if result.removed else ""
    print(f"ingested {result.files} files ({result.sheets} forms), {warnings_} warning(s): "
          f"{len(result.written)} file(s) written, {len(result.unchanged)} unchanged{removed} in {args.out}",
          file=sys.stderr)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sbk.findings import has_errors
    from sbk.ingest import load_checks, read_all

    findings: list = []
    sheets, shas = [], {}
    populations: list = []  # region_population tables: they bound each region's 万人 figures
    for p in args.paths:
        path = Path(p)
        if not path.exists():
            print(f"sbk validate: {p}: no such file or folder", file=sys.stderr)
            return 2
        # The checks' imports (pandas, pandera) while the workers read, and after they have started: forked from a
        # process without pyarrow (sbk.ingest.start_method).
        got, extra, sha, fs, _ = read_all(path, meanwhile=load_checks)
        sheets.extend(got)
        shas.update(sha)
        findings.extend(fs)
        if "region_population" in extra:
            populations.append(extra["region_population"])
    import pandas as pd

    from sbk.validate import assemble

    _, fs = assemble(sheets, shas, pd.concat(populations, ignore_index=True) if populations else None)
    findings.extend(fs)
    _print_findings(findings, args.format)
    if args.format == "text":
        errors = sum(f.severity == "error" for f in findings)
        print(f"{len(sheets)} forms checked: {errors} error(s), {len(findings) - errors} warning(s)", file=sys.stderr)
    return 1 if has_errors(findings) else 0


def _cmd_template(args: argparse.Namespace) -> int:
    from sbk.calendar import PeriodError, parse_period
    from sbk.regions import RegionError, lookup
    from sbk.template import blank_rows, new_workbook, save_workbook, write_sheet

    try:
        p = parse_period(args.period)
        if (p.kind == "monthly") != (args.form == "monthly"):
            print(f"sbk template: period {args.period} does not fit form {args.form}", file=sys.stderr)
            return 2
        prov = lookup(args.province, args.period, quiet=True)
        if not prov.is_province:
            raise RegionError(f"{args.province} 不是省级行政区划代码")
        wb = new_workbook()
        write_sheet(wb, args.form, prov.name, args.period, blank_rows(args.form, prov.code, args.period), total={})
        out = save_workbook(wb, args.output)
    except (PeriodError, RegionError) as exc:
        print(f"sbk template: {exc}", file=sys.stderr)
        return 1
    print(out)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from sbk.demo import generate

    paths = generate(args.out)
    print(f"wrote {len(paths)} synthetic files (合成示例数据, not official statistics) to {args.out}")
    return 0


def _cmd_catalog(args: argparse.Namespace) -> int:
    from sbk import catalog
    from sbk.findings import format_findings, has_errors

    root = args.dir
    if args.catalog_command == "check":
        findings = catalog.check(root)
        if findings:
            print(format_findings(findings))
        if has_errors(findings):
            print(f"sbk catalog check: {sum(f.severity == 'error' for f in findings)} error(s)", file=sys.stderr)
            return 1
        pol = catalog.policies(root)
        print(
            f"catalog ok: {len(pol)} documents, {int(pol['has_conflict'].sum())} with recorded conflicts; "
            f"application catalog 102 items, names pending: {catalog.pending_names(root)}"
        )
        return 0
    try:
        if args.catalog_command == "show":
            print(catalog.show(args.doc_no, root))  # the record, its links both ways and the targets it sets
            return 0
        if args.catalog_command == "list":
            df = catalog.in_force_on(args.in_force_on, root) if args.in_force_on else catalog.policies(root)
            if args.category:
                df = df[df["category"] == args.category]
            if args.topic:
                df = df[df["topics"].map(lambda t: args.topic in t)]
            rows = [
                {"文号/id": r.id, "日期": r.issued_on, "类别": r.category, "状态": r.status, "标题": r.title}
                for r in df.itertuples()
            ]
            print(_table(rows) if rows else "(no documents match)")
            return 0
        if args.catalog_command == "apps":
            df = catalog.applications(root)
            if args.domain:
                df = df[df["domain"] == args.domain]
                if df.empty:
                    print(f"sbk catalog apps: unknown domain “{args.domain}”", file=sys.stderr)
                    return 1
            rows = [
                {"序号": str(r.item), "业务领域": r.domain, "名称": r.name or "（待补）", "功能": "、".join(r.functions)}
                for r in df.itertuples()
            ]
            print(_table(rows))
            return 0
    except (KeyError, ValueError, catalog.CatalogError) as exc:
        print(f"sbk catalog {args.catalog_command}: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 1
    return 2


def _cmd_published(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sbk.findings import has_errors
    from sbk.published_check import check_published, default_path, summary

    path = Path(args.path) if args.path else default_path()
    if not path.is_file():
        print(f"sbk published check: {path}: no such file", file=sys.stderr)
        return 2
    if args.path:
        shown = args.path
    else:
        shown = str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)
    findings = check_published(path, shown)
    _print_findings(findings, args.format)
    errors = sum(f.severity == "error" for f in findings)
    if has_errors(findings):
        print(f"sbk published check: {errors} error(s), {len(findings) - errors} warning(s)", file=sys.stderr)
        return 1
    s = summary(path)
    print(f"published figures ok: {s.get('rows', 0)} rows ({s.get('national', 0)} national; "
          f"{s.get('provinces', 0)} provinces, {s.get('province_level', 0)} with province-wide figures), "
          f"{s.get('measures', 0)} measures, latest {s.get('latest', '')}; {len(findings)} warning(s)", file=sys.stderr)
    return 0


def _waiting(command: str) -> Callable[[str], None]:
    """The message a command prints, once, when it waits for another writer of its output folder."""
    def say(message: str) -> None:
        print(f"{command}: {escape_controls(message)}…", file=sys.stderr, flush=True)

    return say


def _write_index(command: str, reports: Path, processed: Path | None) -> Path:
    """Write the index, saying (in one line) which reports it leaves out because their data is gone."""
    from sbk.build import index_records, write_index

    _, dropped = index_records(reports, processed)
    if dropped:
        names = ", ".join(f"{r.job.period}/{r.job.province}/{r.job.analysis}" for r in dropped[:3])
        more = f" and {len(dropped) - 3} more" if len(dropped) > 3 else ""
        print(f"{command}: left out of the index, their data is no longer in {processed}: {escape_controls(names)}{more} "
              f"(ingest the data again, or delete these reports)", file=sys.stderr)
    return write_index(reports, processed)


def _cmd_reports(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sbk.catalog_page import write_catalog_page
    from sbk.locking import output_lock

    out, processed = Path(args.out), Path(args.processed)
    with output_lock(out, "sbk reports", _waiting("sbk reports")):
        write_catalog_page(out)
        if (processed / "datapackage.json").exists():
            index = _write_index("sbk reports", out, processed)
        else:  # nothing to judge by: list every report found
            print(f"sbk reports: {processed} has no processed data; the index lists every report found", file=sys.stderr)
            index = _write_index("sbk reports", out, None)
    print(f"open {index.resolve().as_uri()}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sbk.build import ParameterError, plan
    from sbk.calendar import PeriodError
    from sbk.locking import output_folder, output_lock

    processed, reports = Path(args.processed), Path(args.out)
    if not (processed / "datapackage.json").exists():
        print(f"sbk run: {processed} has no processed data: run `sbk ingest` first", file=sys.stderr)
        return 1
    output_folder(reports, create=False)
    try:
        jobs = plan(processed, args.period, args.province, args.analysis)
    except (ParameterError, PeriodError) as exc:
        print(f"sbk run: {exc}", file=sys.stderr)
        return 2
    if not jobs:
        print(f"sbk run: no data for period {args.period}" + (f" and province {args.province}" if args.province else ""),
              file=sys.stderr)
        return 1
    # One build at a time per report folder: two at once could leave a report from one and its record from the other.
    with output_lock(reports, "sbk run", _waiting("sbk run")):
        return _run(args, jobs, processed, reports)


def _run(args: argparse.Namespace, jobs: list, processed: Path, reports: Path) -> int:
    from sbk.build import main_progress, run_jobs

    executor = None
    if args.dask:
        from dask.distributed import Client

        client = Client(args.dask)
        executor = client.get_executor()
    results = run_jobs(jobs, processed, reports, force=args.force, jobs_n=args.jobs, executor=executor,
                       progress=main_progress(len(jobs)))
    failed = [(j, msg) for j, status, msg in results if status == "failed"]
    built = sum(status == "built" for _, status, _ in results)
    for j, msg in failed:
        print(f"{reports}/{j.period}/{j.province}/{j.analysis}: failed: {escape_controls(msg)}", file=sys.stderr)
    index = _write_index("sbk run", reports, processed)
    print(f"{built} built, {len(results) - built - len(failed)} current, {len(failed)} failed; open {index.resolve().as_uri()}")
    return 1 if failed else 0


def _cmd_bulletin(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sbk.analysis import bulletin
    from sbk.analysis.common import load, periods_of, resolve_period
    from sbk.atomic import write_atomic
    from sbk.build import ParameterError, validate_parameters
    from sbk.calendar import PeriodError, parse_period

    # The bulletin is monthly (it reports the monthly form against the year's targets): a quarter means the
    # bulletin of its last month, and the command says so, as it says which month 'latest' is.
    month, why = args.period, "the month asked for"
    if args.period != "latest":
        try:
            asked = parse_period(args.period)
        except PeriodError as exc:
            print(f"sbk bulletin: {exc}", file=sys.stderr)
            return 2
        if asked.kind == "quarterly":
            month, why = asked.months()[-1], f"the bulletin is monthly: {args.period} is drafted as its last month"
    processed = Path(args.processed)
    monthly = load(processed, "monthly_issuance")
    if args.province == "national":
        return _national_bulletin(args, processed, monthly, month, why)
    provinces = [args.province] if args.province else sorted(monthly["province_code"].unique()) if not monthly.empty else []
    if not provinces:
        print("sbk bulletin: no monthly data: run `sbk ingest` first", file=sys.stderr)
        return 1
    for province in provinces:
        period = resolve_period(month, periods_of(monthly, province))
        if period is None:
            asked_for = month if month == args.period else f"{month} (the last month of {args.period})"
            print(f"sbk bulletin: no monthly form of {province} for {asked_for}", file=sys.stderr)
            return 1
        try:
            validate_parameters(period, province, "bulletin")
        except ParameterError as exc:
            print(f"sbk bulletin: {exc}", file=sys.stderr)
            return 2
        reason = "the latest month with a monthly form" if args.period == "latest" else why
        print(f"sbk bulletin: drafting {province} for {period} ({reason})", file=sys.stderr)
        text = bulletin.draft_from(bulletin.compute(processed, province, period))
        target = Path(args.out) / period / province / "bulletin.md"
        write_atomic(target, text.encode("utf-8"))
        print(target)
    return 0


def _national_bulletin(args: argparse.Namespace, processed: Path, monthly: pd.DataFrame, month: str, why: str) -> int:
    """The ministry's bulletin across provinces, for a month in which provinces filed monthly forms."""
    from pathlib import Path

    from sbk.analysis import bulletin
    from sbk.analysis.common import periods_of, resolve_period
    from sbk.atomic import write_atomic

    period = resolve_period(month, periods_of(monthly))
    if period is None:
        asked_for = month if month == args.period else f"{month} (the last month of {args.period})"
        print(f"sbk bulletin: no province filed a monthly form for {asked_for}", file=sys.stderr)
        return 1
    reason = "the latest month any province filed" if args.period == "latest" else why
    print(f"sbk bulletin: drafting the national bulletin for {period} ({reason})", file=sys.stderr)
    text = bulletin.national_draft_text(bulletin.compute_national(processed, period))
    target = Path(args.out) / period / "national" / "bulletin.md"
    write_atomic(target, text.encode("utf-8"))
    print(target)
    return 0


def _cmd_scan(args: argparse.Namespace) -> int:
    from sbk.findings import has_errors
    from sbk.privacy import scan_paths

    findings = scan_paths(args.paths)
    _print_findings(findings, args.format)
    personal = sum(f.code == "privacy.personal_data" for f in findings)
    if has_errors(findings):
        print(f"sbk scan: {personal} place(s) with personal data, "
              f"{sum(f.severity == 'error' for f in findings) - personal} file(s) or folder(s) that could not be scanned",
              file=sys.stderr)
        return 1
    print("no resident ID numbers or mobile numbers found"
          + (f" ({len(findings)} file(s) not scanned: see the warnings)" if findings else ""), file=sys.stderr)
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sbk.build import verify
    from sbk.findings import format_findings

    for p in args.paths:
        if not Path(p).exists():
            print(f"sbk verify: {escape_controls(p)}: no such file or folder", file=sys.stderr)
            return 2
    processed = Path(args.processed)
    if not (processed / "datapackage.json").exists():
        print(f"sbk verify: {processed} has no processed data to rebuild from: run `sbk ingest` first", file=sys.stderr)
        return 1
    findings = verify(Path(args.out), processed, [Path(p) for p in args.paths] or None)
    if findings:
        print(format_findings(findings))
        print(f"sbk verify: {len(findings)} problem(s) found",
              file=sys.stderr)
        return 1
    print("all reports rebuild to the same bytes")
    return 0


def _findings_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=["text", "json", "csv"], default="text",
                        help="how findings are printed (csv: for Excel, text cells neutralised)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sbk", description="社会保障卡调度表: ingest, validate, catalog and report.")
    parser.add_argument("--version", action="version", version=f"sbk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    cal = sub.add_parser("calendar", help="filing deadlines of a year, or of one period")
    cal.add_argument("year", type=int, nargs="?", help="calendar year, e.g. 2016")
    cal.add_argument("--period", help="one period: 'YYYY-MM' or 'YYYYQn'")
    cal.set_defaults(func=_cmd_calendar)

    reg = sub.add_parser("regions", help="a province's filing units in division-code order")
    reg.add_argument("province", help="province code or name, e.g. 430000 or 湖南")
    reg.add_argument("--period", default="2015-02", help="period whose codes apply (default 2015-02)")
    reg.set_defaults(func=_cmd_regions)

    ing = sub.add_parser("ingest", help="read data/raw, validate, write data/processed (Parquet + datapackage.json)")
    ing.add_argument("raw_dir", nargs="?", default="data/raw")
    ing.add_argument("--out", default="data/processed")
    _findings_format(ing)
    ing.set_defaults(func=_cmd_ingest)

    val = sub.add_parser("validate", help="check files or folders without writing anything")
    val.add_argument("paths", nargs="+")
    _findings_format(val)
    val.set_defaults(func=_cmd_validate)

    tpl = sub.add_parser("template", help="a blank workbook in the official layout")
    tpl.add_argument("--form", required=True, choices=["monthly", "q1", "q2", "q3", "q4"])
    tpl.add_argument("--province", required=True, help="province code or name")
    tpl.add_argument("--period", required=True, help="'YYYY-MM' (monthly) or 'YYYYQn'")
    tpl.add_argument("-o", "--output", required=True)
    tpl.set_defaults(func=_cmd_template)

    demo = sub.add_parser("demo", help="regenerate the synthetic demo province (合成示例数据)")
    demo.add_argument("--out", default="data/raw/demo")
    demo.set_defaults(func=_cmd_demo)

    cat = sub.add_parser("catalog", help="the policy catalog and the 102-item application catalog")
    cat.add_argument("--dir", default=None, help="catalog folder (default: policy_catalog/)")
    csub = cat.add_subparsers(dest="catalog_command", metavar="ACTION", required=True, parser_class=_Parser)
    csub.add_parser("check", help="validate the catalog; exit 1 on error")
    show = csub.add_parser("show", help="print one document's record")
    show.add_argument("doc_no", help="文号 in any bracket variant, or a slug id")
    lst = csub.add_parser("list", help="list documents")
    lst.add_argument("--category")
    lst.add_argument("--in-force-on", metavar="DATE")
    lst.add_argument("--topic")
    apps = csub.add_parser("apps", help="the 102 application items")
    apps.add_argument("--domain")
    cat.set_defaults(func=_cmd_catalog)

    pub = sub.add_parser("published", help="the published figures (data/raw/published/)")
    psub = pub.add_subparsers(dest="published_command", metavar="ACTION", required=True, parser_class=_Parser)
    pchk = psub.add_parser("check", help="check published_figures.csv (sources, quotes, vocabulary); exit 1 on error")
    pchk.add_argument("path", nargs="?", help="CSV to check (default: data/raw/published/published_figures.csv)")
    _findings_format(pchk)
    pub.set_defaults(func=_cmd_published)

    run = sub.add_parser("run", help="build the analysis reports (papermill + nbconvert)")
    run.add_argument("--period", default="latest", help="'YYYY-MM', 'YYYYQn', 'latest' or 'all'")
    run.add_argument("--province", help="province code; 'national' for the published national series and the "
                                        "provinces' roll-up; 'all' for every province and national (the default)")
    run.add_argument("--analysis", nargs="+", help="analyses to build (default: all that apply)")
    run.add_argument("-j", "--jobs", type=int, default=1, help="notebooks run in parallel processes")
    run.add_argument("--force", action="store_true", help="rebuild even when inputs are unchanged")
    run.add_argument("--dask", metavar="ADDRESS", help="run on a Dask distributed scheduler instead")
    run.add_argument("--processed", default="data/processed")
    run.add_argument("--out", default="reports")
    run.set_defaults(func=_cmd_run)

    bul = sub.add_parser("bulletin", help="draft the progress and filing-quality bulletin (通报) as Markdown")
    bul.add_argument("--period", default="latest",
                     help="a month 'YYYY-MM', a quarter 'YYYYQn' (drafted as its last month) or 'latest'")
    bul.add_argument("--province", help="province code, or 'national' for the ministry's bulletin across provinces "
                                        "(default: every province with data)")
    bul.add_argument("--processed", default="data/processed")
    bul.add_argument("--out", default="reports")
    bul.set_defaults(func=_cmd_bulletin)

    scan = sub.add_parser("scan", help="look for resident ID numbers and mobile numbers in files or folders")
    scan.add_argument("paths", nargs="+")
    scan.add_argument("--format", choices=["text", "json"], default="text")
    scan.set_defaults(func=_cmd_scan)

    ver = sub.add_parser("verify", help="rebuild reports into a temporary folder and list those that differ")
    ver.add_argument("paths", nargs="*", help="report files or folders (default: all)")
    ver.add_argument("--processed", default="data/processed")
    ver.add_argument("--out", default="reports")
    ver.set_defaults(func=_cmd_verify)

    rep = sub.add_parser("reports", help="write the catalog page and reports/index.html")
    rep.add_argument("--out", default="reports", help="report folder (default reports/)")
    rep.add_argument("--processed", default="data/processed",
                     help="processed data; reports whose data is no longer there are left out of the index")
    rep.set_defaults(func=_cmd_reports)
    return parser


def _failure(exc: BaseException) -> tuple[str, int]:
    """One line saying what went wrong and what to do, and the exit status."""
    if isinstance(exc, KeyboardInterrupt):
        return ("interrupted; every output file is whole (the previous one or the new one): "
                "run the command again to finish"), 130
    if isinstance(exc, SbkError):
        return str(exc), exc.exit_code
    if isinstance(exc, OSError):
        name = exc.filename if exc.filename is not None else ""
        where = f": {name}" if name else ""
        if isinstance(exc, PermissionError):
            return (f"permission denied{where}: give the user running sbk access to it and run again; "
                    "outputs already there are left whole"), 1
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return (f"no space left on the disk{where}: free some space and run again; "
                    "outputs already there are left whole"), 1
        if exc.errno == errno.EROFS:
            return f"read-only file system{where}: write to another folder (--out)", 1
        return f"{exc.strerror or exc}{where}", 1
    return (f"unexpected error ({type(exc).__name__}: {exc}); run again with SBK_DEBUG=1 to see where, "
            "and report it"), 1


class _Interrupted:
    """Whether Ctrl-C was pressed during this command (truthy once it was)."""

    def __init__(self) -> None:
        self.pressed = False
        self.previous: object = None

    def __bool__(self) -> bool:
        return self.pressed


def _interruptible() -> _Interrupted:
    """Answer Ctrl-C once: the first press raises KeyboardInterrupt and is remembered; later presses, while the
    command cleans up and prints its one line, are ignored (a second KeyboardInterrupt at that point would end
    the interpreter with a traceback or a signal instead of exit 130)."""
    state = _Interrupted()
    if threading.current_thread() is not threading.main_thread():
        return state  # signal handlers can only be set from the main thread (tests call main() in threads)

    def on_sigint(signum: int, frame: object) -> None:
        if state.pressed:
            return
        state.pressed = True
        raise KeyboardInterrupt

    state.previous = signal.signal(signal.SIGINT, on_sigint)
    return state


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command: ``argv`` given (tests, notebooks) runs it in-process; ``None`` is the program itself,
    started by ``sbk …`` or ``python -m sbk.cli …``, whose process ends when this returns."""
    if argv is not None:
        return _command(argv)
    with as_program():
        return _command(None)


@contextmanager
def as_program() -> Iterator[None]:
    """The process is the ``sbk`` program (``benchmarks/ingest_bench.py`` runs its ingest inside this too, to time it
    as the program runs): it ends when the block does."""
    # Pandera imports hypothesis, when it is installed, only to offer example data: no command draws any, and
    # hypothesis is a test dependency; kept out, a person waiting for ``sbk validate`` saves ~0.1 s.
    sys.modules.setdefault("hypothesis", None)  # type: ignore[arg-type]  # None: "import hypothesis" fails
    try:
        yield
    finally:
        leave_uncollected()


def _command(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    command = "sbk " + args.command
    interrupted = _interruptible()
    try:
        status = int(args.func(args))
        if not interrupted:
            return status
        # Ctrl-C landed where Python cannot raise it (a finaliser prints and drops it): the work went on to
        # the end, but the user asked to stop and is told so, like any other interruption.
        raise KeyboardInterrupt
    except BrokenPipeError:
        # The reader stopped early (`sbk validate … | head`): nothing more to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (KeyboardInterrupt, SbkError, OSError) as exc:
        if isinstance(exc, KeyboardInterrupt):
            # A notebook cut short leaves an asyncio task whose "kernel died" error would be logged, with a
            # traceback, when the interpreter exits; the interruption is already reported in one line.
            import logging

            logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        message, status = _failure(exc)
    except Exception as exc:
        if os.environ.get("SBK_DEBUG"):
            raise
        message, status = _failure(exc)
    finally:
        # Called in-process (with argv: tests, notebooks) the caller gets its own Ctrl-C back; as the program
        # itself the handler stays, so a second press while the one line is printed is ignored too.
        if argv is not None and interrupted.previous is not None:
            signal.signal(signal.SIGINT, interrupted.previous)  # type: ignore[arg-type]
    # Names of files in the message come from the file system: escaped, so the message stays one line.
    print(f"{command}: {escape_controls(message)}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
