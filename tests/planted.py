"""A raw folder with planted faults of many rule codes, for the regression test of the reader's speed-ups.

Built from files this repository did not write for the test (the synthetic demo's workbooks, the LibreOffice
fixtures, a fuzz case) and from edits of copies of them: every form, every format, every step of reading
(container, privacy pass, header, period, units, totals, hidden rows and columns, banks, codes) and of
validation (cell rules, totals, duplicates, across periods and forms). More than 64 workbooks, so an ingest
with two processes reads them in its worker pool as the national set is read.

``clean=True`` leaves out every error (warnings stay), so the set is ingested and its processed files written.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import load_workbook

from sbk.template import save_workbook

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "raw" / "demo"
OFFICE = REPO / "tests" / "fixtures" / "office"
M, Q1, Q2, Q3, Q4 = ("发行情况月调度表", "工作情况季调度表（一）", "工作情况季调度表（二）", "工作情况季调度表（三）",
                     "工作情况季调度表（四）")


def _edit(path: Path, sheet: str, hide_rows: tuple[int, ...] = (), hide_cols: tuple[str, ...] = (),
          remark: str | None = None, **cells: object) -> None:
    wb = load_workbook(path)
    ws = wb[sheet]
    for ref, value in cells.items():
        ws[ref] = value
    for r in hide_rows:
        ws.row_dimensions[r].hidden = True
    for c in hide_cols:
        ws.column_dimensions[c].hidden = True
    if remark is not None:
        row = next(r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value or "").startswith("备注"))
        ws.cell(row, 1).value = remark
    save_workbook(wb, path)  # stable bytes: the same set every time


def _hunan(root: Path, period: str) -> Path:
    kind = "月调度表" if "-" in period else "季调度表"
    src = DEMO / f"430000_{period}_{kind}_synthetic.xlsx"
    dst = root / "430000" / src.name
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


def build(root: Path, clean: bool = False) -> Path:
    """Write the planted set under ``root`` (created) and return it."""
    root.mkdir(parents=True, exist_ok=True)
    hunan = {p: _hunan(root, p) for p in [f"2015-{m:02d}" for m in range(2, 13)] + [f"2015Q{q}" for q in range(1, 5)]}
    for code in ("110000", "120000", "130000", "140000"):
        shutil.copytree(DEMO / code, root / code)
    shutil.copyfile(DEMO / "region_population_430000_synthetic.csv", root / "430000" / "region_population_430000_synthetic.csv")
    bj = {p.name.split("_")[1]: p for p in (root / "110000").iterdir()}
    tj = {p.name.split("_")[1]: p for p in (root / "120000").iterdir()}

    # Warnings (kept in the clean set): banks by short name or unknown, a code read from the name, a name that does
    # not match its code, rows out of code order, a blank 工作进展, a 备注 that cannot be read, an identical copy,
    # files that are not read, a hidden sheet that holds no form.
    _edit(hunan["2015Q1"], Q4, B7="农信社", B8="某某合作银行")
    _edit(hunan["2015Q1"], Q1, J7="")
    _edit(hunan["2015Q2"], Q3, D5="")
    _edit(bj["2016-02"], M, B6="")
    _edit(bj["2016-03"], M, C7="北京")
    _edit(hunan["2015-04"], M, C6="湘潭市")
    _edit(hunan["2015-05"], M, remark="备注：新增城市若干")
    shutil.copyfile(bj["2016-01"], root / "110000" / "copy_of_2016-01.xlsx")
    (root / "110000" / "说明.docx").write_bytes(b"PK\x03\x04 not read")
    (root / "110000" / "~$110000_2016-04.xlsx").write_bytes(b"\x00lock")
    (root / "110000" / ".backup.xlsx").write_bytes(b"hidden")
    wb = load_workbook(tj["2016-05"])
    extra = wb.create_sheet("草稿")
    extra["A1"] = "草稿：不报送"
    extra.sheet_state = "hidden"
    save_workbook(wb, tj["2016-05"])
    if clean:
        return root

    # Errors, one or a few per workbook, every form and step.
    _edit(hunan["2015-06"], M, D5=-1, D6=12.345)
    _edit(hunan["2015-07"], M, D7="3560000人", D8="约二百", B9="439900")
    _edit(hunan["2015-08"], M, D5=1.0)  # falls, and the 合计 no longer adds up
    _edit(hunan["2015-09"], M, D6=2322100)  # filled in 人
    _edit(hunan["2015-10"], M, A2="填报单位：湖南省人力资源和社会保障厅 填报日期 2015年11月5日")
    _edit(hunan["2015-11"], M, D3="累计持卡人数（人）")
    _edit(hunan["2015-12"], M, hide_rows=(6,), hide_cols=("C",))
    _edit(hunan["2015Q2"], Q1, G6=12.5, H6="1，2，12", I7="1，10", C5=99.0, F8="2.00")
    _edit(hunan["2015Q3"], Q2, C6=120, F7="103", H9="1，2", G10="")
    _edit(hunan["2015Q4"], Q3, C5="①③")
    _edit(hunan["2015Q3"], Q3, C5=1)  # the 持卡库 stage goes back
    _edit(hunan["2015Q4"], Q4, D6=9999.0, E6=2.5, E7=99, C9=99999)
    _edit(bj["2016-04"], M, A1="社会保障卡情况表")
    _edit(bj["2016-05"], M, C3="名称")
    _edit(bj["2016-06"], M, D3="其他")
    _edit(bj["2016-07"], M, A2="填报单位：天津市人力资源和社会保障局 2016年7月")
    _edit(bj["2016-08"], M, A2="填报单位： 2016年8月")
    _edit(bj["2016-09"], M, A6="13812345678")
    _edit(bj["2016-10"], M, B7="", C7="不存在区")
    _edit(tj["2016-03"], M, A2="填报单位：天津市 2016年3月-4月")
    ws = load_workbook(tj["2016-06"])[M]
    total_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value == "合计")
    _edit(tj["2016-06"], M, **{f"C{total_row}": "小计"})
    different = root / "120000" / "copy_of_2016-07.xlsx"
    shutil.copyfile(tj["2016-07"], different)
    _edit(different, M, D5=0.5)
    wb = load_workbook(tj["2016-08"])
    wb[M]["D6"] = "=D5*2"  # a formula saved without its value
    save_workbook(wb, tj["2016-08"])
    wb = load_workbook(tj["2016Q1"])
    wb[Q3].sheet_state = "hidden"  # a hidden sheet holding a form
    save_workbook(wb, tj["2016Q1"])
    (root / "120000" / "broken.xlsx").write_bytes(b"<html><body>not a workbook</body></html>")
    (root / "120000" / "天津.et").write_bytes(b"\xd0\xcf\x11\xe0 wps")
    for name in ("hidden_row.ods", "hidden_column.xls", "hidden_sheet.xlsx", "encrypted.xlsx", "far_cell.xlsx",
                 "personal_places.xls", "footer_phone.xlsx"):
        shutil.copyfile(OFFICE / name, _mkdir(root / "office") / name)
    shutil.copyfile(OFFICE / "official.ods", root / "office" / "official.ods")  # Hunan 2015-03 again, other figures
    shutil.copyfile(REPO / "tests" / "fixtures" / "fuzz" / "truncated_xls_calamine_panic.xls", root / "office" / "truncated.xls")
    (root / "430000" / "monthly_tidy.csv").write_text(
        "period,province_code,region_code,region_name,cumulative_holders_10k\n"
        "2016-01,430000,430100,长沙市,-3\n2016-01,430000,430000,全省,10\n2016-13,430000,430200,株洲市,1\n",
        encoding="utf-8")
    (root / "430000" / "other.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return root


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


GOLDEN = REPO / "tests" / "fixtures" / "planted" / "golden.json"


def outcome(workdir: Path) -> dict:
    """What a person sees and what is written: ``sbk validate`` of the planted set (exit status and every finding,
    as ``--format json`` prints them) and ``sbk ingest`` of its clean variant (exit status, findings, and each
    processed file's sha256, ``datapackage.json`` without its fingerprint, which hashes sbk's own source)."""
    import contextlib
    import hashlib
    import io
    import json
    import os

    import pyarrow

    from sbk.cli import main

    def run(*argv: str) -> tuple[int, str]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(list(argv))
        return code, out.getvalue()

    here = Path.cwd()
    os.chdir(workdir)  # findings name files as shown from the working folder: raw/…, the same on every machine
    try:
        build(Path("faulty"))
        build(Path("clean"), clean=True)
        v_code, v_out = run("validate", "faulty", "--format", "json")
        i_code, i_out = run("ingest", "clean", "--out", "processed", "--format", "json")
        files = {}
        for f in sorted(Path("processed").iterdir()):
            data = f.read_bytes()
            if f.name == "datapackage.json":
                package = json.loads(data)
                package.pop("fingerprint")
                data = json.dumps(package, ensure_ascii=False, indent=2).encode()
            files[f.name] = hashlib.sha256(data).hexdigest()
    finally:
        os.chdir(here)
    return {"pyarrow": pyarrow.__version__,
            "validate": {"exit": v_code, "findings": json.loads(v_out)},
            "ingest": {"exit": i_code, "findings": json.loads(i_out), "files": files}}


if __name__ == "__main__":  # record the golden: only from a version whose findings are the reference
    import json
    import sys
    import tempfile

    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory() as tmp:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(outcome(Path(tmp)), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(GOLDEN)
