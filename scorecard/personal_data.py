"""Personal data in free-text values, and what happens to files refused for it.

The warehouse holds aggregate figures only. Column headers are checked against
`PERSONAL_DATA_HEADER_PATTERNS` in `scorecard.contracts`; this module checks the
values of free-text columns (notes, descriptions, risk controls, owner role,
activity, service names, commentary and its author role) with
`find_personal_data`, which names the kind of personal data found without
echoing the value.

Files refused for personal data are quarantined by the caller under a name
marked with `.personal` (see `personal_name`), readable by the owner only
(`restrict_to_owner`), and deleted once older than the retention period
(`purge_expired`, `retention_days`).
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

RETENTION_ENV = "SCORECARD_PERSONAL_DATA_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 30.0
PERSONAL_MARKER = ".personal"

REASON_NHS_NUMBER = "looks like an NHS number (10 digits passing the modulus-11 check)"
REASON_DATE_OF_BIRTH = 'looks like a date of birth (a full date after "DOB", "date of birth" or "born")'
REASON_POSTCODE = "looks like a UK postcode (a full postcode: outward and inward code)"
REASON_EMAIL = "looks like an e-mail address"
REASON_PHONE = "looks like a UK phone number (10-11 digits starting 0 or +44)"

# --- NHS numbers -------------------------------------------------------------

# Ten digits, plain or written 3-3-4 with one kind of separator, not inside a
# longer run of digits or a decimal number.
_NHS = re.compile(r"(?<![\d.,])(\d{3})([ -]?)(\d{3})\2(\d{4})(?!\d|[.,]\d)")


def nhs_check_digit_ok(digits: str) -> bool:
    """True if the ten `digits` pass the NHS modulus-11 check."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


def _find_nhs(text: str) -> int | None:
    for m in _NHS.finditer(text):
        if nhs_check_digit_ok(m.group(1) + m.group(3) + m.group(4)):
            return m.start()
    return None


# --- Dates of birth ----------------------------------------------------------

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH_NO = r"(?:0?[1-9]|1[0-2])"
_FULL_DATE = (
    r"(?:"
    # 12/03/2011, 12-03-2011, 12.03.11 (one kind of separator)
    rf"{_DAY}(?P<sep>[/.-]){_MONTH_NO}(?P=sep)(?:\d{{4}}|\d{{2}})(?!\d)"
    # 2011-03-12, 2011/03/12
    rf"|(?:19|20)\d{{2}}(?P<isep>[/.-]){_MONTH_NO}(?P=isep){_DAY}(?!\d)"
    # 12 March 2011, 12th Mar 11, 12 of March, 2011, 12-Mar-2011
    rf"|{_DAY}(?:st|nd|rd|th)?[\s-]+(?:of\s+)?{_MONTHS}\.?,?[\s-]+(?:\d{{4}}|\d{{2}})(?!\d)"
    # March 12, 2011 / March 12th 2011
    rf"|{_MONTHS}\.?\s+{_DAY}(?:st|nd|rd|th)?,?\s+(?:\d{{4}}|\d{{2}})(?!\d)"
    r")"
)
# The cue, then a little punctuation and perhaps "is", "was" or "on", then the date.
_DOB = re.compile(
    r"(?<![a-z])(?:d(?:\.\s?o\.\s?b\.?|\so\sb|ob)|date\s+of\s+birth|birth\s?date|born)(?![a-z])"
    r"[\s:;,=(\[-]*(?:(?:is|was|on)\b[\s:]*)?"
    rf"(?<![\d]){_FULL_DATE}",
    re.IGNORECASE,
)


def _find_dob(text: str) -> int | None:
    m = _DOB.search(text)
    return m.start() if m else None


# --- Postcodes -----------------------------------------------------------------

# The postcode areas of the UK, Crown Dependencies and BFPO. Requiring a real
# area keeps codes such as "KS2 2nd" (key stage) or "Y10 1st" (year group) out.
_POSTCODE_AREA_LIST = """
    AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG
    DH DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV
    JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE
    PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR
    TS TW UB W WA WC WD WF WN WR WS WV YO ZE
"""
_POSTCODE_AREAS = frozenset(_POSTCODE_AREA_LIST.split())
# Outward code (area, district, optional sub-district letter), optional
# space, inward code (sector digit, two unit letters never C, I, K, M, O or V).
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?P<area>[A-Z]{1,2})(?P<district>\d[A-Z\d]?) ?(?P<inward>\d[ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9])GIR ?0AA(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_ORDINAL = re.compile(r"1st|2nd|3rd|[04-9]th")


def _find_postcode(text: str) -> int | None:
    for m in _POSTCODE.finditer(text):
        if m.group("area") is None:  # GIR 0AA
            return m.start()
        if m.group("area").upper() not in _POSTCODE_AREAS:
            continue
        inward = m.group("inward")
        # "M1 1st" reads as an ordinal, not a postcode; "B33 8TH" written in capitals is flagged.
        if inward.islower() and _ORDINAL.fullmatch(inward):
            continue
        return m.start()
    return None


# --- E-mail addresses ----------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.%+'-])[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])"
)


def _find_email(text: str) -> int | None:
    m = _EMAIL.search(text)
    return m.start() if m else None


# --- Phone numbers -------------------------------------------------------------

# A leading 0, "(0..)" or "+44" / "+44 (0)", then groups of digits separated by
# single spaces or hyphens. Not after a letter, digit, currency sign or decimal
# point; the run of groups is taken whole and must hold 10 or 11 digits.
_PHONE = re.compile(
    r"(?<![\w£$€.,/+-])"
    r"(?:(?P<intl>\+44[ -]?(?:\(0\)[ -]?)?)|(?P<paren>\((?=0)))?"
    r"(?P<first>\d++)(?(paren)\))"
    r"(?P<rest>(?:[ -]\d++)*+)"
    r"(?!\d|[.,/]\d|%)"
)


def _phone_ok(m: re.Match[str]) -> bool:
    first = m.group("first")
    groups = [g for g in re.split(r"[ -]", m.group("rest")) if g]
    if any(not 2 <= len(g) <= 8 for g in groups):
        return False
    if m.group("intl"):
        # +44 7700 900123, +44 (0)20 7946 0018, +447700900123
        if first.startswith("0") or (groups and not 2 <= len(first) <= 5):
            return False
        national = "0" + first + "".join(groups)
    else:
        # 07700 900123, 020 7946 0018, (020) 7946 0018, 01632960001
        if not first.startswith("0") or len(first) < 3:
            return False
        national = first + "".join(groups)
    return 10 <= len(national) <= 11 and national[1] != "0"


def _find_phone(text: str) -> int | None:
    for m in _PHONE.finditer(text):
        if _phone_ok(m):
            return m.start()
    return None


# --- The scan ------------------------------------------------------------------

_DETECTORS: tuple[tuple[Callable[[str], int | None], str], ...] = (
    (_find_nhs, REASON_NHS_NUMBER),
    (_find_dob, REASON_DATE_OF_BIRTH),
    (_find_postcode, REASON_POSTCODE),
    (_find_email, REASON_EMAIL),
    (_find_phone, REASON_PHONE),
)


def find_personal_data(text: str) -> str | None:
    """The reason `text` looks like it holds personal data, or None.

    The reason is one line naming the kind found (one of the `REASON_*`
    constants), never the value itself. When several are found, the one that
    starts first in the text is reported (ties go to the order below).

    Detected:

    - NHS numbers: ten digits, plain or written 3-3-4 with spaces or hyphens,
      not inside a longer run of digits, that pass the NHS modulus-11 check.
      Ten-digit numbers failing it (budget codes, references) are not flagged.
    - Dates of birth: a full date (day, month and year; 12/03/2011, 12.03.11,
      12 March 2011, 2011-03-12 ...) straight after "DOB", "D.O.B",
      "date of birth", "birth date" or "born". Full dates elsewhere are NOT
      flagged, however recent: scorecards are full of report dates ("Rolling
      12 months to 31/03/2018"), so a date alone says nothing about a person.
    - UK postcodes: full postcodes only (outward and inward code, with or
      without the space, any case) whose area is a real postcode area.
      Outward codes alone (SW1A, M1) name districts and are not flagged, nor
      are lower-case ordinals that happen to fit ("M1 1st").
    - E-mail addresses, including councils' generic mailboxes.
    - UK phone numbers: 10-11 digits starting 0 (not 00), or +44 then 9-10
      digits, in groups separated by single spaces or hyphens, the area code
      optionally in brackets. Figures without a leading 0 (1,234,567, £1,234.56,
      (12,345), 2017/18, percentages, ratios) are never phone numbers.
    """
    if not text:
        return None
    best: tuple[int, int, str] | None = None
    for order, (detect, reason) in enumerate(_DETECTORS):
        start = detect(text)
        if start is not None and (best is None or (start, order) < best[:2]):
            best = (start, order, reason)
    return best[2] if best else None


# --- Quarantined files ---------------------------------------------------------


def personal_name(name: str) -> str:
    """`name` with the `.personal` marker before its last suffix: a_b.csv -> a_b.personal.csv."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        return name + PERSONAL_MARKER
    return f"{stem}{PERSONAL_MARKER}.{suffix}"


def restrict_to_owner(path: Path) -> None:
    """Make `path` readable by its owner only: 0o600 for a file, 0o700 for a folder.

    Where the platform ignores most mode bits (Windows), chmod does what it can
    and this does not complain.
    """
    path = Path(path)
    mode = 0o700 if path.is_dir() else 0o600
    with contextlib.suppress(NotImplementedError):
        os.chmod(path, mode)


def purge_expired(folder: Path, days: float, now: float | None = None) -> list[Path]:
    """Delete the files in `folder` refused for personal data and older than `days` days.

    A file counts as refused for personal data when its name contains
    `.personal.` (see `personal_name`; the reports written beside it,
    `X.personal.csv.rejects.csv` and `.rejects.txt`, carry the marker too). Its
    modification time must be older than `now` (default: the current time)
    minus `days` days. Subfolders are not entered. Returns the deleted paths,
    sorted; a missing folder deletes nothing.
    """
    if math.isnan(days) or days < 0:
        raise ValueError(f"retention must be 0 or more days, got {days!r}")
    folder = Path(folder)
    if not folder.is_dir():
        return []
    cutoff = (time.time() if now is None else now) - days * 86400
    deleted: list[Path] = []
    for path in sorted(folder.iterdir()):
        if PERSONAL_MARKER + "." not in path.name:
            continue
        try:
            if path.is_dir() or path.stat().st_mtime >= cutoff:
                continue
            path.unlink()
        except FileNotFoundError:  # removed by someone else meanwhile
            continue
        deleted.append(path)
    return deleted


def retention_days() -> float:
    """Days to keep files refused for personal data: env SCORECARD_PERSONAL_DATA_RETENTION_DAYS, default 30."""
    raw = os.environ.get(RETENTION_ENV, "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    try:
        days = float(raw)
    except ValueError:
        days = math.nan
    if math.isnan(days) or days < 0:
        raise ValueError(f"{RETENTION_ENV} must be a number of days, 0 or more (got {raw!r})")
    return days
