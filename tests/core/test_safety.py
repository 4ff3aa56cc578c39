"""The crisis detector: measured on every labelled batch, tuning and blind, plus unit tests.

Each batch is scored on its own (tests/core/data/crisis_batches/index.yaml says which is which).
A tuning batch is one the rules were fitted to: it must meet the issue's targets in full. A
held-out batch has never been tuned on: its figure, measured before anyone looked at its misses,
is in index.yaml and the README, and the test only stops it from getting worse (and never prints
its phrases, so it stays blind). Put a miss or a false alarm in a tuning batch before changing a
rule; when a held-out batch is tuned on, it becomes a tuning batch and a new blind one is written.
"""

from __future__ import annotations

import re

import pytest

from portal.core.safety import (
    Level,
    SafetyCheck,
    check_text,
    compile_ruleset,
    default_ruleset,
    normalise,
    squeeze,
    squeeze_regex,
)
from tests.core.crisis_batches import Batch, load_batches, score

MIN_RECALL = 0.98
MAX_FALSE_ALARM_RATE = 0.05
MIN_BATCH_SIZE = 60

BATCHES = load_batches()
TUNING = [b for b in BATCHES if b.status == "tuning"]
HELD_OUT = [b for b in BATCHES if b.status == "held-out"]


def _ids(batches: list[Batch]) -> list[str]:
    return [b.name for b in batches]


def test_every_batch_is_big_enough_unambiguous_and_labelled():
    assert HELD_OUT or TUNING
    for batch in BATCHES:
        assert batch.status in ("tuning", "held-out"), batch.name
        assert len(batch.crisis) >= MIN_BATCH_SIZE, batch.name
        assert len(batch.calm) >= MIN_BATCH_SIZE, batch.name
        assert not {p.text for p in batch.crisis} & {p.text for p in batch.calm}, batch.name
        if batch.name != "corpus_2026_11.yaml":
            assert {p.lang for p in batch.crisis} == {"en", "es"}, batch.name
            assert any(p.level is Level.EMERGENCY for p in batch.crisis), batch.name
        if batch.status == "held-out":
            assert "blind" in batch.entry, f"{batch.name}: record its blind figure first"


@pytest.mark.parametrize("batch", TUNING, ids=_ids(TUNING))
def test_tuning_batch_meets_the_targets(batch: Batch):
    result = score(batch)
    problems = [f"  MISSED: {p.text}" for p in result.missed]
    problems += [f"  NOT EMERGENCY: {p.text}" for p in result.not_emergency]
    problems += [f"  FIRED: {p.text} {list(check_text(p.text).matched)}" for p in result.alarmed]
    assert result.recall >= MIN_RECALL, f"{batch.name}: {result.line()}\n" + "\n".join(problems)
    assert result.false_alarms <= MAX_FALSE_ALARM_RATE, (
        f"{batch.name}: {result.line()}\n" + "\n".join(problems)
    )
    assert not result.not_emergency, f"{batch.name}: {result.line()}\n" + "\n".join(problems)


@pytest.mark.parametrize("batch", HELD_OUT, ids=_ids(HELD_OUT))
def test_held_out_batch_does_not_get_worse(batch: Batch):
    """The blind figure is what it is; this only guards it. Phrases are never printed."""
    floor = batch.entry["floor"]
    result = score(batch)
    figure = f"{batch.name} (held out): {result.line()}"
    recall, alarms, emergencies = result.recall, result.false_alarms, result.emergencies_found
    del result  # its repr holds the phrases; a failure must not print them
    print(figure)
    assert round(recall, 3) >= floor["recall"], figure
    assert round(alarms, 3) <= floor["false_alarms"], figure
    assert emergencies >= floor["emergencies"], figure


def test_gating_by_head_concepts_loses_nothing():
    """A rule is tried only on sentences holding one of its heads; trying every rule on every
    sentence of every batch must not find anything more."""
    rules = default_ruleset()
    for batch in BATCHES:
        for phrase in batch.crisis + batch.calm:
            plain = normalise(phrase.text)
            forms = [(plain, False)]
            if re.search(r"([a-z])\1\1", phrase.text.lower()):
                forms.append((squeeze(plain), True))
            everything: set[str] = set()
            for text, squeezed in forms:
                for sentence in text.split(" . "):
                    for rule in rules.rules:
                        form = rule.squeezed if squeezed else rule.plain
                        if _fires_ungated(form, sentence, text):
                            everything.add(rule.id)
            lost = everything - set(check_text(phrase.text).matched)
            shown = phrase.text if batch.status == "tuning" else "(a held-out phrase)"
            assert not lost, f"{batch.name}: rules {sorted(lost)} lost by gating on {shown}"


def _fires_ungated(form, sentence: str, text: str) -> bool:
    from portal.core.safety import _fires

    return _fires(form, sentence) and all(p.search(text) for p in form.also)


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t"])
def test_nothing_to_check_is_not_a_crisis(text):
    assert check_text(text) == SafetyCheck(level=Level.NONE, matched=())


def test_safe_text_reports_no_ids():
    assert check_text("My feet are killing me and I'm dead tired") == SafetyCheck(Level.NONE, ())


def test_matched_ids_are_reported():
    result = check_text("He said he wants to kill himself and has been cutting his arms")
    assert result.level is Level.RISK
    assert "kill-self" in result.matched
    assert "self-injury" in result.matched
    assert len(set(result.matched)) == len(result.matched)
    assert check_text("kms").matched == ("kms",)


@pytest.mark.parametrize(
    "text",
    [
        "My partner has just swallowed a handful of pills",
        "she took the whole bottle of her sleeping pills an hour ago",
        "Mi esposo se tomó todas las pastillas del frasco",
        "he is on the bridge right now and says he is going to jump",
        "the car is running in the garage and he locked the door",
        "mi hija se cortó las muñecas y está sangrando mucho",
    ],
)
def test_an_attempt_under_way_is_an_emergency(text):
    assert check_text(text).level is Level.EMERGENCY


@pytest.mark.parametrize(
    "text",
    [
        "I'm going to take a whole bottle of pills",  # a plan: risk, not yet an emergency
        "my daughter overdosed on purpose last year and I'm scared it will happen again",
        "he tried to hang himself last year",
        "q pasa si me tomo todas las pastillas juntas",
    ],
)
def test_a_plan_or_a_past_attempt_is_a_risk_not_an_emergency(text):
    assert check_text(text).level is Level.RISK


def test_spanish_words_mark_the_check_spanish():
    spanish = check_text("Mi hijo dice que se quiere matar, que hago?")
    assert spanish.crisis
    assert spanish.spanish
    english = check_text("My son says he wants to kill himself, what do I do?")
    assert english.crisis
    assert not english.spanish
    assert not check_text("me muero de risa con mi nieto").crisis


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("w4nt t0 d13", "want to die"),
        ("su1c1d3", "suicide"),
        ("better off w/o me", "better off without me"),
        ("s/h urges tonight", "self harm urges tonight"),
        ("Quiero quitarme la vida mañana", "quiero quitarme la vida manana"),
        ("thinkin bout it", "thinking about it"),
        ("10mg at 3pm", "iomg at epm"),  # digits inside words are read as letters
        ("call 988 at 12:30", "call 988 at 12 30"),  # numbers alone stay numbers
    ],
)
def test_normalise_reads_spellings(written, read):
    assert normalise(written) == read


@pytest.mark.parametrize(
    "text",
    [
        "I don\u2019t want to be here anymore",
        "I don't want to be here anymore",
        "I dont want to be here anymore",
        "I DON\u2018T WANT TO BE HERE ANYMORE!!!",
    ],
)
def test_apostrophes_and_case_are_normalised(text):
    assert normalise(text).startswith("i dont want to be here anymore")
    assert check_text(text).crisis


@pytest.mark.parametrize(
    "text", ["i wanna diiiiie", "i want to dieeeee", "I wannnnna kms", "killlling myselffff"]
)
def test_repeated_letters_are_normalised(text):
    assert check_text(text).crisis


def test_normalise_and_squeeze():
    assert normalise("Sooooo   TIRED…  can\u2019t   sleep") == "soo tired . cant sleep"
    assert squeeze("soo tired, wanna sleep") == "so tired, wana slep"
    # escapes such as \b and \s stay whole; only literal doubled letters are squeezed
    assert squeeze_regex(r"\bbetter\s+kill(?:s)?\b") == r"\bbeter\s+kil(?:s)?\b"


def test_crisis_sentence_buried_in_a_long_message():
    before = (
        "Thanks everyone for the tips last week. The new tablets seem to suit him better and "
        "he managed a short walk to the park on Saturday, which felt like a big step. "
    ) * 5
    after = (
        " Anyway, the appointment is on the 14th and I'm dying to know what the consultant "
        "thinks. The kids are fine and the deadline for the school form is Friday."
    ) * 5
    assert not check_text(before + after).crisis
    result = check_text(before + "Last night he told me he wants to end it all." + after)
    assert result.crisis
    assert "end-it" in result.matched


def test_a_question_about_responding_to_risk_fires():
    """By design: a family member asking how to respond needs the crisis resources too."""
    assert check_text("What should I say if someone talks about suicide?").crisis
    assert not check_text("Taking that job would be career suicide").crisis


def test_signs_that_mean_crisis_together():
    """A goodbye alone, or no answer alone, is ordinary; together they are a warning sign."""
    assert not check_text("She texted 'love you all' from the airport").crisis
    assert not check_text("He's not answering his phone, probably at work").crisis
    together = check_text("She texted 'love you all, im sorry' and now she's not answering")
    assert together.crisis
    assert "goodbye-then-silence" in together.matched


def test_idiom_exception_only_covers_its_own_words():
    # "cut myself shaving" is excused, but a second, real statement in the same text is not.
    assert not check_text("I cut myself shaving").crisis
    assert check_text("I cut myself shaving, and then I cut myself on purpose").crisis


def _tiny(rules: dict) -> object:
    concepts = {"concepts": {"WHO": {"en": ["he", "she"], "es": ["el", "ella"]}}}
    return compile_ruleset(concepts, {"en": {"rules": rules}})


def test_rules_compile_concepts_heads_also_and_not():
    ruleset = _tiny(
        [
            {"id": "left", "head": ["WHO"], "match": r"\b{WHO} left\b", "unless": [r"left early"]},
            {
                "id": "gone",
                "level": "emergency",
                "head": ["gone*"],
                "match": r"\bgone\b",
                "also": [r"\bbye\b"],
                "not": [r"\bshopping\b"],
            },
        ]
    )
    assert [rule.id for rule in ruleset.rules] == ["left", "gone"]
    assert check_text("ella left", ruleset).matched == ("left",)
    assert not check_text("she left early", ruleset).crisis
    assert not check_text("gone", ruleset).crisis  # `also` is missing
    assert check_text("bye. gone", ruleset).level is Level.EMERGENCY
    assert not check_text("bye. gone shopping", ruleset).crisis  # `not` calls it off


@pytest.mark.parametrize(
    "rules",
    [
        [{"head": ["WHO"], "match": "x"}],
        [{"id": "a", "head": ["WHO"], "match": "x"}, {"id": "a", "head": ["WHO"], "match": "y"}],
        [{"id": "a", "head": ["WHO"]}],
        [{"id": "a", "match": "x"}],
        [{"id": "a", "head": ["NOPE"], "match": "x"}],
        [{"id": "a", "head": ["WHO"], "match": "{NOPE}"}],
        [{"id": "a", "head": ["ab*"], "match": "x"}],
        [{"id": "a", "head": ["WHO"], "match": "x", "level": "urgent"}],
    ],
)
def test_malformed_rule_data_is_rejected(rules):
    with pytest.raises(ValueError, match=r"crisis|urgent"):
        _tiny(rules)
