"""What reports exist: each analysis notebook with its title, the periods it is built for and the tables it reads.

The registry lives with the build, not in ``sbk.analysis``: it describes reports (a notebook, its title, which
periods get one, which tables its build record hashes), and importing it must stay free of pandas and
matplotlib so that planning a no-op rebuild is fast. ``tests/test_declared_tables.py`` runs every notebook and
checks that each table it loads is declared here: incremental rebuilds trust these lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sbk.resources import resource_dir

__all__ = [
    "ANALYSES",
    "NATIONAL",
    "NATIONAL_ANALYSES",
    "NATIONAL_TABLES",
    "NOTEBOOKS",
    "REPO",
    "ROLLUP_ANALYSES",
    "Analysis",
    "tables_read",
]

REPO = Path(__file__).resolve().parents[2]  # the checkout, when sbk runs from one (see sbk.resources)
NOTEBOOKS = resource_dir("notebooks")
NATIONAL = "national"  # the province of the national reports: the published figures, and the provinces' roll-up
# Built for "national" from the published figures only (real, with sources).
NATIONAL_TABLES = ("published_figures", "population", "plan_targets")
# What the national roll-up reads: every province's forms of the period, their receipts and findings.
ROLLUP_TABLES = ("monthly_issuance", "quarterly_work", "quarterly_application", "quarterly_cardholder_db",
                 "quarterly_bank", "filings", "province_population", "published_figures", "receipts", "findings")


@dataclass(frozen=True)
class Analysis:
    """One analysis notebook, ``notebooks/<name>.ipynb``."""

    name: str
    title: str
    kinds: tuple[str, ...]  # the periods it is built for: "monthly", "quarterly"
    tables: tuple[str, ...]  # the processed tables it reads for a province; they drive incremental rebuilds
    national_tables: tuple[str, ...] | None = None  # what it reads for "national"; None: not built for "national"
    provincial: bool = True  # built for each province (False: a national-only report)

    @property
    def notebook(self) -> Path:
        return NOTEBOOKS / f"{self.name}.ipynb"


def _registry(*analyses: Analysis) -> dict[str, Analysis]:
    return {a.name: a for a in analyses}


ANALYSES: dict[str, Analysis] = _registry(
    Analysis("coverage", "覆盖情况 · Coverage", ("monthly", "quarterly"),
             ("monthly_issuance", "quarterly_work", "quarterly_application", "region_population",
              "published_figures", "population", "filings"), national_tables=NATIONAL_TABLES),
    Analysis("issuance_trend", "发行趋势 · Issuance trend", ("monthly", "quarterly"),
             ("monthly_issuance", "filings", "region_population", "published_figures", "plan_targets", "population"),
             national_tables=NATIONAL_TABLES),
    Analysis("bank_cooperation", "银行合作 · Bank cooperation", ("quarterly",),
             ("quarterly_bank", "quarterly_work", "filings")),
    Analysis("applications", "应用推进 · Application rollout", ("quarterly",),
             ("quarterly_application", "filings")),
    Analysis("cardholder_db", "持卡库建设 · Cardholder database", ("quarterly",),
             ("quarterly_cardholder_db", "filings")),
    Analysis("bulletin", "进展与报送质量通报 · Bulletin", ("monthly",),
             ("monthly_issuance", "targets", "receipts", "filings", "findings"),
             national_tables=ROLLUP_TABLES),
    Analysis("provinces", "各省比较 · Provinces compared", ("monthly", "quarterly"), (),
             national_tables=ROLLUP_TABLES, provincial=False),
)
# The analyses built for "national": the published series (coverage, issuance_trend) and the roll-up of the
# provinces' forms (provinces, and the ministry's bulletin), which exist for the periods provinces filed.
NATIONAL_ANALYSES = tuple(a.name for a in ANALYSES.values() if a.national_tables is not None)
ROLLUP_ANALYSES = tuple(a for a in NATIONAL_ANALYSES if ANALYSES[a].national_tables != NATIONAL_TABLES)


def tables_read(analysis: str, province: str) -> tuple[str, ...]:
    """The tables a report of ``analysis`` for ``province`` reads, in the order its build record lists them."""
    if province == NATIONAL:
        return ANALYSES[analysis].national_tables or ()
    return ANALYSES[analysis].tables
