"""The published record's own check: ``sbk published check``.

``data/raw/published/published_figures.csv`` is hand-gathered from public sources;
this module checks every row against the rules written in
``data/raw/published/README.md``: the columns, the controlled vocabulary of
measures and units, plausible real dates, scopes, reliability grades, a quote
that states the number as printed, no exact duplicate rows, and lower bounds
marked. Rows that give the same measure, scope and date different values are
listed as warnings naming both sources (sources may disagree; both are kept).

Each problem is one :class:`~sbk.findings.Finding` with the CSV line it is on
(``path:line: error|warning rule: message``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from sbk.findings import ERROR, WARNING, Finding, rule

__all__ = [
    "COLUMNS",
    "FIRST_DATE",
    "MEASURES",
    "NATIONAL_SCOPE",
    "RELIABILITY",
    "UNITS",
    "agree",
    "amount",
    "check_published",
    "default_path",
    "numbers_in",
]

COLUMNS = ["date", "measure", "value", "unit", "scope", "source_url", "quote", "reliability", "note"]
REQUIRED = [c for c in COLUMNS if c != "note"]
RELIABILITY = ("primary", "seed", "reprint", "secondary")
NATIONAL_SCOPE = "全国"
FIRST_DATE = dt.date(2011, 1, 1)

# Unit → its size in plain units (people, cards, items, times, records; % is itself).
UNITS = {
    "亿人": 1e8, "万人": 1e4, "人": 1.0,
    "亿张": 1e8, "万张": 1e4, "张": 1.0,
    "亿次": 1e8, "万次": 1e4, "亿人次": 1e8,
    "万条": 1e4, "个": 1.0, "项": 1.0, "%": 1.0,
}
_PEOPLE = ("亿人", "万人")
_CARDS = ("亿张", "万张")
_COUNT = ("个",)
_PCT = ("%",)
_ITEMS = ("项",)
_TIMES = ("亿次", "万次", "亿人次")

# The controlled vocabulary: measure → (units it may be given in, meaning). Documented in
# data/raw/published/README.md; a new measure goes in both places.
MEASURES: dict[str, tuple[tuple[str, ...], str]] = {
    # card holders and coverage
    "holders": (_PEOPLE, "card holders (持卡人数), cumulative"),
    "population_coverage_pct": (_PCT, "holders as a share of the population (覆盖…人口 / 常住人口覆盖率)"),
    "penetration_pct": (_PCT, "社保卡普及率 as stated"),
    "cards_first_batch": (("张", "万张"), "first trial batch of cards"),
    "cards_issued": (_CARDS, "cards issued (发放/发卡), cumulative"),
    "cards_issued_year": (_CARDS, "cards issued during one year (date = year end)"),
    "cards_made": (("万张", "万人"), "cards made (制卡), cumulative"),
    "cards_activated": (_PEOPLE, "cards taken up and activated (领卡启用)"),
    "records_submitted": (("万人", "万条"), "personal records submitted for card making (开户/制卡数据)"),
    # issuing areas
    "issuing_provinces": (_COUNT, "provinces issuing the national card"),
    "issuing_cities": (_COUNT, "cities (地市) issuing the card"),
    "issuing_areas": (_COUNT, "issuing areas incl. 省本级 and XPCC divisions"),
    "area_coverage_pct": (_PCT, "share of cities issuing (地市覆盖率), not population"),
    "provinces_all_cities_issuing": (_COUNT, "provinces where every city issues"),
    "cities_cross_city_use": (_COUNT, "cities where the card works across cities in the province"),
    # financial function
    "fin_cards": (_CARDS, "cards with financial function"),
    "fin_card_share_pct": (_PCT, "share of cards with financial function"),
    "fin_activated": (("万人", "万张"), "financial accounts activated"),
    "fin_activation_pct": (_PCT, "share of financial accounts activated"),
    "nonfin_cards": (_CARDS, "cards without financial function"),
    # third-generation card
    "third_gen_cards": (_CARDS, "third-generation cards issued"),
    "third_gen_holders": (_PEOPLE, "third-generation card holders"),
    "third_gen_cities": (_COUNT, "cities issuing third-generation cards"),
    "third_gen_share_pct": (_PCT, "third-generation cards as a share of all"),
    "third_gen_uses": (_TIMES, "uses of third-generation cards, cumulative"),
    # electronic card
    "ecard_signed": (_CARDS, "electronic cards signed/applied for (签发/申领), cumulative"),
    "ecard_users": (_PEOPLE, "people holding an electronic card (领用人数)"),
    "ecard_coverage_pct": (_PCT, "electronic-card holders as a share of the population"),
    "ecard_cities": (_COUNT, "cities where the electronic card is available"),
    "ecard_provinces": (_COUNT, "provinces where the electronic card is available"),
    "ecard_channels": (_COUNT, "channels (apps, mini programs) that issue/serve the electronic card"),
    "ecard_services_national": (_ITEMS, "national services on the electronic card"),
    "ecard_services_local": (_ITEMS, "local services on the electronic card"),
    "ecard_service_times": (_TIMES, "services rendered by the electronic card, cumulative"),
    "ecard_service_times_year": (_TIMES, "services rendered by the electronic card during one year"),
    "ecard_local_visits": (_TIMES, "visits to local electronic-card services, cumulative"),
    "ecard_users_minors": (_PEOPLE, "electronic-card users under 18"),
    "ecard_users_elderly": (_PEOPLE, "electronic-card users over 60"),
    "ecard_family_users": (_PEOPLE, "users served through 亲情服务 (family accounts)"),
    "ecard_mau_peak": (_PEOPLE, "peak monthly active users"),
    "ecard_dau_peak": (_PEOPLE, "peak daily active users"),
    "ecard_medical_cities": (_COUNT, "cities where the electronic card pays for medical care"),
    "ecard_transit_cities": (_COUNT, "cities where the electronic card rides public transport"),
    # applications and services
    "catalog_open_rate_pct": (_PCT, "share of the 102-item application catalog opened"),
    "card_applications": (_ITEMS, "applications on the card (持卡应用 / 一卡通应用)"),
    "card_services": (_ITEMS, "services handled with the card (一卡办理)"),
    "card_services_hrss": (_ITEMS, "human resources and social security services on the card"),
    "cities_medical_use_pct": (_PCT, "share of cities where the card pays for medical care"),
    "cities_pension_use_pct": (_PCT, "share of cities paying pensions to the card"),
    "cities_unemployment_use_pct": (_PCT, "share of cities paying unemployment/injury/maternity benefits to the card"),
    "cities_subsidy_use": (_COUNT, "cities paying subsidies to the card"),
    "cities_transit_use": (_COUNT, "cities where the card rides public transport"),
    "cities_culture_use": (_COUNT, "cities where the card opens libraries, parks, museums"),
    "service_outlets": (_COUNT, "card service outlets (服务网点)"),
    "ykt_law_provinces": (_COUNT, "provinces with 一卡通 legislation"),
    "ykt_pilot_provinces": (_COUNT, "provinces in the 居民服务一卡通 pilot"),
}

# GB/T 2260 province prefixes (incl. Taiwan, Hong Kong, Macao).
_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
}

_LOWER_BEFORE = ("超过", "超過", "超", "突破", "逾", "more than", "over", "exceeded", "exceeds", "topped", "above")
_LOWER_AFTER = ("多", "余", "餘", "以上", "+")
_APPROX_BEFORE = ("近", "约", "約", "nearly", "about", "roughly", "approximately", "around")

_TRAD = str.maketrans({"億": "亿", "萬": "万", "．": ".", "％": "%", "，": ","} | {chr(0xFF10 + i): str(i) for i in range(10)})
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_RUN = "零〇一二两兩三四五六七八九十百千"
_MULT = {"亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "billion": 1e9, "bln": 1e9, "million": 1e6, "mln": 1e6}
_NUMBER = re.compile(
    r"(?<![\d.])(\d+(?:,\d{3}(?!\d))*(?:\.\d+)?)\s*(亿|千万|百万|万|billion|bln|million|mln)?(?![a-z])", re.IGNORECASE)


def default_path() -> Path:
    from sbk.resources import resource_dir

    return resource_dir("published") / "published_figures.csv"


def _cn_int(run: str) -> int | None:
    """A Chinese numeral below 10,000 (十三, 九十, 一千二百) as an integer."""
    total, digit = 0, None
    for ch in run:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            total += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def _arabic(text: str) -> str:
    """Traditional 億/萬 and full-width digits normalised; Chinese numerals before 亿/万/%-phrases made Arabic."""
    text = text.translate(_TRAD)
    text = re.sub(rf"百分之([{_CN_RUN}]+)", lambda m: f"{_cn_int(m.group(1))}%" if _cn_int(m.group(1)) is not None else m.group(0), text)
    return re.sub(rf"(?<!\d)([{_CN_RUN}]+)(?=[多余]?(?:亿|万))",
                  lambda m: str(_cn_int(m.group(1))) if _cn_int(m.group(1)) is not None else m.group(1), text)


def numbers_in(quote: str) -> list[tuple[float, float, int, int, str]]:
    """The numbers a quote states: (as printed, absolute with 亿/万/billion applied, start, end, normalised text)."""
    text = _arabic(quote)
    out = []
    for m in _NUMBER.finditer(text):
        printed = float(m.group(1).replace(",", ""))
        mult = _MULT.get((m.group(2) or "").lower(), 1.0)
        out.append((printed, printed * mult, m.start(), m.end(), text))
    return out


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def amount(value: float, unit: str) -> float:
    """The value in plain units (people, cards, items, times; a share stays a share): 13.8 亿人 → 1.38e9."""
    return value * UNITS.get(unit, 1.0)


def agree(a: float, a_lower: bool, b: float, b_lower: bool) -> bool:
    """Whether two amounts for the same measure, scope and date agree: equal, or a lower bound at most the other.

    The one rule for conflicts: ``sbk published check`` warns on pairs that do not agree, and the reports
    flag them (both shown, never averaged).
    """
    return _close(a, b) or (a_lower and a <= b) or (b_lower and b <= a)


def _match(value: float, unit: str, quote: str) -> tuple[int, int, str] | None:
    """Where the quote states the value (as printed, or the same amount in 亿/万/billion/million)."""
    absolute = value * UNITS.get(unit, 1.0)
    for printed, amount, start, end, text in numbers_in(quote):
        if _close(printed, value) or _close(amount, absolute):
            return start, end, text
    return None


def _rows(path: Path) -> tuple[list[str] | None, list[tuple[int, list[str]]], str | None]:
    """Header and (line, fields) records; the line is where the record starts."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [], f"not UTF-8: {exc}"
    reader = csv.reader(io.StringIO(text, newline=""))
    records, start = [], 1
    try:
        for fields in reader:
            if fields:
                records.append((start, fields))
            start = reader.line_num + 1
    except csv.Error as exc:
        return None, [], f"unreadable CSV near line {start}: {exc}"
    if not records:
        return None, [], "empty file"
    header = records[0][1]
    return header, records[1:], None


_ERRORS = ("schema", "duplicate", "date_format", "date_range", "measure_unknown", "unit_unknown", "unit_mismatch",
           "value", "pct_range", "scope", "reliability", "source_url", "quote_number")
_WARNINGS = ("lower_bound_unmarked", "approximate_unmarked", "conflict")
RULES_BY_NAME = {
    **{n: rule(f"published.{n}", n, ERROR, "published_figures.csv") for n in _ERRORS},
    **{n: rule(f"published.{n}", n, WARNING, "published_figures.csv") for n in _WARNINGS},
}


def check_published(path: Path | None = None, shown: str | None = None, today: dt.date | None = None) -> list[Finding]:
    """Every problem of the published-figures CSV, one finding per problem and line."""
    path = Path(path) if path else default_path()
    shown = shown or str(path)
    today = today or dt.date.today()
    out: list[Finding] = []

    def add(line: int, severity: str, rule: str, message: str) -> None:
        out.append(RULES_BY_NAME[rule].finding(shown, "", "", message, line))

    header, records, problem = _rows(path)
    if problem or header is None:
        add(1, ERROR, "schema", problem or "empty file")
        return out
    if header != COLUMNS:
        missing = [c for c in COLUMNS if c not in header]
        extra = [c for c in header if c not in COLUMNS]
        detail = "; ".join(x for x in (f"missing {', '.join(missing)}" if missing else "",
                                        f"unexpected {', '.join(extra)}" if extra else "",
                                        "" if missing or extra else "columns out of order") if x)
        add(1, ERROR, "schema", f"header must be {','.join(COLUMNS)} ({detail})")
        if missing:
            return out
    index = {c: header.index(c) for c in COLUMNS}

    seen: dict[tuple[str, ...], int] = {}
    groups: dict[tuple[str, str, str], list[tuple[int, dict[str, str], float, bool]]] = {}
    for line, fields in records:
        if len(fields) != len(header):
            add(line, ERROR, "schema", f"{len(fields)} fields, the header has {len(header)}")
            continue
        row = {c: fields[index[c]].strip() for c in COLUMNS}
        key = tuple(fields)
        if key in seen:
            add(line, ERROR, "duplicate", f"exact duplicate of line {seen[key]}")
            continue
        seen[key] = line
        empty = [c for c in REQUIRED if not row[c]]
        if empty:
            add(line, ERROR, "schema", f"empty {', '.join(empty)}")

        # date: a real day between 2011-01-01 and today
        if row["date"]:
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"]):
                    raise ValueError
                day = dt.date.fromisoformat(row["date"])
                if not FIRST_DATE <= day <= today:
                    add(line, ERROR, "date_range",
                        f"date {row['date']} outside {FIRST_DATE.isoformat()}..{today.isoformat()}")
            except ValueError:
                add(line, ERROR, "date_format", f"date “{row['date']}” is not a real date YYYY-MM-DD")

        # measure and unit from the vocabulary
        measure, unit = row["measure"], row["unit"]
        if measure and measure not in MEASURES:
            add(line, ERROR, "measure_unknown",
                f"measure “{measure}” is not in the vocabulary (data/raw/published/README.md)")
        if unit and unit not in UNITS:
            add(line, ERROR, "unit_unknown", f"unit “{unit}” is not one of {' '.join(UNITS)}")
        elif measure in MEASURES and unit and unit not in MEASURES[measure][0]:
            add(line, ERROR, "unit_mismatch",
                f"{measure} is given in {' or '.join(MEASURES[measure][0])}, not “{unit}”")

        # value: a number as printed, not negative, a share at most 100
        value: float | None = None
        if row["value"]:
            try:
                value = float(row["value"])
                if value != value or value < 0:
                    raise ValueError
            except ValueError:
                add(line, ERROR, "value", f"value “{row['value']}” is not a non-negative number")
                value = None
        if value is not None and unit == "%" and value > 100:
            add(line, ERROR, "pct_range", f"share {row['value']}% above 100")

        scope = row["scope"]
        if scope and scope != NATIONAL_SCOPE and not (re.fullmatch(r"\d{6}", scope) and scope[:2] in _PROVINCES):
            add(line, ERROR, "scope", f"scope “{scope}” must be {NATIONAL_SCOPE} or a GB/T 2260 code (e.g. 460000)")
        if row["reliability"] and row["reliability"] not in RELIABILITY:
            add(line, ERROR, "reliability", f"reliability “{row['reliability']}” must be one of {', '.join(RELIABILITY)}")
        url = row["source_url"]
        if url and not (url.startswith(("http://", "https://")) or re.fullmatch(r"seed:\S+", url)):
            add(line, ERROR, "source_url", f"source_url “{url}” must be an http(s) address or seed:<file>")

        # the quote states the number as printed; lower bounds and approximations are marked in the note
        note = row["note"].lower()
        lower = "lower bound" in note
        if value is not None and row["quote"]:
            hit = _match(value, unit, row["quote"])
            if hit is None:
                add(line, ERROR, "quote_number",
                    f"quote “{row['quote']}” does not state {row['value']} {unit}")
            else:
                start, end, text = hit
                before = text[:start].rstrip().lower()
                after = text[end:].lstrip().lstrip("%").lstrip()
                said_lower = before.endswith(_LOWER_BEFORE) or after.startswith(_LOWER_AFTER)
                if said_lower and not lower:
                    add(line, WARNING, "lower_bound_unmarked",
                        f"the quote gives {row['value']} as a lower bound (超过/以上/多/突破…): add “lower bound” to the note")
                if before.endswith(_APPROX_BEFORE) and "approximate" not in note and not lower:
                    add(line, WARNING, "approximate_unmarked",
                        f"the quote gives {row['value']} as approximate (近/约/nearly…): add “approximate” to the note")
        if value is not None and measure and scope and row["date"]:
            groups.setdefault((measure, scope, row["date"]), []).append(
                (line, row, amount(value, unit), lower))

    # conflicts: same measure, scope and date, different amounts (a lower bound below a stated value agrees)
    for (measure, scope, date), rows in groups.items():
        for i, (l1, r1, a1, lb1) in enumerate(rows):
            for l2, r2, a2, lb2 in rows[i + 1:]:
                if agree(a1, lb1, a2, lb2):
                    continue
                add(l2, WARNING, "conflict",
                    f"{measure} {scope} {date}: {r2['value']} {r2['unit']} ({r2['source_url']}) "
                    f"differs from {r1['value']} {r1['unit']} on line {l1} ({r1['source_url']})")
    return out


def summary(path: Path | None = None) -> dict[str, object]:
    """Row counts for the closing line: rows, national rows, scopes, provinces, measures, latest date."""
    path = Path(path) if path else default_path()
    header, records, problem = _rows(path)
    if problem or header is None or "scope" not in header:
        return {}
    idx = {c: header.index(c) for c in header}
    rows = [f for _, f in records if len(f) == len(header)]
    scopes = {f[idx["scope"]] for f in rows}
    return {
        "rows": len(rows),
        "national": sum(f[idx["scope"]] == NATIONAL_SCOPE for f in rows),
        "provinces": len({s[:2] for s in scopes if s != NATIONAL_SCOPE}),
        "province_level": len({s for s in scopes if s != NATIONAL_SCOPE and s.endswith("0000")}),
        "measures": len({f[idx["measure"]] for f in rows}),
        "latest": max((f[idx["date"]] for f in rows), default=""),
    }
