"""The generator's vocabularies and facility list: what a synthetic 2023+ release is made of.

Values and weights imitate real releases (lift reasons, detainer types, countries, charges, programs);
facilities, cities and states come from the bundled ICE facility lists.
"""

from __future__ import annotations

import csv
import gzip
import random
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Literal

from sanctuary_atlas.paths import data_dir

# Bump when the output for given parameters changes, so cached files are regenerated.
GENERATOR_VERSION = 1
CACHE_ENV = "SANCTUARY_ATLAS_CACHE"
EXCEL_MAX_ROWS = 1_048_576
TITLE_ROWS = 6  # the header sits on Excel row TITLE_ROWS + 1

Fmt = Literal["xlsx", "csv"]
Variant = Literal["2024", "2026"]

COLUMNS_2024 = [
    "Detainer Prepare Date", "Facility State", "Facility AOR", "Port of Departure", "Departure Country",
    "Departed Date", "Case Status", "Detainer Prepared Criminality", "Detention Facility",
    "Detention Facility Code", "Facility City", "Detainer Prep Threat Level", "Gender", "Citizenship Country",
    "Birth Country", "Birth Date", "Birth Year", "Entry Status", "Most Serious Conviction (MSC) Charge",
    "MSC Sentence Days", "MSC Sentence Months", "MSC Sentence Years", "MSC Charge Code", "MSC Charge Date",
    "MSC Conviction Date", "Felon", "Processing Disposition", "Case Category", "Final Program",
    "Time of Apprehension Case Category", "Time of Apprehension Current Program", "Apprehension Method",
    "Case Final Order Yes No", "Final Order Date", "Apprehension Date", "Entry Date", "Prior Felony Yes No",
    "Multiple Prior MISD Yes No", "Violent Misdemeanor Yes No", "Illegal Entry Yes No",
    "Illegal Reentry Yes No", "Immigration Fraud Yes No", "Significant Risk Yes No",
    "Other Removal Reason Yes No", "Other Removal Reason", "Criminal Street Gang Yes No",
    "Aggravated Felony Yes No", "Deportation Ordered Yes No", "Order to Show Cause Served Yes No",
    "Order to Show Cause Served Date", "Biometric Match Yes No", "Statements Made Yes No",
    "Unlawful Attempt Yes No", "Unlawful Entry Yes No", "Visa Yes No", "Final Order Yes No",
    "Federal Interest Yes No", "Resume Custody Yes No", "Detainer Lift Reason", "Detainer Type",
    "Alien File Number", "EID Case ID", "EID Subject ID", "EID DTA ID", "Unique Identifier",
]  # fmt: skip

DATE_COLUMNS = frozenset({
    "Detainer Prepare Date", "Departed Date", "Birth Date", "MSC Charge Date", "MSC Conviction Date",
    "Final Order Date", "Apprehension Date", "Entry Date", "Order to Show Cause Served Date",
})  # fmt: skip
# Where redaction markers are planted: identifiers, plus two date columns now and then (as in releases).
REDACT_ALWAYS_ELIGIBLE = ("Alien File Number", "EID Case ID", "EID Subject ID")
REDACT_DATE_COLUMNS = ("Birth Date", "MSC Charge Date")


def columns_for(variant: Variant) -> list[str]:
    """Header of a release variant. 2026 renames "Time of Apprehension" to "Arrest Time", adds the lift
    reason code, two flags and the duty site, and drops four columns so the width stays 65."""
    if variant == "2024":
        return list(COLUMNS_2024)
    dropped = {"Case Final Order Yes No", "Other Removal Reason", "Order to Show Cause Served Date",
               "Alien File Number"}  # fmt: skip
    out: list[str] = []
    for name in COLUMNS_2024:
        if name in dropped:
            continue
        out.append(name.replace("Time of Apprehension", "Arrest Time"))
        if name == "Detainer Lift Reason":
            out += ["Detainer Lift Reason Code", "Active Investigation Yes No"]
        elif name == "Detainer Type":
            out += ["Notify Release Request Yes No", "TOD Current Duty Site"]
    return out


# --- vocabularies -------------------------------------------------------------------------------------

# (value, weight, 2026 code). Blank means the detainer is still active. Codes other than A are placeholders.
LIFT_REASONS = [
    ("Booked into Detention", 30, "B"), ("", 20, ""),
    ("No longer in State, Local, or Federal Custody", 12, "N"), ("Detainer Declined by LEA", 6, "A"),
    ("Lifted", 6, "L"), ("Case Closed", 4, "C"), ("Transferred", 4, "T"), ("Early Release", 2, "E"),
    ("Insufficient Notice to ICE", 2, "I"), ("ICE Temporary Resource Constraint", 1, "R"),
    ("Prosecutorial Discretion", 2, "P"), ("Alien/Noncitizen Not Amenable to Removal", 2, "M"),
    ("United States Citizen Interviewed", 0.5, "U"), ("Duplicate", 3, "D"),
    ("Superseding - New Form Issued", 3, "S"),
]  # fmt: skip
TYPE_2017 = "I247A - Immigration Detainer - Notice of Action (as of April 2017)"
TYPE_2025 = "I247A - Immigration Detainer - Notice of Action (as of May 2025)"
TYPE_PLAIN = "I247A - Immigration Detainer - Immigration Detainer - Notice of Action"
FORM_2025 = date(2025, 5, 15)  # the May 2025 form replaces the April 2017 one from here on
COUNTRIES = [
    ("MEXICO", 45), ("GUATEMALA", 12), ("HONDURAS", 10), ("EL SALVADOR", 6), ("VENEZUELA", 4),
    ("CUBA", 3), ("DOMINICAN REPUBLIC", 3), ("COLOMBIA", 2.5), ("ECUADOR", 2.5), ("NICARAGUA", 2),
    ("HAITI", 1.5), ("JAMAICA", 1), ("BRAZIL", 1), ("INDIA", 1), ("CHINA, PEOPLES REPUBLIC OF", 0.8),
    ("PERU", 0.7), ("VIETNAM", 0.5), ("PHILIPPINES", 0.5), ("NIGERIA", 0.3), ("BURMA", 0.2),
    ("LAOS", 0.2), ("BOSNIA-HERZEGOVINA", 0.1), ("SIERRA LEONE", 0.1), ("AUSTRALIA", 0.05),
]  # fmt: skip
CHARGES = [
    ("Driving Under Influence Liquor", "5404"), ("Dangerous Drugs", "3599"), ("Assault", "1399"),
    ("Traffic Offense", "5499"), ("Illegal Entry (INA SEC.101(a)(43)(O), 8USC1325 only)", "4802"),
    ("Domestic Violence", "13AB"), ("Drug Possession", "35AA"), ("Drug Trafficking", "3503"),
    ("Larceny", "2399"), ("Burglary", "2299"), ("Sex Offense", "3699"), ("Robbery", "1299"),
    ("Aggravated Assault - Non-family-Gun", "1304"), ("Homicide", "0999"), ("Weapon Offense", "5299"),
    ("Carrying Prohibited Weapon", "5212"), ("Obstructing Police", "4801"), ("Fraudulent Activities", "2699"),
]  # fmt: skip
CRIMINALITY = [("1 Convicted Criminal", 55), ("2 Pending Criminal Charges", 30),
               ("3 Other Immigration Violator", 15)]  # fmt: skip
ENTRY_STATUS = [("Not  Applicable", 30), ("Entered Without Inspection", 35), ("Unknown", 15), ("", 10),
                ("Visitor for Pleasure", 4), ("Lawful Permanent Resident", 4), ("Parolee", 2)]  # fmt: skip
DISPOSITIONS = [("Warrant of Arrest/Notice to Appear", 40), ("Detainer", 20), ("Other", 10), ("", 10),
                ("Reinstatement of Deport Order I-871", 15),
                ("ADMINISTRATIVE DEPORTATION I-851/I-851A", 5)]  # fmt: skip
CASE_CATEGORIES = [
    ("[8C] Excludable / Inadmissible - Administrative Final Order Issued", 10), ("", 30),
    ("[2A] Deportable - Under Adjudication by IJ", 15), ("[16] Reinstated Final Order", 15),
    ("[3] Deportable - Administratively Final Order", 8), ("[11] Administrative Deportation / Removal", 8),
    ("[8A] Excludable / Inadmissible - Hearing Not Commenced", 8),
    ("[8B] Excludable / Inadmissible - Under Adjudication by IJ", 6),
]  # fmt: skip
PROGRAMS = [("ERO Criminal Alien Program", 60), ("287(g) Program", 10), ("Non-Detained Docket Control", 8),
            ("Fugitive Operations", 5), ("", 17)]  # fmt: skip
METHODS = [("CAP Local Incarceration", 40), ("Custodial Arrest", 20), ("287(g) Program", 8), ("", 16),
           ("CAP Federal Incarceration", 6), ("Non-Custodial Arrest", 6), ("Located", 4)]  # fmt: skip
PORTS = ["Brownsville, TX", "Laredo, TX", "Hidalgo, TX", "Calexico, CA", "San Ysidro, CA", "Nogales, AZ",
         "Houston, TX", "Alexandria, LA", "El Paso, TX", "Del Rio, TX", "Miami, FL", "Mesa, AZ"]  # fmt: skip
OTHER_REASONS = ["Visa overstay", "Alien smuggling", "Failure to register", "Document fraud"]
STATE_NAMES = {
    "AL": "ALABAMA", "AK": "ALASKA", "AZ": "ARIZONA", "AR": "ARKANSAS", "CA": "CALIFORNIA", "CO": "COLORADO",
    "CT": "CONNECTICUT", "DE": "DELAWARE", "DC": "DISTRICT OF COLUMBIA", "FL": "FLORIDA", "GA": "GEORGIA",
    "HI": "HAWAII", "ID": "IDAHO", "IL": "ILLINOIS", "IN": "INDIANA", "IA": "IOWA", "KS": "KANSAS",
    "KY": "KENTUCKY", "LA": "LOUISIANA", "ME": "MAINE", "MD": "MARYLAND", "MA": "MASSACHUSETTS",
    "MI": "MICHIGAN", "MN": "MINNESOTA", "MS": "MISSISSIPPI", "MO": "MISSOURI", "MT": "MONTANA",
    "NE": "NEBRASKA", "NV": "NEVADA", "NH": "NEW HAMPSHIRE", "NJ": "NEW JERSEY", "NM": "NEW MEXICO",
    "NY": "NEW YORK", "NC": "NORTH CAROLINA", "ND": "NORTH DAKOTA", "OH": "OHIO", "OK": "OKLAHOMA",
    "OR": "OREGON", "PA": "PENNSYLVANIA", "RI": "RHODE ISLAND", "SC": "SOUTH CAROLINA", "SD": "SOUTH DAKOTA",
    "TN": "TENNESSEE", "TX": "TEXAS", "UT": "UTAH", "VT": "VERMONT", "VA": "VIRGINIA", "WA": "WASHINGTON",
    "WV": "WEST VIRGINIA", "WI": "WISCONSIN", "WY": "WYOMING", "PR": "PUERTO RICO", "GU": "GUAM",
    "VI": "VIRGIN ISLANDS", "MP": "NORTHERN MARIANA ISLANDS",
}  # fmt: skip
# Detainers go mostly to county jails and prisons; hold rooms, hospitals and juvenile sites see few.
TYPE_WEIGHT = {"IGSA": 1.0, "USMS IGA": 1.0, "BOP": 0.6, "CDF": 0.4, "SPC": 0.4, "DIGSA": 0.4,
               "HOLD": 0.08, "STAGING": 0.05, "JUVENILE": 0.03, "HOSPITAL": 0.02}  # fmt: skip


@dataclass(frozen=True)
class Facility:
    code: str
    name: str
    city: str
    state: str  # spelled out, upper case, as releases write it
    aor: str


@cache
def facilities() -> tuple[tuple[Facility, ...], tuple[float, ...]]:
    """Facilities from the bundled lists with cumulative weights: type times a fixed heavy-tailed size."""
    base = data_dir() / "ice-facilities"
    aor_names: dict[str, str] = {}
    with (base / "uwchr_detloc_aor.csv").open(encoding="utf-8", newline="") as fh:
        by_code = {r["detention_facility_code"]: r["area_of_responsibility"] for r in csv.DictReader(fh)}
    rows: list[tuple[Facility, float]] = []
    size = random.Random(1532)  # facility sizes are a property of the world, not of one release
    with gzip.open(base / "uwchr_ice_facilities_joined.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        joined = [r for r in csv.DictReader(fh) if r["state"] in STATE_NAMES and r["city"]]
    for r in joined:
        aor = by_code.get(r["detloc"], "NA")
        if aor != "NA":
            aor_names.setdefault(r["aor"], aor)
    for r in joined:
        aor = by_code.get(r["detloc"], "NA")
        aor = aor if aor != "NA" else aor_names.get(r["aor"], "")
        weight = TYPE_WEIGHT.get(r["type_detailed"], 0.2) * size.lognormvariate(0, 1.3)
        fac = Facility(r["detloc"], r["name"], r["city"].upper(), STATE_NAMES[r["state"]], aor)
        rows.append((fac, weight))
    known = {f.code for f, _ in rows}
    with (base / "ddp_facility_locations_oct2025.tsv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            if r["detention_facility_code"] in known or r["state"] not in STATE_NAMES:
                continue
            name = r["detention_facility_name"]
            weight = (0.02 if "HOSP" in name or "MED" in name else 1.0) * size.lognormvariate(0, 1.3)
            fac = Facility(r["detention_facility_code"], name, r["city"].upper(), STATE_NAMES[r["state"]], "")
            rows.append((fac, weight))
    cum, total = [], 0.0
    for _, w in rows:
        total += w
        cum.append(total)
    return tuple(f for f, _ in rows), tuple(cum)


def _cum(pairs: list) -> tuple[list, list[float]]:
    values, cum, total = [], [], 0.0
    for value, weight, *_ in pairs:
        total += weight
        values.append(value)
        cum.append(total)
    return values, cum
