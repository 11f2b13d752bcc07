"""Which reports to build: jobs for a period, province and analyses, with their parameters checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from sbk.build.registry import ANALYSES, NATIONAL, NATIONAL_ANALYSES

__all__ = ["Job", "ParameterError", "validate_parameters", "plan", "national_period", "has_data"]


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


def _file_key(path: Path) -> tuple[str, int, int, int] | None:
    """A cache key that changes when the file does (an atomic replace gives a new inode); None when it is missing."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return str(path.resolve()), st.st_ino, st.st_mtime_ns, st.st_size


def _available(processed: Path) -> dict[str, dict[str, list[str]]]:
    """Periods with data: {province: {'monthly': [...], 'quarterly': [...]}}."""
    return _available_in(_file_key(processed / "filings.parquet"))


@lru_cache(maxsize=8)
def _available_in(key: tuple[str, int, int, int] | None) -> dict[str, dict[str, list[str]]]:
    import pandas as pd

    out: dict[str, dict[str, list[str]]] = {}
    if key is None:
        return out
    f = pd.read_parquet(key[0])
    for prov, g in f.groupby("province_code"):
        monthly = sorted(g.loc[g["form"] == "monthly", "period"].unique())
        quarterly = sorted(g.loc[g["form"] != "monthly", "period"].unique())
        out[str(prov)] = {"monthly": monthly, "quarterly": quarterly}
    return out


def _national_months(processed: Path) -> list[str]:
    """Months with a published national holders figure, in order."""
    return _national_months_in(_file_key(processed / "published_figures.parquet"))


@lru_cache(maxsize=8)
def _national_months_in(key: tuple[str, int, int, int] | None) -> list[str]:
    import pandas as pd

    if key is None:
        return []
    pf = pd.read_parquet(key[0])
    pf = pf[(pf["measure"] == "holders") & (pf["scope"] == "全国")]
    return sorted({str(d)[:7] for d in pf["date"]})


def national_period(processed: Path) -> str | None:
    """The month of the latest published national holders figure."""
    months = _national_months(processed)
    return months[-1] if months else None


def has_data(processed: Path, job: Job) -> bool:
    """The processed data still holds what ``job``'s report is about: a filing of that form kind for the province
    and period, or (national reports) a published national holders figure of that month.

    A report whose data has been removed from ``data/raw`` (and so from ``data/processed``) is left out of the index.
    """
    from sbk.calendar import PeriodError, parse_period

    if job.province == NATIONAL:
        return job.period in _national_months(processed)
    try:
        kind = parse_period(job.period, check_regime=False).kind
    except PeriodError:
        return False
    return job.period in _available(processed).get(job.province, {}).get(kind, [])


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
                # A named period without a filing of the province gets no report (an empty report would be
                # indexed as if there were data); the CLI then says "no data", as for 'latest'.
                kind = parse_period(period).kind
                periods = [period] if period in kinds[kind] else []
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
