"""The crisis-language detector: recall and false alarms over a realistic corpus, plus unit tests.

The corpus (tests/core/data/crisis_corpus.yaml) was written before the patterns and then extended
with phrases written after each review round, before the patterns had seen them; keep adding real
misses and false alarms there first, then change the patterns.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from portal.core.safety import (
    Level,
    SafetyCheck,
    check_text,
    compile_rules,
    normalise,
    squeeze,
    squeeze_regex,
)

CORPUS = Path(__file__).parent / "data" / "crisis_corpus.yaml"

MIN_RECALL = 0.98
MAX_FALSE_ALARM_RATE = 0.05
MIN_CORPUS_SIZE = 160


def load_corpus() -> dict[str, list[str]]:
    data = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    return {"crisis": list(data["crisis"]), "safe": list(data["safe"])}


def test_corpus_is_big_enough_and_unambiguous():
    corpus = load_corpus()
    assert len(corpus["crisis"]) >= MIN_CORPUS_SIZE
    assert len(corpus["safe"]) >= MIN_CORPUS_SIZE
    assert not set(corpus["crisis"]) & set(corpus["safe"])


def test_recall_over_crisis_corpus():
    phrases = load_corpus()["crisis"]
    misses = [phrase for phrase in phrases if not check_text(phrase).crisis]
    recall = 1 - len(misses) / len(phrases)
    assert recall >= MIN_RECALL, (
        f"recall {recall:.3f} < {MIN_RECALL} ({len(misses)} of {len(phrases)} missed):\n"
        + "\n".join(f"  MISSED: {phrase}" for phrase in misses)
    )


def test_false_alarm_rate_over_safe_corpus():
    phrases = load_corpus()["safe"]
    alarms = [(phrase, check_text(phrase).matched) for phrase in phrases]
    alarms = [(phrase, matched) for phrase, matched in alarms if matched]
    rate = len(alarms) / len(phrases)
    assert rate <= MAX_FALSE_ALARM_RATE, (
        f"false-alarm rate {rate:.3f} > {MAX_FALSE_ALARM_RATE} "
        f"({len(alarms)} of {len(phrases)} fired):\n"
        + "\n".join(f"  FIRED {list(matched)}: {phrase}" for phrase, matched in alarms)
    )


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t"])
def test_nothing_to_check_is_not_a_crisis(text):
    assert check_text(text) == SafetyCheck(level=Level.NONE, matched=())


def test_safe_text_reports_no_ids():
    assert check_text("My feet are killing me and I'm dead tired") == SafetyCheck(Level.NONE, ())


def test_matched_ids_are_reported():
    result = check_text("He said he wants to kill himself and has been cutting his arms")
    assert result.crisis
    assert "kill-self" in result.matched
    assert "self-injury" in result.matched
    assert len(set(result.matched)) == len(result.matched)
    assert check_text("kms").matched == ("kms",)


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


def test_idiom_exception_only_covers_its_own_words():
    # "cut myself shaving" is excused, but a second, real statement in the same text is not.
    assert not check_text("I cut myself shaving").crisis
    assert check_text("I cut myself shaving, and then I cut myself on purpose").crisis


def test_rules_compile_phrases_macros_and_unless():
    rules = compile_rules(
        {
            "macros": {"WHO": "(?:he|she)"},
            "patterns": [
                {"id": "demo-phrase", "phrases": ["Can\u2019t go on"]},
                {"id": "demo-regex", "regex": r"\b{WHO} left\b", "unless": [r"left (?:early)"]},
            ],
        }
    )
    assert [rule.id for rule in rules] == ["demo-phrase", "demo-regex"]
    assert rules[0].plain.patterns[0].search("i cant go on")
    assert rules[1].plain.patterns[0].search("she left early")
    assert rules[1].plain.unless[0].search("she left early")


@pytest.mark.parametrize(
    "data",
    [
        {"patterns": [{"regex": "x"}]},
        {"patterns": [{"id": "a", "regex": "x"}, {"id": "a", "regex": "y"}]},
        {"patterns": [{"id": "a"}]},
        {"patterns": [{"id": "a", "regex": "{NOPE}"}]},
    ],
)
def test_malformed_pattern_data_is_rejected(data):
    with pytest.raises(ValueError, match="crisis pattern"):
        compile_rules(data)
