"""Personal data in free-text values, and the quarantine of refused files."""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

import pytest

from scorecard.personal_data import (
    REASON_DATE_OF_BIRTH,
    REASON_EMAIL,
    REASON_NHS_NUMBER,
    REASON_PHONE,
    REASON_POSTCODE,
    RETENTION_ENV,
    find_personal_data,
    nhs_check_digit_ok,
    personal_name,
    purge_expired,
    restrict_to_owner,
    retention_days,
)

NHS = "nhs number"
DOB = "date of birth"
POSTCODE = "postcode"
EMAIL = "e-mail address"
PHONE = "phone number"

# The NHS's own documented test number, and the same with its last digit changed.
VALID_NHS = "9434765919"
BAD_NHS = "9434765918"
# A ten-digit figure whose check digit would have to be 10: never a valid NHS number.
FAILING_TEN_DIGITS = "1234567890"


def test_nhs_check_digit():
    assert nhs_check_digit_ok(VALID_NHS)
    assert not nhs_check_digit_ok(BAD_NHS)
    assert not nhs_check_digit_ok(FAILING_TEN_DIGITS)
    weighted = sum(int(d) * w for d, w in zip(FAILING_TEN_DIGITS[:9], range(10, 1, -1), strict=True))
    assert 11 - weighted % 11 == 10
    # Check digit 0 (11 - 0 -> 0): 401 023 2110 is valid, 401 023 2117 not.
    assert nhs_check_digit_ok("4010232110")
    assert not nhs_check_digit_ok("4010232117")
    assert nhs_check_digit_ok("4010232137")  # another documented test number
    assert not nhs_check_digit_ok("943476591")
    assert not nhs_check_digit_ok("943476591x")


FLAGGED = [
    # NHS numbers
    ("9434765919", NHS),
    ("943 476 5919", NHS),
    ("943-476-5919", NHS),
    ("NHS no. 943 476 5919 seen at clinic", NHS),
    ("Child (4010232110) placed out of area", NHS),
    # Dates of birth
    ("DOB 12/03/2011", DOB),
    ("dob: 12-03-2011", DOB),
    ("D.O.B. 12.03.11", DOB),
    ("Date of birth 12 March 2011", DOB),
    ("date of birth: 2011-03-12", DOB),
    ("born on 12th Mar 2011 and placed in 2015", DOB),
    ("Born 3 September, 2009", DOB),
    ("D O B 01/01/2010", DOB),
    ("birth date is March 12, 2011", DOB),
    # Postcodes
    ("SW1A 1AA", POSTCODE),
    ("Lives at M1 1AE", POSTCODE),
    ("B33 8TH", POSTCODE),
    ("cr2 6xh", POSTCODE),
    ("DN55 1PT", POSTCODE),
    ("Office EC1A1BB.", POSTCODE),
    ("(W1A 0AX)", POSTCODE),
    # E-mail addresses
    ("Contact jane.smith@example.gov.uk for details", EMAIL),
    ("j_o'neil+cp@council.org", EMAIL),
    ("<SOMEONE@EXAMPLE.COM>", EMAIL),
    # Phone numbers
    ("07700 900123", PHONE),
    ("+44 7700 900123", PHONE),
    ("020 7946 0018", PHONE),
    ("(020) 7946 0018", PHONE),
    ("01632 960001", PHONE),
    ("Call 0161 496 0000.", PHONE),
    ("tel:07700900123", PHONE),
    ("+44 (0)20 7946 0018", PHONE),
    ("+447700900123", PHONE),
    ("0161-496-0000", PHONE),
]

NOT_FLAGGED = [
    "",
    "32.6% (395/1221) *Q4 only",
    "71% (6m+)",
    "13 ¹",
    "£1,234.56",
    "(12,345)",
    "1,234,567",
    "£1,234,567,890",
    "2017/18",
    "Q3 2016/17",
    "Apr-17",
    "CP 1",
    "FD 3",
    "CR.034",
    "SW1A",
    "Manchester M1 and Salford M5 districts",
    "Rolling 12 months to 31/03/2018",
    "Report date 2018-03-31; born in 2011 cohort",
    "Head of Service, Children in Care",
    "Data - In progress and will be able to report on this from February 2018",
    f"Reduced from {FAILING_TEN_DIGITS}",
    BAD_NHS,
    "943 476 5918",
    "Budget code 94347659191",
    "KS2 2nd quartile; Y10 1st",
    "b33 8th",  # a lower-case ordinal is read as one; "B33 8TH" is flagged
    "12.5% of 1,221 (0.33 per 1,000)",
    "Overspend 1234567 against 12345678",
    "01/04/2017 - 31/03/2018",
    "Ref 0000 123 4567",
    "Target 95% by Q4 2017/18 (was 92.6%)",
    "email the team via the portal @ council",
    "Referrals 0 - 1234 5678",
]


@pytest.mark.parametrize(("text", "kind"), FLAGGED)
def test_flagged(text, kind):
    reason = find_personal_data(text)
    assert reason is not None and kind in reason.lower()


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_not_flagged(text):
    assert find_personal_data(text) is None


def test_reasons_are_one_line_and_do_not_echo_the_value():
    samples = {
        "943 476 5919": REASON_NHS_NUMBER,
        "DOB 12/03/2011": REASON_DATE_OF_BIRTH,
        "SW1A 1AA": REASON_POSTCODE,
        "jane.smith@example.gov.uk": REASON_EMAIL,
        "07700 900123": REASON_PHONE,
    }
    for text, expected in samples.items():
        reason = find_personal_data(text)
        assert reason == expected
        assert "\n" not in reason
        assert text not in reason
    assert REASON_NHS_NUMBER == "looks like an NHS number (10 digits passing the modulus-11 check)"


def test_long_paragraph_reports_the_first_finding():
    paragraph = (
        "Performance rose to 32.6% (395/1221) in Q3 2016/17 against a target of 71% (6m+). "
        "Rolling 12 months to 31/03/2018. Head of Service, Children in Care, reviewed CR.034 in Apr-17. "
    ) * 20
    assert find_personal_data(paragraph) is None
    text = paragraph + "Queries to a.person@council.gov.uk or 020 7946 0018; child DOB 12/03/2011."
    assert find_personal_data(text) == REASON_EMAIL
    assert find_personal_data(paragraph + "Ring 020 7946 0018 or a.person@council.gov.uk") == REASON_PHONE


def test_personal_name():
    assert personal_name("a_b.csv") == "a_b.personal.csv"
    assert personal_name("x.xlsx") == "x.personal.xlsx"
    assert personal_name("indicator_values_X_2018-01.csv") == "indicator_values_X_2018-01.personal.csv"
    assert personal_name("a.b.csv") == "a.b.personal.csv"
    assert personal_name("README") == "README.personal"


def _touch(path: Path, age_days: float, now: float) -> Path:
    path.write_text("x")
    mtime = now - age_days * 86400
    os.utime(path, (mtime, mtime))
    return path


def test_purge_expired(tmp_path):
    now = time.time()
    old = [
        _touch(tmp_path / "indicator_values_X_2018-01.personal.csv", 40, now),
        _touch(tmp_path / "indicator_values_X_2018-01.personal.csv.rejects.csv", 40, now),
        _touch(tmp_path / "indicator_values_X_2018-01.personal.csv.rejects.txt", 31, now),
    ]
    new = _touch(tmp_path / "risks_Y_2018-02.personal.xlsx", 5, now)
    plain_old = _touch(tmp_path / "indicator_values_X_2018-01.csv", 400, now)
    other_old = _touch(tmp_path / "personal.csv", 400, now)  # no ".personal." marker
    sub = tmp_path / "archive.personal.d"
    sub.mkdir()
    nested = _touch(sub / "old.personal.csv", 400, now)
    os.utime(sub, (now - 400 * 86400, now - 400 * 86400))

    deleted = purge_expired(tmp_path, 30, now=now)

    assert deleted == sorted(old)
    for path in old:
        assert not path.exists()
    for path in (new, plain_old, other_old, nested):
        assert path.exists()
    assert purge_expired(tmp_path, 30, now=now) == []
    # A shorter retention catches the newer file too; zero days removes everything marked.
    assert purge_expired(tmp_path, 1, now=now) == [new]
    assert purge_expired(tmp_path / "missing", 30) == []
    with pytest.raises(ValueError):
        purge_expired(tmp_path, -1)


def test_purge_expired_uses_the_clock_by_default(tmp_path):
    now = time.time()
    old = _touch(tmp_path / "a.personal.csv", 2, now)
    fresh = _touch(tmp_path / "b.personal.csv", 0, now)
    assert purge_expired(tmp_path, 1) == [old]
    assert fresh.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX mode bits")
def test_restrict_to_owner(tmp_path):
    file = tmp_path / "x.personal.csv"
    file.write_text("x")
    file.chmod(0o644)
    folder = tmp_path / "quarantine"
    folder.mkdir()
    folder.chmod(0o755)
    restrict_to_owner(file)
    restrict_to_owner(folder)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 30.0), ("", 30.0), ("7", 7.0), (" 0.5 ", 0.5), ("0", 0.0), ("90", 90.0)],
)
def test_retention_days(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv(RETENTION_ENV, raising=False)
    else:
        monkeypatch.setenv(RETENTION_ENV, value)
    assert retention_days() == expected


@pytest.mark.parametrize("value", ["thirty", "-1", "nan", "12 days", "-0.5"])
def test_retention_days_rejects(monkeypatch, value):
    monkeypatch.setenv(RETENTION_ENV, value)
    with pytest.raises(ValueError, match=RETENTION_ENV) as excinfo:
        retention_days()
    assert "\n" not in str(excinfo.value)
