"""The ``sbk`` command: argument parsing, printing, exit codes; no business logic.

Exit codes: 0 success (warnings allowed), 1 data errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from sbk import __version__


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _table(rows: list[dict[str, str]]) -> str:
    if not rows:
        return ""
    cols = list(rows[0])
    # CJK characters take two columns in a terminal.
    def width(s: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

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


def _cmd_catalog(args: argparse.Namespace) -> int:
    import yaml

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
            record = catalog.find(args.doc_no, root)
            print(yaml.safe_dump(record, allow_unicode=True, sort_keys=False).rstrip())
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


def _cmd_reports(args: argparse.Namespace) -> int:
    # The ingest and report build arrive with their own issues; until then this
    # says what `make reports` will build rather than pretending to build it.
    from pathlib import Path

    from sbk.catalog_page import write_catalog_page

    out = write_catalog_page(Path(args.out))
    print(f"built {out}")
    print("Not built yet (the ingest and report-build commands are not implemented in this version):")
    print("  - data/processed/*.parquet from data/raw/ (sbk ingest)")
    print("  - reports/<period>/<province>/<analysis>.html and reports/index.html (sbk run)")
    return 0


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

    rep = sub.add_parser("reports", help="build what can be built now (the catalog page)")
    rep.add_argument("--out", default="reports", help="report folder (default reports/)")
    rep.set_defaults(func=_cmd_reports)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
