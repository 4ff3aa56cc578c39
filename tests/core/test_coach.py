"""The language coach: every category on several variants, negation and quoting, text order."""

from __future__ import annotations

import re

import pytest

from portal.core.coach import MODULES, CoachNote, coach_text, compile_coach

# category -> (module it points to, variants that must trigger it, with the words to report)
CATEGORIES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "lazy": (
        "not-lazy",
        [
            ("You're so lazy.", "You're so lazy"),
            ("Honestly, stop being lazy and get up", "stop being lazy"),
            ("I'm not angry, but you're being lazy", "you're being lazy"),
            ("This is just laziness", "laziness"),
        ],
    ),
    "just try harder": (
        "not-lazy",
        [
            ("You just need to try harder", "need to try harder"),
            ("Just try harder!", "Just try harder"),
            ("If you tried harder you'd feel better", "If you tried harder"),
        ],
    ),
    "try harder": (
        "not-lazy",
        [
            ("try harder tomorrow", "try harder"),
            ("you have to try a bit harder", "you have to try a bit harder"),
            ("you could make more of an effort", "make more of an effort"),
        ],
    ),
    "snap out of it": (
        "not-lazy",
        [
            ("Snap out of it!", "Snap out of it"),
            ("you need to snap out of this mood", "snap out of this mood"),
            ("I don't care, just snap out of it", "snap out of it"),
        ],
    ),
    "you should be better by now": (
        "fast-relief",
        [
            ("You should be better by now", "You should be better by now"),
            (
                "Shouldn\u2019t you be feeling better by now?",
                "Shouldn\u2019t you be feeling better by now",
            ),
            ("Aren't you better yet?", "Aren't you better yet"),
        ],
    ),
    "you should be over this": (
        "not-lazy",
        [
            ("You should be over this", "You should be over this"),
            ("you really should be over it by now", "you really should be over it"),
            ("aren't you over it yet", "aren't you over it yet"),
        ],
    ),
    "it's been weeks already": (
        "fast-relief",
        [
            ("It's been weeks already!", "It's been weeks already"),
            ("it\u2019s been months now", "it\u2019s been months now"),
            ("How long is this going to take?", "How long is this going to take"),
        ],
    ),
    "get over it": (
        "not-lazy",
        [
            ("Get over it", "Get over it"),
            ("you need to get over this", "you need to get over this"),
            ("oh just get over yourself", "just get over yourself"),
        ],
    ),
    "cheer up": (
        "not-lazy",
        [
            ("Cheer up!", "Cheer up"),
            ("Oh come on, cheer up", "come on, cheer up"),
            ("Try to look on the bright side", "look on the bright side"),
        ],
    ),
    "stop being so negative": (
        "not-lazy",
        [
            ("Stop being so negative", "Stop being so negative"),
            ("don't be so negative about it", "don't be so negative"),
            ("you just need to think positive", "need to think positive"),
        ],
    ),
    "everyone feels that way": (
        "not-lazy",
        [
            ("Everyone feels that way", "Everyone feels that way"),
            ("everybody feels like that sometimes", "everybody feels like that sometimes"),
            ("we all get down sometimes", "we all get down sometimes"),
        ],
    ),
    "it's all in your head": (
        "not-lazy",
        [
            ("It's all in your head", "It's all in your head"),
            ("it\u2019s just in your head, love", "it\u2019s just in your head"),
            ("you're imagining it", "you're imagining it"),
        ],
    ),
    "other people have it worse": (
        "not-lazy",
        [
            ("Other people have it worse", "Other people have it worse"),
            ("others have it much worse than you", "others have it much worse"),
            ("It could be worse, you know", "It could be worse"),
        ],
    ),
    "you're not even trying": (
        "not-lazy",
        [
            ("You're not even trying", "You're not even trying"),
            ("you don't even try", "you don't even try"),
            ("you aren't making any effort", "you aren't making any effort"),
        ],
    ),
    "you just need to get out more": (
        "new-habits",
        [
            ("You just need to get out more", "You just need to get out more"),
            ("you should go out more", "you should go out more"),
            ("you need to get out of the house more", "you need to get out of the house more"),
            ("You need to get some exercise.", "You need to get some exercise"),
        ],
    ),
    "pull yourself together": (
        "not-lazy",
        [
            ("Pull yourself together", "Pull yourself together"),
            ("you need to get a grip", "get a grip"),
            ("get your act together", "get your act together"),
        ],
    ),
    "stop feeling sorry for yourself": (
        "not-lazy",
        [
            ("Stop feeling sorry for yourself", "Stop feeling sorry for yourself"),
            ("quit feeling sorry for yourself", "quit feeling sorry for yourself"),
            ("enough of the pity party", "pity party"),
        ],
    ),
    "man up": (
        "not-lazy",
        [
            ("Man up", "Man up"),
            ("you need to toughen up", "toughen up"),
            ("big boys don't cry", "big boys don't cry"),
        ],
    ),
    "you were fine yesterday": (
        "fast-relief",
        [
            ("But you were fine yesterday", "you were fine yesterday"),
            ("you seemed fine at the party", "you seemed fine at the party"),
            ("you looked happy this morning", "you looked happy this morning"),
        ],
    ),
    "when will you be back to normal": (
        "fast-relief",
        [
            ("When will you be back to normal?", "When will you be back to normal"),
            ("when are you going to be yourself again", "when are you going to be yourself again"),
            ("I just want the old you back", "I just want the old you back"),
        ],
    ),
}

MUST_NOT_TRIGGER = [
    # from the brief
    "you are not lazy",
    "you're not lazy at all",
    "nobody thinks you're lazy",
    "I won't tell you to snap out of it",
    "there's no 'should' about how fast you heal",
    "lazy Sunday brunch?",
    "the cat is so lazy today",
    "try this recipe",
    "cheering you on",
    "I'm proud of you for trying",
    "take all the time you need",
    "normal Tuesday plan: soup and a movie",
    # more negation, quoting and everyday uses
    "You\u2019re not lazy, you\u2019re unwell",
    "I would never tell you to man up",
    "Nobody expects you to cheer up on demand",
    "It is not all in your head, it's real",
    "I'm not saying you should be better by now",
    "I know you're trying so hard",
    "You're not alone, lots of people feel this way",
    "I'm feeling a bit lazy today myself",
    "we should go out more together when you feel like it",
    "The flowers will cheer up the room",
    "There's a man up the road who fixes bikes",
    "It's been weeks since we saw Grandma",
    "I can't get over how lovely the garden looks",
    "It's OK to feel sorry for yourself sometimes",
    "I think positive changes are coming",
    "You should feel better after a nap",
    "My wife is sick of being told to cheer up",
    "The course says to avoid things like 'man up' and 'snap out of it'",
    "",
    None,
]


@pytest.mark.parametrize(
    ("category", "text", "words"),
    [
        (category, text, words)
        for category, (_, variants) in CATEGORIES.items()
        for text, words in variants
    ],
)
def test_each_category_triggers_with_its_module(category, text, words):
    module_id = CATEGORIES[category][0]
    notes = coach_text(text)
    assert len(notes) == 1, (category, text, notes)
    note = notes[0]
    assert note.module_id == module_id, (category, text, note)
    assert note.phrase == words, (category, text, note.phrase)
    assert note.phrase in text  # as written: same case, same apostrophes
    assert note.why
    assert note.try_instead


def test_every_category_has_at_least_two_variants():
    for category, (module_id, variants) in CATEGORIES.items():
        assert module_id in MODULES
        assert len(variants) >= 2, category


@pytest.mark.parametrize("text", MUST_NOT_TRIGGER)
def test_negated_quoted_and_everyday_phrases_do_not_trigger(text):
    assert coach_text(text) == []


def test_multiple_problems_come_back_in_text_order():
    text = (
        "I love you, but it's been weeks already. Other people have it worse, so just "
        "snap out of it and stop being lazy. Cheer up!"
    )
    notes = coach_text(text)
    assert [note.phrase for note in notes] == [
        "it's been weeks already",
        "Other people have it worse",
        "snap out of it",
        "stop being lazy",
        "Cheer up",
    ]
    assert [note.module_id for note in notes] == [
        "fast-relief",
        "not-lazy",
        "not-lazy",
        "not-lazy",
        "not-lazy",
    ]
    positions = [text.index(note.phrase) for note in notes]
    assert positions == sorted(positions)


def test_one_note_per_category():
    notes = coach_text("You're lazy. So lazy. Honestly lazy.")
    assert len(notes) == 1
    assert notes[0].phrase == "You're lazy"


def test_notes_are_plain_frozen_values():
    note = coach_text("man up")[0]
    assert isinstance(note, CoachNote)
    with pytest.raises(AttributeError):
        note.phrase = "changed"  # type: ignore[misc]


def test_why_is_one_or_two_sentences_for_every_entry():
    for text in [variants[0][0] for _, variants in CATEGORIES.values()]:
        for note in coach_text(text):
            sentences = [s for s in re.split(r"(?<=[.!?])\s+", note.why) if s]
            assert 1 <= len(sentences) <= 2, note.why


@pytest.mark.parametrize(
    "data",
    [
        {"entries": [{"patterns": "x", "why": "w", "try_instead": "t", "module_id": "not-lazy"}]},
        {"entries": [{"id": "a", "patterns": "x", "why": "w", "try_instead": "t"}]},
        {"entries": [{"id": "a", "why": "w", "try_instead": "t", "module_id": "new-habits"}]},
    ],
)
def test_malformed_coach_data_is_rejected(data):
    with pytest.raises(ValueError, match="coach entry"):
        compile_coach(data)
