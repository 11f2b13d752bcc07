"""Which reports to build: jobs for a period, province and analyses, with their parameters checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from sbk.build.registry import ANALYSES, NATIONAL, NATIONAL_ANALYSES

__all__ = ["Job", "ParameterError", "validate_parameters", "plan", "national_period"]


class ParameterError(ValueError):
    """A notebook parameter that is not allowed (validated before papermill sees it)."""


@dataclass(frozen=True, order=True)
class Job:
    """One report: ``reports/<period>/<province>/<analysis>.{ipynb,html,json}``."""

    period: str
    province: str
    analysis: str

    @property
    def folder(self) -> Path:
        return Path(self.period) / self.province

    def paths(self, reports: Path) -> dict[str, Path]:
        base = reports / self.folder / self.analysis
        return {"ipynb": base.with_suffix(".ipynb"), "html": base.with_suffix(".html"), "json": base.with_suffix(".json")}


def validate_parameters(period: str, province: str, analysis: str) -> None:
    """Only known analyses, well-formed periods and known province codes reach a notebook."""
    from sbk.calendar import PeriodError, parse_period
    from sbk.regions import RegionError, lookup

    if analysis not in ANALYSES:
        raise ParameterError(f"unknown analysis “{analysis}”: one of {', '.join(ANALYSES)}")
    try:
        parse_period(period, check_regime=(province != NATIONAL))
    except PeriodError as exc:
        raise ParameterError(str(exc)) from None
    if province != NATIONAL:
        if not re.fullmatch(r"\d{2}0000", province):
            raise ParameterError(f"province “{province}” is not a province code such as 430000")
        try:
            lookup(province, period, quiet=True)
        except RegionError as exc:
            raise ParameterError(str(exc)) from None


def _available(processed: Path) -> dict[str, dict[str, list[str]]]:
    """Periods with data: {province: {'monthly': [...], 'quarterly': [...]}}."""
    import pandas as pd

    out: dict[str, dict[str, list[str]]] = {}
    path = processed / "filings.parquet"
    if not path.exists():
        return out
    f = pd.read_parquet(path)
    for prov, g in f.groupby("province_code"):
        monthly = sorted(g.loc[g["form"] == "monthly", "period"].unique())
        quarterly = sorted(g.loc[g["form"] != "monthly", "period"].unique())
        out[str(prov)] = {"monthly": monthly, "quarterly": quarterly}
    return out


def national_period(processed: Path) -> str | None:
    """The month of the latest published national holders figure."""
    import pandas as pd

    path = processed / "published_figures.parquet"
    if not path.exists():
        return None
    pf = pd.read_parquet(path)
    pf = pf[(pf["measure"] == "holders") & (pf["scope"] == "全国")]
    return str(pf["date"].max())[:7] if len(pf) else None


def plan(processed: Path, period: str = "latest", province: str | None = None,
         analyses: Iterable[str] | None = None) -> list[Job]:
    """The jobs for a period ('YYYY-MM', 'YYYYQn', 'latest' or 'all')."""
    from sbk.calendar import parse_period

    wanted = list(analyses or ANALYSES)
    for a in wanted:
        if a not in ANALYSES:
            raise ParameterError(f"unknown analysis “{a}”: one of {', '.join(ANALYSES)}")
    jobs: list[Job] = []
    avail = _available(processed)
    provinces = [province] if province and province != NATIONAL else sorted(avail)
    if province != NATIONAL:
        for prov in provinces:
            kinds = avail.get(prov, {"monthly": [], "quarterly": []})
            if period == "all":
                periods = kinds["monthly"] + kinds["quarterly"]
            elif period == "latest":
                periods = kinds["monthly"][-1:] + kinds["quarterly"][-1:]
            else:
                parse_period(period)
                periods = [period]
            for p in periods:
                kind = parse_period(p).kind
                jobs.extend(Job(p, prov, a) for a in wanted if kind in ANALYSES[a].kinds)
    if province in (None, NATIONAL):
        nat = national_period(processed)
        if nat and (period in ("all", "latest") or period == nat):
            jobs.extend(Job(nat, NATIONAL, a) for a in wanted if a in NATIONAL_ANALYSES)
    for j in jobs:
        validate_parameters(j.period, j.province, j.analysis)
    return sorted(set(jobs))
