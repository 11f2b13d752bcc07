"""The read floor of ``ingest_bench.py``: open every workbook with python-calamine and read every sheet's cells,
in two spawned worker processes (as ``sbk ingest`` reads), nothing else imported. Usage: calamine_floor.py LISTING
(one path a line); prints the number of cells read as JSON."""

from __future__ import annotations

import json
import multiprocessing as mp
import sys
from concurrent.futures import ProcessPoolExecutor

from python_calamine import CalamineWorkbook


def read(paths: list[str]) -> int:
    cells = 0
    for p in paths:
        wb = CalamineWorkbook.from_path(p)
        for name in wb.sheet_names:
            cells += sum(len(r) for r in wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
    return cells


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        paths = [line for line in fh.read().splitlines() if line]
    chunks = [paths[i:i + 64] for i in range(0, len(paths), 64)]
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as pool:
        print(json.dumps({"cells": sum(pool.map(read, chunks))}))
