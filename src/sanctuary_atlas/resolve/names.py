"""Name normalisation shared by the gazetteer and the facility resolver.

Keys are lower-case ASCII with punctuation and spaces removed, so "De Kalb", "DeKalb" and "DE KALB" meet,
and "WILKESBARRE" meets "Wilkes-Barre". Abbreviations are expanded token by token *before* spaces are
dropped, because "ST" alone means Saint but inside a word it does not.
"""

from __future__ import annotations

import re
import unicodedata

# Token-level expansions seen in ICE and Census spellings.
_TOKEN_MAP = {
    "saint": "st",
    "ste": "ste",
    "sainte": "ste",
    "ft": "fort",
    "mt": "mount",
    "mtn": "mountain",
    "pt": "point",
}

# Words that only say "this is a county"; removed to compare county names. "city" is NOT here: Baltimore
# city and Baltimore County are different places.
COUNTY_WORDS = frozenset(
    {"county", "co", "cnty", "cty", "cnt", "parish", "borough", "census", "area", "municipality", "and"}
)

_NON_ALNUM = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


def fold(value: str) -> str:
    """Lower-case ASCII with accents removed and punctuation turned into spaces."""
    # upper() then casefold() so that sharp s/SS and dotless i/I meet whichever case the source used
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", value).upper().casefold())
    text = text.encode("ascii", "ignore").decode("ascii")
    text = text.replace("'", "")
    text = _NON_ALNUM.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def tokens(value: str) -> list[str]:
    return [_TOKEN_MAP.get(t, t) for t in fold(value).split()]


def place_key(value: str) -> str:
    """Key for a city/place name."""
    return "".join(tokens(value))


def county_key(value: str) -> tuple[str, bool]:
    """Key for a county name, and whether it names an independent city ("Richmond city").

    "and borough" (Juneau City and Borough) is a county-equivalent, not an independent city.
    """
    toks = tokens(value)
    is_city = bool(toks) and toks[-1] == "city" and "borough" not in toks
    if is_city:
        toks = toks[:-1]
    kept = [t for t in toks if t not in COUNTY_WORDS]
    if not kept:  # a county literally named like a suffix word; keep it whole
        kept = toks
    # "City and Borough" leaves a stray "city" in Alaska names
    if "borough" in toks and kept and kept[-1] == "city":
        kept = kept[:-1]
    return "".join(kept), is_city
