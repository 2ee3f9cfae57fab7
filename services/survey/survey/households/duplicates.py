"""Likely duplicates (ข้อมูลซ้ำซ้อน): the same head of household at the same address
under a different national ID, typed twice by two surveyors or two rounds.

The national ID catches exact repeats (approval refuses a second one); this key
catches the rest for a person to review. Plain functions: no database.
"""

import re
import unicodedata

# Longest first, so that "นางสาว" is not read as "นาง" + "สาว…".
_TITLES = (
    "เด็กหญิง",
    "เด็กชาย",
    "นางสาว",
    "น.ส.",
    "ด.ญ.",
    "ด.ช.",
    "นาย",
    "นาง",
    "mrs.",
    "mrs",
    "miss",
    "ms.",
    "mr.",
    "mr",
)
_SPACES = re.compile(r"\s+")
_VILLAGE_NO = re.compile(r"^(?:หมู่ที่|หมู่|ม\.|moo)\s*")


def normalize_name(name: str) -> str:
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", name).strip().lower())
    for title in _TITLES:
        if text.startswith(title):
            text = text[len(title) :].lstrip()
            break
    return text.replace(" ", "")


def normalize_village(village: str | None) -> str:
    if not village:
        return ""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", village).strip().lower())
    return _VILLAGE_NO.sub("หมู่", text).replace(" ", "")


def duplicate_key(head_name: str, subdistrict_code: str, village: str | None) -> str:
    """Equal keys: same head of household, same sub-district and village."""
    return f"{subdistrict_code}|{normalize_village(village)}|{normalize_name(head_name)}"[:400]
