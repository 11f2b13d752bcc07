"""Findings and the rules that produce them, as plain records.

A **rule** has a stable code (``monthly.total_equals_sum``), a severity, a
label in the form's own words and, where it enforces a sentence of the
填写说明, that sentence. Every finding carries its rule's code next to the
label, so tests, the JSON/CSV outputs and the bulletin can group by rule
while people read the label. Rules register themselves in ``RULES`` when
their module is imported; ``all_rules()`` imports every such module, and
``docs/rules.md`` is generated from it (``python -m sbk.findings``).

Pure code produces findings; the CLI decides how to print them. One finding is
one line: ``path:sheet!CELL: error|warning code label: message`` (``path:CELL:`` for a CSV,
``path:line:`` for text files).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = [
    "ERROR",
    "RULES",
    "WARNING",
    "Finding",
    "Rule",
    "Severity",
    "all_rules",
    "escape_controls",
    "findings_csv",
    "findings_json",
    "format_findings",
    "has_errors",
    "rule",
    "rules_markdown",
]

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"

_CODE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")

# Characters that would let text from a file act on a terminal or break a line: C0 and C1 controls (ESC, BEL,
# CR, LF…, DEL), Unicode line and paragraph separators, and the bidirectional overrides and isolates (which can
# make a line read differently from what it holds).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_controls(text: str) -> str:
    """``text`` with control characters shown as escapes (``\\n``, ``\\x1b``, ``\\u2028``): safe to print on one line."""
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(), m.group().encode("unicode_escape").decode("ascii")), text)


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    sheet: str
    cell: str
    severity: Severity
    rule: str  # the rule's label, in the form's words
    message: str
    line: int = 0  # for text files (the catalog): path:line
    code: str = ""  # the rule's stable code; last, so that sorting is by place first

    @property
    def location(self) -> str:
        """``path:sheet!CELL`` (or ``path:line``), with control characters in the names escaped."""
        loc = self.path or "<input>"
        if self.line:
            return escape_controls(f"{loc}:{self.line}")
        if self.sheet:
            loc += f":{self.sheet}"
            if self.cell:
                loc += f"!{self.cell}"
        elif self.cell:
            loc += f":{self.cell}"  # a sheet-less file (CSV): path:C5, as an editor or Excel names the cell
        return escape_controls(loc)

    def format(self) -> str:
        """The finding as exactly one line: text from files (names, cell values) has its control characters escaped."""
        return f"{self.location}: {self.severity} {self.code} {escape_controls(self.rule)}: {escape_controls(self.message)}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Rule:
    """One rule: what a finding says about itself besides where it is."""

    code: str
    label: str  # the rule in the form's words, printed in findings
    severity: Severity
    scope: str  # the form (monthly, q1…q4), table or input the rule belongs to
    quote: str = ""  # the 填写说明 (or other source) sentence it enforces, verbatim
    column: str | None = None  # for table rules: the column whose cell a finding points at
    explain: Callable[[Any], str] | None = field(default=None, compare=False)  # message from a table row
    check: Callable[[Any], Any] | None = field(default=None, compare=False)  # table rule: frame → bool Series

    def finding(self, path: str, sheet: str = "", cell: str = "", message: str | None = None, line: int = 0) -> Finding:
        # Every finding is made here, and many echo what a filer wrote (a file or sheet name, a cell's text):
        # a personal number in any of them is masked, so no output, log or stored finding can carry one.
        from sbk.privacy import mask  # sbk.privacy defines rules with this module

        return Finding(mask(path), mask(sheet), cell, self.severity, self.label,
                       mask(self.label if message is None else message), line, self.code)


RULES: dict[str, Rule] = {}


def rule(code: str, label: str, severity: Severity, scope: str, quote: str = "", **kwargs: Any) -> Rule:
    """Define and register a rule; a code is defined once."""
    if not _CODE.fullmatch(code):
        raise ValueError(f"rule code {code!r} is not dotted lower_snake_case (e.g. monthly.total_equals_sum)")
    if code in RULES:
        raise ValueError(f"rule code {code!r} defined twice")
    RULES[code] = r = Rule(code, label, severity, scope, quote, **kwargs)
    return r


# Modules that define rules; importing them registers their rules.
RULE_MODULES = ("sbk.forms", "sbk.workbooks", "sbk.header_period", "sbk.plausibility", "sbk.validate", "sbk.ingest", "sbk.privacy", "sbk.published", "sbk.published_check",
                "sbk.catalog", "sbk.build.verification")


def all_rules() -> list[Rule]:
    import importlib

    for module in RULE_MODULES:
        importlib.import_module(module)
    return sorted(RULES.values(), key=lambda r: r.code)


def rules_markdown() -> str:
    """``docs/rules.md``: every rule code with its severity, scope, label and the wording it enforces."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "# Rule codes",
        "",
        "Every finding `sbk` reports carries one of these codes (generated by `python -m sbk.findings`; "
        "`tests/test_rules_doc.py` fails when this file is stale). *Scope* is the form (`monthly`, `q1`…`q4`), "
        "table or input the rule checks; *wording* is the sentence of the 填写说明 (2015 notice) or other "
        "source it enforces, verbatim, where there is one.",
        "",
        "| code | severity | scope | label | wording enforced |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| `{r.code}` | {r.severity} | {r.scope} | {cell(r.label)} | {cell(r.quote)} |" for r in all_rules()]
    return "\n".join(lines) + "\n"


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)


def format_findings(findings: Iterable[Finding]) -> str:
    return "\n".join(f.format() for f in sorted(set(findings)))


def findings_json(findings: Iterable[Finding]) -> str:
    return json.dumps([f.to_dict() for f in sorted(set(findings))], ensure_ascii=False, indent=2)


def findings_csv(findings: Iterable[Finding]) -> bytes:
    """Findings as a CSV an analyst can send back to the filing office (UTF-8 with BOM so Excel shows Chinese).

    Sheet names and cell text come from the filed workbook, so text cells are neutralised against formula injection
    and have their control characters escaped as in the text output: the CSV is printed to terminals too, where a
    raw ESC would act and a newline in a sheet name would forge a row.
    """
    from sbk.export import csv_bytes

    header = ["path", "sheet", "cell", "line", "severity", "code", "rule", "message"]
    rows = [[escape_controls(f.path), escape_controls(f.sheet), escape_controls(f.cell), f.line or "", f.severity,
             f.code, escape_controls(f.rule), escape_controls(f.message)]
            for f in sorted(set(findings))]
    return csv_bytes(header, rows, bom=True)


if __name__ == "__main__":
    # Run as a script this file is __main__, not sbk.findings, whose RULES the rule modules fill.
    import sbk.findings

    print(sbk.findings.rules_markdown(), end="")
