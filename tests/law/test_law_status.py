"""The legal status engine on the shipped rulings: circuit splits, dated narrowing, party injunctions."""

from __future__ import annotations

from datetime import date

import pytest

from sanctuary_atlas.law.jurisdictions import jurisdiction

# 2020-08-01: after the 9th Cir. narrowed the nationwide injunction (2020-07-13) and the 2d Cir.
# denied rehearing, before DOJ withdrew the conditions (2021-04-14).
SPLIT_DATE = date(2020, 8, 1)


@pytest.mark.parametrize(
    ("key", "circuit", "status", "deciding"),
    [
        ("Albany, NY", "2", "upheld", "L020"),  # 2d Cir. upheld (New York v. DOJ)
        ("Boston, MA", "1", "held_unlawful", "L016"),  # 1st Cir. struck (Providence v. Barr)
        ("Newark, NJ", "3", "held_unlawful", "L011"),  # 3d Cir. struck (Philadelphia)
        ("55079", "7", "held_unlawful", "L007"),  # Milwaukee County; 7th Cir. struck (Chicago v. Barr)
        ("Seattle, WA", "9", "held_unlawful", "L014"),  # 9th Cir. struck (SF v. Barr)
        ("Houston, TX", "5", "in_force", None),  # no 5th Cir. ruling
    ],
)
def test_circuit_split_on_the_fy2017_notice_condition(engine, gaz, key, circuit, status, deciding) -> None:
    j = jurisdiction(gaz, key)
    result = engine.status(j, "JAG-NOTICE", SPLIT_DATE)
    assert j.circuit == circuit
    assert result.status == status
    assert result.circuit_status == ({"in_force": "none"}.get(status, status))
    assert not result.party_injunction
    if deciding:
        assert result.cases[0]["id"] == deciding
        assert result.cases[0]["citation"]
    else:
        assert result.cases == [] and result.other_rulings  # rulings elsewhere are listed, not applied


def test_second_circuit_certification_condition_upheld_while_first_struck(engine, gaz) -> None:
    ny = engine.status(jurisdiction(gaz, "36"), "JAG-CERT-1373", SPLIT_DATE)
    ri = engine.status(jurisdiction(gaz, "44"), "JAG-CERT-1373", SPLIT_DATE)
    assert (ny.status, ri.status) == ("upheld", "held_unlawful")
    assert "951 F.3d 84 (2d Cir. 2020)" in {c["citation"] for c in ny.cases}


def test_nationwide_injunction_later_narrowed_is_dated(engine, gaz) -> None:
    texas = jurisdiction(gaz, "48")
    before = engine.status(texas, "JAG-ACCESS", date(2019, 6, 1))
    after = engine.status(texas, "JAG-ACCESS", date(2020, 7, 13))
    assert before.status == "enjoined" and "nationwide" in before.reason
    assert before.cases[0]["id"] == "L013"
    assert after.status == "in_force"
    # California entities stayed protected after the narrowing, as subdivisions of the state.
    fresno = engine.status(jurisdiction(gaz, "Fresno, CA"), "JAG-ACCESS", date(2020, 7, 13))
    assert fresno.status == "enjoined" and fresno.party_injunction
    assert "subdivision" in fresno.reason


def test_chicago_injunction_lost_its_nationwide_reach_in_june_2018(engine, gaz) -> None:
    houston = jurisdiction(gaz, "Houston, TX")
    assert engine.status(houston, "JAG-NOTICE", date(2018, 5, 1)).status == "enjoined"
    inside = engine.status(houston, "JAG-NOTICE", date(2018, 6, 15))
    assert any("known only to the month" in c for c in inside.caveats)
    assert inside.verification == "partially_verified"
    assert engine.status(houston, "JAG-NOTICE", date(2018, 7, 15)).status == "in_force"
    chicago = engine.status(jurisdiction(gaz, "17031:chicago"), "JAG-NOTICE", date(2018, 7, 15))
    assert chicago.status == "enjoined" and chicago.party_injunction


def test_party_injunction_reversed_on_appeal(engine, gaz) -> None:
    new_york = jurisdiction(gaz, "36")
    # The nationwide N.D. Cal. order also covered New York then; the party order was L017.
    mid = engine.status(new_york, "JAG-NOTICE", date(2019, 1, 1))
    assert mid.party_injunction and "L017" in {c["id"] for c in mid.cases}
    later = engine.status(new_york, "JAG-NOTICE", date(2020, 3, 1))
    assert not later.party_injunction  # S.D.N.Y. order vacated by the 2d Cir. on 2020-02-26
    assert later.circuit_status == "upheld"


def test_only_the_certification_condition_protects_named_plaintiffs_in_the_ninth(engine, gaz) -> None:
    sf = engine.status(jurisdiction(gaz, "San Francisco, CA"), "JAG-CERT-1373", SPLIT_DATE)
    fresno = engine.status(jurisdiction(gaz, "Fresno, CA"), "JAG-CERT-1373", SPLIT_DATE)
    assert sf.status == "enjoined" and sf.party_injunction
    assert fresno.status == "held_unlawful" and not fresno.party_injunction


def test_withdrawal_comes_first_but_the_circuit_position_is_kept(engine, gaz) -> None:
    result = engine.status(jurisdiction(gaz, "Albany, NY"), "JAG-NOTICE", date(2022, 1, 1))
    assert result.status == "withdrawn" and result.circuit_status == "upheld"
    assert result.cases[0]["id"] == "G09"


def test_vacatur_and_prior_party_injunction(engine, gaz) -> None:
    texas, illinois = jurisdiction(gaz, "48"), jurisdiction(gaz, "17")
    assert engine.status(texas, "DOT-IEC-2025", date(2025, 7, 1)).status == "in_force"
    assert engine.status(illinois, "DOT-IEC-2025", date(2025, 7, 1)).status == "enjoined"
    assert engine.status(texas, "DOT-IEC-2025", date(2025, 11, 5)).status == "vacated"


def test_incomplete_party_lists_are_flagged(engine, gaz) -> None:
    oakland = engine.status(jurisdiction(gaz, "Oakland, CA"), "DOJ-BONDI-2025", date(2025, 9, 1))
    assert oakland.status == "in_force"
    assert any("incomplete" in c for c in oakland.caveats)
    assert oakland.verification == "partially_verified"
    chicago = engine.status(jurisdiction(gaz, "17031:chicago"), "DOJ-BONDI-2025", date(2025, 9, 1))
    assert chicago.status == "enjoined" and chicago.cases[0]["id"] == "L042"


def test_not_yet_imposed_and_no_ruling(engine, gaz) -> None:
    boston = jurisdiction(gaz, "Boston, MA")
    assert engine.status(boston, "JAG-NOTICE", date(2017, 1, 1)).status == "not_yet_imposed"
    assert engine.status(boston, "COPS-1373", date(2019, 1, 1)).status == "no_ruling"


def test_eo_13768_revoked_then_reimposed(engine, gaz) -> None:
    la_county = jurisdiction(gaz, "06037")
    assert engine.status(la_county, "EO-ELIGIBILITY", date(2019, 1, 1)).status == "enjoined"
    assert engine.status(la_county, "EO-ELIGIBILITY", date(2022, 1, 1)).status == "withdrawn"
    assert engine.status(la_county, "EO-ELIGIBILITY", date(2025, 3, 1)).status == "in_force"


def test_every_status_carries_verification_and_sources(engine, gaz, reg) -> None:
    j = jurisdiction(gaz, "17031")
    for cond in reg.conditions.values():
        result = engine.status(j, cond.condition_id, date(2020, 1, 1))
        assert result.verification in {"verified", "partially_verified", "unverified"}
        for case in result.cases + result.other_rulings:
            assert case["sources"] and case["verification"]


def test_every_party_order_protects_its_parties_on_its_first_full_day(engine, gaz) -> None:
    # For each dated party order in the rules, every named party must come out protected (or the
    # condition withdrawn/vacated) on the order's first day: catches a rule the engine cannot honour.
    from sanctuary_atlas.law.jurisdictions import resolve_name

    checked = 0
    for e in engine.rules.effects:
        if e.effect != "enjoined" or not e.scope.startswith("parties") or e.start.precision != "day":
            continue
        for party in e.parties:
            j = resolve_name(gaz, party.state, party.kind, party.name).jurisdiction
            for cid in e.conditions:
                result = engine.status(j, cid, e.start.start())
                assert result.status in {"enjoined", "withdrawn", "vacated"}, (e.number, party, cid)
                checked += 1
    assert checked > 50


@pytest.mark.parametrize(
    "day",
    [date(2017, 1, 1), date(2018, 6, 15), date(2019, 12, 31), date(2021, 6, 1), date(2025, 10, 15), date(2026, 1, 31)],
)
def test_statuses_stay_in_the_vocabulary(engine, gaz, reg, day) -> None:
    vocabulary = set(engine.rules.statuses)
    for key in ("06", "17031:chicago", "36005:new-york-city", "48453", "44007:providence"):
        j = jurisdiction(gaz, key)
        for cond in reg.conditions.values():
            result = engine.status(j, cond.condition_id, day)
            assert result.status in vocabulary and result.reason
            assert result.circuit_status in {"held_unlawful", "upheld", "none"}
