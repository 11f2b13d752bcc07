"""Findings: what validation reports, as plain records.

Pure code produces findings; the CLI decides how to print them. One finding is
one line: ``path:sheet!CELL: error|warning rule: message`` (``path:line:`` for text files).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Iterable, Literal

__all__ = ["Finding", "ERROR", "WARNING", "has_errors", "format_findings", "findings_json", "findings_csv"]

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    sheet: str
    cell: str
    severity: Severity
    rule: str
    message: str
    line: int = 0  # for text files (the catalog): path:line

    @property
    def location(self) -> str:
        loc = self.path or "<input>"
        if self.line:
            return f"{loc}:{self.line}"
        if self.sheet or self.cell:
            loc += f":{self.sheet}"
            if self.cell:
                loc += f"!{self.cell}"
        return loc

    def format(self) -> str:
        return f"{self.location}: {self.severity} {self.rule}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)


def format_findings(findings: Iterable[Finding]) -> str:
    return "\n".join(f.format() for f in sorted(set(findings)))


def findings_json(findings: Iterable[Finding]) -> str:
    return json.dumps([f.to_dict() for f in sorted(set(findings))], ensure_ascii=False, indent=2)


def findings_csv(findings: Iterable[Finding]) -> bytes:
    """Findings as a CSV an analyst can send back to the filing office (UTF-8 with BOM so Excel shows Chinese).

    Sheet names and cell text come from the filed workbook, so text cells are neutralised against formula injection.
    """
    from sbk.export import csv_bytes

    header = ["path", "sheet", "cell", "line", "severity", "rule", "message"]
    rows = [[f.path, f.sheet, f.cell, f.line or "", f.severity, f.rule, f.message] for f in sorted(set(findings))]
    return csv_bytes(header, rows, bom=True)
