"""Every rule has a stable code, and docs/rules.md lists them all as generated from the rules."""

from __future__ import annotations

import ast
from pathlib import Path

from sbk.findings import RULES, Finding, all_rules, rules_markdown

REPO = Path(__file__).resolve().parents[1]


def test_rules_doc_is_current():
    doc = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert doc == rules_markdown(), "docs/rules.md is stale: run `.venv/bin/python -m sbk.findings > docs/rules.md`"


def test_every_rule_code_appears_in_the_doc_once():
    doc = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    for r in all_rules():
        assert doc.count(f"| `{r.code}` |") == 1, r.code


def test_findings_are_made_only_through_a_rule():
    """A finding made directly (``Finding(...)``) would have no code: only ``Rule.finding`` may make one."""
    offenders = []
    for path in sorted((REPO / "sbk").rglob("*.py")):
        if path.name == "findings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Finding":
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []


def test_a_rule_finding_carries_code_label_and_severity():
    r = RULES["monthly.total_equals_sum"]
    f = r.finding("a.xlsx", "Sheet1", "D7", "累计持卡人数 合计 1.00 ≠ 2.00")
    assert f == Finding("a.xlsx", "Sheet1", "D7", "error", "合计≠各行之和", "累计持卡人数 合计 1.00 ≠ 2.00", 0,
                        "monthly.total_equals_sum")
    assert f.format() == "a.xlsx:Sheet1!D7: error monthly.total_equals_sum 合计≠各行之和: 累计持卡人数 合计 1.00 ≠ 2.00"


def test_every_module_that_defines_rules_is_listed_for_the_doc():
    """all_rules() imports RULE_MODULES; a module defining rules but missing there would drop out of docs/rules.md."""
    from sbk.findings import RULE_MODULES

    defining = set()
    for path in sorted((REPO / "sbk").rglob("*.py")):
        if path.name == "findings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "rule":
                parts = path.relative_to(REPO).with_suffix("").parts
                module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
                defining.add(module)
    listed = set(RULE_MODULES)
    assert {m for m in defining if not any(m == x or m.startswith(x + ".") for x in listed)} == set()
