"""One field spec per column: adding a column to a form's layout is one edit, and everything else follows.

The test copies the package, adds one numeric column to the copy's 月调度表 layout
(one ``Field`` line in ``sbk/forms/layouts.py``, nothing else), and shows that the
template prints it, the reader reads it, validation checks it (its regular rules and
the 合计 row) and the processed table and data package carry it with its label and unit.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ANCHOR = '''                  quote="累计持卡人数：截至某月末本地区实际持有社会保障卡的人数，换卡、补卡人数不再重复计算，数字统一保留小数点后两位。"),
'''
NEW_FIELD = '''            Field("new_holders_10k", Kind.FIGURE_10K, "本月新增持卡人数（万人）", unit="万人", summed=True),
'''

SCRIPT = textwrap.dedent('''
    import json, sys
    from pathlib import Path
    import pandas as pd
    from sbk.forms import LAYOUTS
    from sbk.ingest import ingest
    from sbk.template import new_workbook, save_workbook, write_sheet

    raw, out = Path(sys.argv[1]), Path(sys.argv[2])
    layout = LAYOUTS["monthly"]
    rows = [{"region_code": "", "region_name": "省本级", "cumulative_holders_10k": 12.5, "new_holders_10k": 0.5},
            {"region_code": "430100", "region_name": "长沙市", "cumulative_holders_10k": 300.12, "new_holders_10k": -2.0},
            {"region_code": "430200", "region_name": "株洲市", "cumulative_holders_10k": 80.0, "new_holders_10k": 1.25}]
    wb = new_workbook()
    ws = write_sheet(wb, "monthly", "湖南省", "2015-03", rows,
                     total={"cumulative_holders_10k": 392.62, "new_holders_10k": 9.99}, title="Sheet1")
    save_workbook(wb, raw / "bad" / "m.xlsx")
    header = [c.value for c in ws[3]]
    # The same workbook without its two faults, for what is stored.
    ws["E5"], ws["E7"] = 2.0, 3.75
    save_workbook(wb, raw / "ok" / "m.xlsx")
    result = ingest(raw / "bad", out / "bad")
    good = ingest(raw / "ok", out / "ok")
    df = pd.read_parquet(out / "ok" / "monthly_issuance.parquet")
    package = json.loads((out / "ok" / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for r in package["resources"] if r["name"] == "monthly_issuance" for f in r["schema"]["fields"]}
    print(json.dumps({
        "letter": layout.letter("new_holders_10k"), "header": header,
        "findings": sorted([f.code, f.cell] for f in result.findings),
        "good_findings": [f.format() for f in good.findings],
        "stored": [None if pd.isna(v) else float(v) for v in df["new_holders_10k"]],
        "dtype": str(df["new_holders_10k"].dtype),
        "field": fields.get("new_holders_10k"),
    }, ensure_ascii=False))
''')


def test_a_numeric_column_added_to_a_layout_is_read_validated_templated_and_packaged(tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(REPO / "sbk", copy / "sbk", ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "policy_catalog").symlink_to(REPO / "policy_catalog")
    layouts = copy / "sbk" / "forms" / "layouts.py"
    text = layouts.read_text(encoding="utf-8")
    assert text.count(ANCHOR) == 1
    layouts.write_text(text.replace(ANCHOR, ANCHOR + NEW_FIELD), encoding="utf-8")

    raw = tmp_path / "raw"
    (raw / "bad").mkdir(parents=True)
    (raw / "ok").mkdir()
    script = tmp_path / "run.py"
    script.write_text(SCRIPT, encoding="utf-8")
    run = subprocess.run([sys.executable, str(script), str(raw), str(tmp_path / "out")], capture_output=True,
                         text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(copy)})
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)

    assert got["letter"] == "E"
    assert got["header"] == ["序号", "行政区划代码", "地区", "累计持卡人数（万人）", "本月新增持卡人数（万人）"]
    # Validation: the derived non-negative rule points at the cell; the 合计 row is checked for the new column too.
    assert ["monthly.new_holders_10k.non_negative", "E5"] in got["findings"]
    assert ["monthly.total_equals_sum", "E7"] in got["findings"]
    assert got["good_findings"] == []
    assert got["stored"] == [0.5, 2.0, 1.25] and got["dtype"] == "float64"
    assert got["field"] == {"name": "new_holders_10k", "type": "number", "title": "本月新增持卡人数", "unit": "万人"}


def test_column_letters_agree_with_openpyxl_from_a_to_the_last_excel_column():
    from openpyxl.utils import get_column_letter

    from sbk.forms.spec import column_letter

    assert all(column_letter(n) == get_column_letter(n) for n in range(1, 16385))
    with pytest.raises(ValueError):
        column_letter(0)
