"""Publication dates → ISO 8601, from ``<time datetime>``, meta tags or free text in ar/fr/en.

:func:`parse_date` finds the first Gregorian date in a string and returns
``YYYY-MM-DD``, or ``YYYY-MM-DDTHH:MM:SS`` followed by ``Z``/``±HH:MM`` when a
time (and zone) is written next to it. It never guesses: two-digit years,
month-year only, impossible dates, years outside 1900–2100 and Hijri-only
dates give None. Numeric dates are read year-first (ISO) or day-first, as on
Arabic and French sites; a month-first ``03/31/2026`` is impossible and so None.

Matching runs on a folded copy of the text: Arabic-Indic and Persian digits
become ASCII, accents, harakat and hamza seats are dropped (``décembre`` ≡
``decembre``, ``أبريل`` ≡ ``ابريل``), tatweel and bidi marks are removed and
case is folded, so one spelling per month name covers the variants.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import lru_cache

from translator_pipeline.language.facts import normalise_code

__all__ = ["parse_date", "parse_timestamp"]

MIN_YEAR, MAX_YEAR = 1900, 2100
# Dates sit near the top of what we are given; the cap bounds the regex work on a
# huge element picked by a careless selector.
_MAX_SCAN = 10_000

# Month names per language, "|"-separated per month (January first), before folding.
_MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "january|jan",
        "february|feb",
        "march|mar",
        "april|apr",
        "may",
        "june|jun",
        "july|jul",
        "august|aug",
        "september|sept|sep",
        "october|oct",
        "november|nov",
        "december|dec",
    ),
    "fr": (
        "janvier|janv",
        "février|févr|fév",
        "mars",
        "avril|avr",
        "mai",
        "juin",
        "juillet|juil",
        "août",
        "septembre|sept",
        "octobre|oct",
        "novembre|nov",
        "décembre|déc",
    ),
    # Egyptian/Gulf | Maghreb (Algeria, Tunisia) | Morocco | Levant and Iraq.
    "ar": (
        "يناير|جانفي|كانون الثاني|كانون ثاني",
        "فبراير|فيفري|شباط",
        "مارس|آذار",
        "أبريل|إبريل|أفريل|نيسان",
        "مايو|ماي|أيار",
        "يونيو|يونيه|جوان|حزيران",
        "يوليو|يوليه|جويلية|يوليوز|تموز",
        "أغسطس|أوت|غشت|آب",
        "سبتمبر|شتنبر|أيلول",
        "أكتوبر|تشرين الأول|تشرين أول",
        "نوفمبر|نونبر|تشرين الثاني|تشرين ثاني",
        "ديسمبر|دجنبر|كانون الأول|كانون أول",
    ),
}

_CHAR_MAP = str.maketrans(
    {
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian digits
        "ى": "ي",
        "ی": "ي",  # Persian yeh, common from Persian keyboard layouts
        "ک": "ك",
        "ة": "ه",
        "ـ": None,  # tatweel
        "−": "-",  # minus sign in offsets
    }
)
# Combining marks (accents, harakat, hamza seats after NFKD) and format characters
# (bidi marks, ZWJ, soft hyphen) carry nothing a date needs.
_DROP = frozenset({"Mn", "Me", "Cf"})


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text).translate(_CHAR_MAP)
    return "".join(c for c in decomposed if unicodedata.category(c) not in _DROP).casefold()


def _squash(name: str) -> str:
    return " ".join(name.split())


_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"
# Not inside a longer run of digits or of separated numbers (phone numbers, versions).
_NUM_START = r"(?<![0-9])(?<![0-9][/.\-])"
_NUM_END = r"(?![0-9])(?![/.\-][0-9])"
# «م» after the year marks the Gregorian era (as «هـ» marks the Hijri one).
_YEAR = r"(?P<y>[0-9]{4})(?![0-9])(?:\s?م" + _NOT_LETTER_AFTER + ")?"

# A time after a written or day-first date: "10:30", "10:30:00 GMT", "10h30", "à 10 h",
# "at 10:30 am", "الساعة 10:30 م". North American zone names only after seconds, as
# in RFC 2822 dates: elsewhere "est" is French for "is".
_TEXT_TIME = (
    r"(?:[\s,،|\-–—]+(?:(?:at|a|في|الساعه)\s*){0,2}"
    # Ranges checked here, so that "9 March 2026 | 45:12" is still read as a date.
    r"(?P<h>[01]?[0-9]|2[0-3])(?:"
    r"(?::|\s?h\s?)(?P<mi>[0-5][0-9])"
    rf"(?::(?P<s>[0-5][0-9])(?:\s(?P<us>[ecmp][sd]t){_NOT_LETTER_AFTER})?)?"
    rf"|\s?h{_NOT_LETTER_AFTER})"
    rf"(?:\s?(?P<ap>a\.m\.|p\.m\.|am|pm|صباحا|مساءا|مساء|ص|م){_NOT_LETTER_AFTER})?"
    rf"(?:\s?(?P<zn>gmt|utc|ut|z){_NOT_LETTER_AFTER}"
    r"(?:(?P<zs>[+-])(?P<zh>[0-9]{1,2})(?::?(?P<zm>[0-9]{2}))?)?"
    # A bare offset only in RFC 2822's four-digit form, so "10:30-12:00" stays a range.
    r"|\s(?P<zs2>[+-])(?P<zh2>[0-9]{2})(?P<zm2>[0-9]{2}))?"
    r"(?![0-9:]))?"
)
_ISO_TIME = (
    r"(?:(?:t|\s+)(?P<h>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,][0-9]+)?)?"
    r"(?:\s?(?P<zn>z|utc|gmt)" + _NOT_LETTER_AFTER + r"|(?P<zs>[+-])(?P<zh>[0-9]{2})"
    r"(?::?(?P<zm>[0-9]{2}))?)?)?"
)
_ISO = re.compile(
    _NUM_START
    + r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"
    + _ISO_TIME
    + _NUM_END
)
_DAY_FIRST = re.compile(
    _NUM_START
    + r"(?P<d>[0-9]{1,2})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)"
    + _YEAR
    + r"(?![/.\-][0-9])"
    + _TEXT_TIME
)
# 20260309 and 20260309T103000Z only as the whole value: inside text, eight digits
# are as likely an ID or a phone number.
_COMPACT = re.compile(
    r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})"
    r"(?:t(?P<h>[0-9]{2})(?P<mi>[0-9]{2})(?P<s>[0-9]{2})?"
    r"(?:(?P<zn>z)|(?P<zs>[+-])(?P<zh>[0-9]{2})(?P<zm>[0-9]{2})?)?)?"
)

_PM = frozenset({"pm", "p.m.", "م", "مساء", "مساءا"})
_US_ZONES = {"est": -300, "edt": -240, "cst": -360, "cdt": -300}
_US_ZONES |= {"mst": -420, "mdt": -360, "pst": -480, "pdt": -420}


@lru_cache(maxsize=16)
def _text_patterns(languages: tuple[str, ...]) -> tuple[dict[str, int], list[re.Pattern[str]]]:
    """Month table and the written-date patterns for these languages."""
    months: dict[str, int] = {}
    for lang in languages:
        for number, names in enumerate(_MONTH_NAMES[lang], start=1):
            for name in names.split("|"):
                months[_squash(_fold(name))] = number
    if not months:
        return months, []
    # Longest first, so "mars" is not read as "mar" and "مايو" not as "ماي".
    alternatives = sorted(months, key=len, reverse=True)
    month = "(?:" + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in alternatives) + ")"
    # "9 آذار/مارس 2026", "9 مارس (آذار) 2026": both names must agree.
    day_month_year = (
        r"(?<![0-9])(?P<d>[0-9]{1,2})(?:er|st|nd|rd|th)?(?:\s+of)?[\s\-/.,،]*"
        rf"(?P<m>{month}){_NOT_LETTER_AFTER}\.?"
        rf"(?:\s*[/(]\s*(?P<m2>{month}){_NOT_LETTER_AFTER}\s*\)?)?"
        r"[\s\-/.,،]*" + _YEAR + _TEXT_TIME
    )
    month_day_year = (
        rf"{_NOT_LETTER_BEFORE}(?P<m>{month}){_NOT_LETTER_AFTER}\.?[\s\-/]*"
        r"(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?(?![0-9])[\s,،]*" + _YEAR + _TEXT_TIME
    )
    return months, [re.compile(day_month_year), re.compile(month_day_year)]


def _languages_key(languages: Sequence[str] | str) -> tuple[str, ...]:
    if isinstance(languages, str):
        languages = (languages,)
    try:
        codes = {normalise_code(code) for code in languages if isinstance(code, str)}
    except TypeError:  # not iterable: no month names, numeric forms only
        codes = set()
    return tuple(sorted(codes & _MONTH_NAMES.keys()))


def _offset(groups: dict[str, str | None]) -> int | None:
    """Minutes east of UTC, None when no zone is written; ValueError when impossible."""
    if us_zone := groups.get("us"):
        return _US_ZONES[us_zone]
    sign, hours, minutes = groups.get("zs"), groups.get("zh"), groups.get("zm")
    if sign is None:
        sign, hours, minutes = groups.get("zs2"), groups.get("zh2"), groups.get("zm2")
    if sign is None:
        return 0 if groups.get("zn") else None
    total = int(hours or 0) * 60 + int(minutes or 0)
    if int(minutes or 0) > 59 or total > 14 * 60:
        raise ValueError("no such UTC offset")
    return -total if sign == "-" else total


def _build(groups: dict[str, str | None], months: dict[str, int]) -> str | None:
    """The ISO string for one match, or None when its values are not a real date/time."""
    month_text = groups.get("m") or ""
    month = int(month_text) if month_text.isdigit() else months.get(_squash(month_text), 0)
    second_name = groups.get("m2")
    if second_name and months.get(_squash(second_name)) != month:
        return None
    try:
        year, day = int(groups.get("y") or 0), int(groups.get("d") or 0)
        if not MIN_YEAR <= year <= MAX_YEAR:  # also rules out Hijri years (~1300-1500)
            return None
        day_text = date(year, month, day).isoformat()
        if groups.get("h") is None:
            return day_text
        hour, minute, second = (int(groups.get(k) or 0) for k in ("h", "mi", "s"))
        if meridiem := groups.get("ap"):
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if meridiem in _PM else 0)
        offset = _offset(groups)
    except ValueError:
        return None
    if hour > 23 or minute > 59 or second > 59:
        return None
    stamp = f"{day_text}T{hour:02d}:{minute:02d}:{second:02d}"
    if offset is None:
        return stamp
    if offset == 0:
        return stamp + "Z"
    hours, minutes = divmod(abs(offset), 60)
    return f"{stamp}{'-' if offset < 0 else '+'}{hours:02d}:{minutes:02d}"


def parse_date(text: str, languages: Sequence[str] = ("ar", "fr", "en")) -> str | None:
    """The first Gregorian date in ``text`` as ISO 8601, or None if there is none.

    ``languages`` chooses whose month names are recognised; numeric forms are
    read whatever it says. Never raises.
    """
    if not isinstance(text, str):
        return None
    folded = _fold(text[:_MAX_SCAN]).strip()
    if not folded:
        return None
    if compact := _COMPACT.fullmatch(folded):
        return _build(compact.groupdict(), {})
    months, written = _text_patterns(_languages_key(languages))
    best: tuple[int, int, str] | None = None
    for pattern in (_ISO, _DAY_FIRST, *written):
        for match in pattern.finditer(folded):
            if best is not None and match.start() > best[0]:
                break
            value = _build(match.groupdict(), months)
            if value is not None:
                # The earliest date wins; at the same place, the longer reading (with a time).
                candidate = (match.start(), -len(match.group()), value)
                best = min(best, candidate) if best else candidate
                break
    return best[2] if best else None


_YEAR_MONTH = re.compile(r"(\d{4})(?:-(\d{2}))?")


def parse_timestamp(text: str | None) -> datetime | None:
    """A machine-written date (feed ``pubDate``, sitemap ``lastmod``) as an aware UTC
    datetime, or None.

    What :func:`parse_date` reads (ISO 8601, RFC 822), plus the W3C forms with
    only a year or a year and month (``2026``, ``2026-03``). A date without a
    time zone is taken as UTC.
    """
    text = (text or "").strip()
    if not text:
        return None
    if match := _YEAR_MONTH.fullmatch(text):
        try:
            parsed = datetime(int(match[1]), int(match[2] or 1), 1)
        except ValueError:
            return None
    else:
        iso = parse_date(text, ("en",))
        if iso is None:
            return None
        parsed = datetime.fromisoformat(iso)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
