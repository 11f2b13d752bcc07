"""Which reports to build: jobs for a period, province and analyses, with their parameters checked."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sbk.build.registry import ANALYSES, NATIONAL, NATIONAL_ANALYSES, ROLLUP_ANALYSES

__all__ = ["ALL_PROVINCES", "Job", "ParameterError", "has_data", "national_period", "plan", "validate_parameters"]

ALL_PROVINCES = "all"  # --province all: every province's reports, and the national ones


class ParameterError(ValueError):
    """A notebook parameter that is not allowed (validated before papermill sees it)."""


@dataclass(frozen=True, order=True)
class Job:
    """One report: ``reports/<period>/<province>/<analysis>.{ipynb,html,json}`` and ``<analysis>.inputs.zip``."""

    period: str
    province: str
    analysis: str

    @property
    def folder(self) -> Path:
        return Path(self.period) / self.province

    def paths(self, reports: Path) -> dict[str, Path]:
        base = reports / self.folder / self.analysis
        return {"ipynb": base.with_suffix(".ipynb"), "html": base.with_suffix(".html"), "json": base.with_suffix(".json"),
                "inputs": base.parent / f"{self.analysis}.inputs.zip"}


def validate_parameters(period: str, province: str, analysis: str) -> None:
    """Only known analyses, well-formed periods and known province codes reach a notebook."""
    from sbk.calendar import PeriodError, parse_period
    from sbk.regions import RegionError, lookup

    if analysis not in ANALYSES:
        raise ParameterError(f"unknown analysis “{analysis}”: one of {', '.join(ANALYSES)}")
    if province == NATIONAL and analysis not in NATIONAL_ANALYSES:
        raise ParameterError(f"analysis “{analysis}” is built per province, not for national: one of "
                             f"{', '.join(NATIONAL_ANALYSES)}")
    if province != NATIONAL and not ANALYSES[analysis].provincial:
        raise ParameterError(f"analysis “{analysis}” is built for national only (--province national)")
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


def _filing_periods(processed: Path) -> dict[str, list[str]]:
    """Periods in which any province filed: {'monthly': [...], 'quarterly': [...]}."""
    out: dict[str, set[str]] = {"monthly": set(), "quarterly": set()}
    for kinds in _available(processed).values():
        for kind, periods in kinds.items():
            out[kind].update(periods)
    return {k: sorted(v) for k, v in out.items()}


def has_data(processed: Path, job: Job) -> bool:
    """The processed data still holds what ``job``'s report is about: a filing of that form kind for the province
    and period; for the national reports, a published national holders figure of that month (the published
    series), any published figure (the roll-up page, which shows the series even for a period nobody filed) or a
    monthly filing of that month (the ministry's bulletin).

    A report whose data has been removed from ``data/raw`` (and so from ``data/processed``) is left out of the index.
    """
    from sbk.calendar import PeriodError, parse_period

    try:
        kind = parse_period(job.period, check_regime=False).kind
    except PeriodError:
        return False
    if job.province == NATIONAL:
        if job.analysis == "bulletin":
            return job.period in _filing_periods(processed)["monthly"]
        if job.analysis in ROLLUP_ANALYSES:
            return bool(_national_months(processed)) or job.period in _filing_periods(processed)[kind]
        return job.period in _national_months(processed)
    return job.period in _available(processed).get(job.province, {}).get(kind, [])


def _national_jobs(processed: Path, period: str, explicit: bool, wanted: list[str]) -> list[Job]:
    """The national reports: the published series for the latest published month, and the roll-up of the
    provinces' forms (各省比较, and the ministry's bulletin for months) for the periods provinces filed.

    ``explicit`` (``--province national``): a named period nobody filed still gets its roll-up page, which says
    so and shows the published series.
    """
    from sbk.calendar import parse_period

    jobs: list[Job] = []
    nat = national_period(processed)
    if nat and (period in ("all", "latest") or period == nat):
        jobs.extend(Job(nat, NATIONAL, a) for a in wanted if a in NATIONAL_ANALYSES and a not in ROLLUP_ANALYSES)
    filed = _filing_periods(processed)
    if period == "all":
        periods = filed["monthly"] + filed["quarterly"]
    elif period == "latest":
        periods = filed["monthly"][-1:] + filed["quarterly"][-1:]
    else:
        kind = parse_period(period, check_regime=False).kind
        periods = [period] if period in filed[kind] or (explicit and (nat or period in filed[kind])) else []
    for p in periods:
        kind = parse_period(p, check_regime=False).kind
        for a in wanted:
            if a not in ROLLUP_ANALYSES or kind not in ANALYSES[a].kinds:
                continue
            if a == "bulletin" and p not in filed["monthly"]:
                continue  # the ministry's bulletin drafts a month provinces filed
            jobs.append(Job(p, NATIONAL, a))
    return jobs


def plan(processed: Path, period: str = "latest", province: str | None = None,
         analyses: Iterable[str] | None = None) -> list[Job]:
    """The jobs for a period ('YYYY-MM', 'YYYYQn', 'latest' or 'all') and a province (a code, 'national', or
    'all' / None for every province and the national reports)."""
    from sbk.calendar import parse_period

    wanted = list(analyses or ANALYSES)
    for a in wanted:
        if a not in ANALYSES:
            raise ParameterError(f"unknown analysis “{a}”: one of {', '.join(ANALYSES)}")
    if province == ALL_PROVINCES:
        province = None
    if province == NATIONAL and not any(a in NATIONAL_ANALYSES for a in wanted):
        raise ParameterError(f"{', '.join(wanted)}: built per province, not for national (national: "
                             f"{', '.join(NATIONAL_ANALYSES)})")
    if province not in (None, NATIONAL) and not any(ANALYSES[a].provincial for a in wanted):
        raise ParameterError(f"{', '.join(wanted)}: built for national only (--province national)")
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
                jobs.extend(Job(p, prov, a) for a in wanted if kind in ANALYSES[a].kinds and ANALYSES[a].provincial)
    if province in (None, NATIONAL):
        if period not in ("all", "latest"):
            parse_period(period, check_regime=False)
        jobs.extend(_national_jobs(processed, period, province == NATIONAL, wanted))
    for j in jobs:
        validate_parameters(j.period, j.province, j.analysis)
    return sorted(set(jobs))
