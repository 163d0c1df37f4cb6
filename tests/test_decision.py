"""The committee's decision: never one person's, deviations explained, hard flags overridden by two."""

from __future__ import annotations

import datetime as _dt

import pytest

import weegtool
from weegtool.decision import Decision, DecisionError, Signatory, check_decision
from weegtool.io import load_decisions

from .conftest import ROOT

CHAIR = Signatory("A. Voorzitter", "voorzitter")
SCIENTIST = Signatory("B. Gedrag", "gedragswetenschapper", "SKJ 110012345", True)


@pytest.fixture(scope="module")
def advice_and_instrument():
    instrument = weegtool.load_instrument()
    scores = weegtool.score(instrument, ROOT / "tests" / "data" / "committee.csv")
    advices = weegtool.advise(scores, on=_dt.date(2026, 11, 23))
    return advices, instrument


def _decision(advice, **changes):
    fields = dict(
        candidate_id=advice.candidate_id,
        category=advice.category,
        follows_advice=True,
        signatories=(CHAIR, SCIENTIST),
    )
    fields.update(changes)
    return Decision(**fields)


def test_a_complete_decision_that_follows_the_advice(advice_and_instrument):
    advices, instrument = advice_and_instrument
    assert check_decision(_decision(advices[0]), advices[0], instrument) == []


def test_one_person_is_not_a_committee(advice_and_instrument):
    advices, instrument = advice_and_instrument
    problems = check_decision(
        _decision(advices[0], signatories=(SCIENTIST,)), advices[0], instrument
    )
    assert problems == ["the decision: needs at least two committee members; got 1."]


def test_a_registered_behavioural_scientist_signs(advice_and_instrument):
    advices, instrument = advice_and_instrument
    unregistered = Signatory("C. Gedrag", "gedragswetenschapper", None, True)
    problems = check_decision(
        _decision(advices[0], signatories=(CHAIR, unregistered)), advices[0], instrument
    )
    assert len(problems) == 1 and "registered behavioural scientist" in problems[0]


def test_a_deviation_needs_reasons_citing_items(advice_and_instrument):
    advices, instrument = advice_and_instrument
    advice = advices[0]
    other = next(c.id for c in instrument.spec.advice.categories if c.id != advice.category)
    bare = _decision(advice, category=other, follows_advice=False)
    assert any(
        "needs a written justification citing the items" in p
        for p in check_decision(bare, advice, instrument)
    )
    argued = _decision(
        advice,
        category=other,
        follows_advice=False,
        justification="Netwerk sterk.",
        items=("pf_network",),
    )
    assert check_decision(argued, advice, instrument) == []
    wrong_item = _decision(
        advice, category=other, follows_advice=False, justification="x", items=("pf_netwerk",)
    )
    assert any(
        "'pf_netwerk' are not items" in p for p in check_decision(wrong_item, advice, instrument)
    )


@pytest.mark.parametrize(
    "lang, said",
    [
        (
            "en",
            "the decision: a soft flag needs a written justification citing the items it rests on; "
            "flagged: Suicide risk.",
        ),
        (
            "nl",
            "het besluit: een zacht signaal vraagt een schriftelijke motivering met de items waarop die steunt; "
            "gesignaleerd: Suïciderisico.",
        ),
    ],
)
def test_a_soft_flag_needs_reasons_citing_items_even_when_following_the_advice(
    advice_and_instrument, lang, said
):
    advices, instrument = advice_and_instrument
    advice = advices.get("C2")
    assert [(f.id, f.severity) for f in advice.flags] == [("suicide_risk", "soft")]
    for changes in ({}, {"justification": "Besproken."}, {"items": ("er_self_harm",)}):
        assert check_decision(_decision(advice, **changes), advice, instrument, lang) == [said]
    argued = _decision(advice, justification="Veiligheidsplan besproken.", items=("er_self_harm",))
    assert check_decision(argued, advice, instrument, lang) == []


def test_a_deviation_on_a_soft_flag_without_reasons_breaks_both_rules(advice_and_instrument):
    advices, instrument = advice_and_instrument
    advice = advices.get("C2")
    problems = check_decision(
        _decision(advice, category="refer", follows_advice=False), advice, instrument
    )
    assert problems == [
        "the decision: a deviation from the advice needs a written justification citing the items it rests on.",
        "the decision: a soft flag needs a written justification citing the items it rests on; "
        "flagged: Suicide risk.",
    ]


def test_a_hard_flag_overridden_in_the_advice_takes_reasons_and_two_signatures(
    advice_and_instrument,
):
    advices, instrument = advice_and_instrument
    scores = weegtool.score(instrument, ROOT / "tests" / "data" / "committee.csv")
    override = weegtool.Override(
        "needs_secured_setting",
        "Eenmalig incident.",
        ("A. Voorzitter", "B. Gedrag"),
        ("ic_risk_behaviour",),
    )
    overridden = weegtool.advise(
        scores, on=_dt.date(2026, 11, 23), overrides={"C5": [override]}
    ).get("C5")
    assert (advices.get("C5").category, overridden.flags[0].overridden) == ("refer", True)
    decision = _decision(
        overridden,
        justification="Eenmalig incident.",
        items=("ic_risk_behaviour",),
        overridden_flags=("needs_secured_setting",),
    )
    assert check_decision(decision, overridden, instrument) == []
    alone = _decision(
        overridden, signatories=(SCIENTIST,), overridden_flags=("needs_secured_setting",)
    )
    assert check_decision(alone, overridden, instrument) == [
        "the decision: needs at least two committee members; got 1.",
        "the decision: overriding a hard flag needs a justification citing items, and two signatures.",
    ]


def test_follows_advice_must_be_true_to_the_categories(advice_and_instrument):
    advices, instrument = advice_and_instrument
    other = next(c.id for c in instrument.spec.advice.categories if c.id != advices[0].category)
    problems = check_decision(_decision(advices[0], category=other), advices[0], instrument)
    assert any("it is marked as following the advice, but the advice is" in p for p in problems)


def test_only_a_hard_flag_of_this_candidate_can_be_overridden(advice_and_instrument):
    advices, instrument = advice_and_instrument
    problems = check_decision(
        _decision(advices[0], overridden_flags=("suicide_risk",), justification="x"),
        advices[0],
        instrument,
    )
    assert any(
        "'Suicide risk' is not a hard contra-indication of this young person" in p for p in problems
    )


def test_load_decisions_reads_a_list(tmp_path):
    path = tmp_path / "decisions.yaml"
    path.write_text(
        "decisions:\n"
        "  - candidate_id: C1\n    category: fits\n    follows_advice: true\n"
        "    decided_on: 2026-11-23\n"
        "    signatories:\n      - {name: A, role: voorzitter}\n"
        "      - {name: B, role: gedragswetenschapper, registration: SKJ 1, behavioural_scientist: true}\n",
        encoding="utf-8",
    )
    decision = load_decisions(path)["C1"]
    assert (
        decision.decided_on == _dt.date(2026, 11, 23)
        and decision.signatories[1].behavioural_scientist
    )


def test_a_decision_file_speaks_the_vocabulary_of_every_file(tmp_path):
    # issue 11: decision files refused "ja" and 23-11-2026, which ratings tables accept
    path = tmp_path / "decisions.yaml"
    path.write_text(
        "- {candidate_id: C1, category: fits, follows_advice: ja, decided_on: 23-11-2026}\n"
        "- {candidate_id: C2, category: refer, follows_advice: nee, decided_on: 2026-11-24}\n",
        encoding="utf-8",
    )
    decisions = load_decisions(path)
    assert [(d.follows_advice, d.decided_on) for d in decisions.values()] == [
        (True, _dt.date(2026, 11, 23)),
        (False, _dt.date(2026, 11, 24)),
    ]


def test_load_decisions_reports_every_bad_record(tmp_path, advice_and_instrument):
    advices, instrument = advice_and_instrument
    path = tmp_path / "decisions.yaml"
    path.write_text(
        "- {candidate_id: C1, category: fits, follows_advice: true, justfication: x}\n"
        "- just text\n"
        "- {candidate_id: C2, category: refr, follows_advice: maybe, decided_on: 31-02-2026, justification: null}\n"
        "- {candidate_id: 007, category: fits, follows_advice: true}\n"
        "- {candidate_id: C9, category: fits, follows_advice: true, items: [er_intensity, er_nope]}\n"
        "- {candidate_id: C3, category: fits, follows_advice: true}\n"
        "- {candidate_id: C3, category: fits, follows_advice: true}\n",
        encoding="utf-8",
    )
    with pytest.raises(DecisionError) as caught:
        load_decisions(path, instrument, [a.candidate_id for a in advices])
    assert caught.value.problems == (
        "line 1: decisions[0]: unknown field 'justfication'. Did you mean 'justification'?",
        "line 2: decisions[1]: must be a mapping of fields (candidate_id, category, follows_advice, justification, items, "
        "dissent, signatories, decided_on, overridden_flags); got str.",
        "line 3: decisions[2].follows_advice: input should be a valid boolean, unable to interpret input; got 'maybe'.",
        "line 3: decisions[2].justification: input should be a valid string; got None.",
        "line 3: decisions[2].decided_on: must be a date as YYYY-MM-DD or DD-MM-YYYY; got '31-02-2026'.",
        "line 4: decisions[3].candidate_id: write ids in quotes (7 was read as a number, which loses leading zeros).",
        "line 5: decisions[4]: candidate_id 'C9' is not a candidate of these ratings.",
        "line 5: decisions[4]: items ['er_nope'] are not items of twente-specialistisch-wonen.",
        "line 7: decisions[6]: a second decision for the same candidate; give one per candidate.",
    )


def test_an_unknown_category_gets_a_suggestion(tmp_path, advice_and_instrument):
    _, instrument = advice_and_instrument
    path = tmp_path / "decisions.yaml"
    path.write_text(
        "- {candidate_id: C1, category: refr, follows_advice: false}\n", encoding="utf-8"
    )
    with pytest.raises(DecisionError) as caught:
        load_decisions(path, instrument)
    assert caught.value.problems[0].endswith("got 'refr'. Did you mean 'refer'?")


def test_load_decisions_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(DecisionError, match="no such decision file"):
        load_decisions(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n", encoding="utf-8")
    with pytest.raises(DecisionError, match="not valid YAML"):
        load_decisions(bad)


def test_a_hard_flag_is_set_aside_only_by_its_override(advice_and_instrument):
    # issue 12: placing C5 (needs a secured setting) as an ordinary, argued deviation was accepted,
    # so the two-signature rule for hard flags added nothing
    advices, instrument = advice_and_instrument
    c5 = advices.get("C5")
    placed = _decision(
        c5, category="fits", follows_advice=False, justification="Gaat goed thuis.",
        items=("ic_risk_behaviour",),
    )  # fmt: skip
    assert check_decision(placed, c5, instrument, lang="en") == [
        "the decision: placing despite a hard contra-indication (Needs a secured setting) takes "
        "overriding it, with a justification citing items and two signatures."
    ]
    refused = _decision(c5, category="refer")
    assert check_decision(refused, c5, instrument) == []
