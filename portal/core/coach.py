"""Language coach: gentle notes on pressuring or minimising words before a message is posted.

A family member's message to the patient is checked for phrases such as "snap out of it", "you
should be better by now" or "it's all in your head". Each finding becomes a ``CoachNote``: the
words as they were written, why they may hurt, a kinder wording, and the course module to read.
The writer decides what to do with the notes; nothing is blocked.

The phrases are data, not code: ``portal/core/data/coach_phrases.yaml`` holds one entry per
category (id, regex patterns, why, try_instead, module_id, optional ``unless`` regexes). Text is
matched in lower case with apostrophes unified and dropped ("you're" -> "youre"). A match is
skipped when the few words before it in the same clause negate or quote it ("you are not lazy",
"nobody thinks you're lazy", "I won't tell you to snap out of it"); the negation words and the
window size are in the data file too.

``coach_text`` returns at most one note per category, in the order the phrases appear in the text.
This module imports nothing from Flask or the rest of the portal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

DATA_PACKAGE = "portal.core"
DATA_FILE = "data/coach_phrases.yaml"
MODULES = frozenset({"not-lazy", "fast-relief", "out-of-the-box", "new-habits"})

_APOSTROPHES = frozenset("'\u2019\u2018\u201b\u02bc\u00b4`\u2032")
_CLAUSE_END = re.compile(r"[.,;:!?\"()\[\]{}\u201c\u201d\u2014\u2013\n]|\s-+\s")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class CoachNote:
    """One finding: the words found, why they may hurt, a kinder idea and a module to read."""

    phrase: str  # the words found in the text, as written
    why: str  # why it may hurt, one or two plain sentences
    try_instead: str  # a kinder rewording idea
    module_id: str  # course module: "not-lazy", "fast-relief", "out-of-the-box" or "new-habits"


@dataclass(frozen=True)
class _Entry:
    id: str
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]
    why: str
    try_instead: str
    module_id: str


@dataclass(frozen=True)
class _Negation:
    window: int
    words: re.Pattern[str]
    clause_breaks: re.Pattern[str]


@dataclass(frozen=True)
class _Coach:
    entries: tuple[_Entry, ...]
    negation: _Negation


def coach_text(text: str | None) -> list[CoachNote]:
    """Notes on pressuring or minimising phrases in ``text``, in text order; empty when none."""
    if not text or not text.strip():
        return []
    coach = _coach()
    normal, origin = normalise_with_origin(text)
    found: list[tuple[int, int, _Entry]] = []
    for entry in coach.entries:
        span = _first_match(entry, normal, coach.negation)
        if span is not None:
            found.append((span[0], span[1], entry))
    found.sort(key=lambda item: (item[0], -item[1]))
    notes: list[CoachNote] = []
    taken_until = -1
    for start, end, entry in found:
        if start < taken_until:  # overlaps a phrase another category already explained
            continue
        taken_until = end
        phrase = text[origin[start] : origin[end - 1] + 1]
        notes.append(CoachNote(phrase, entry.why, entry.try_instead, entry.module_id))
    return notes


def normalise_with_origin(text: str) -> tuple[str, list[int]]:
    """Lowercase, drop apostrophes, collapse whitespace; ``origin[i]`` is where char i came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char in _APOSTROPHES:
            continue
        if char.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                origin.append(index)
            continue
        for lower in char.lower():
            chars.append(lower)
            origin.append(index)
    while chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    return "".join(chars), origin


def _first_match(entry: _Entry, text: str, negation: _Negation) -> tuple[int, int] | None:
    """The earliest match of ``entry`` that is neither excused by ``unless`` nor negated."""
    excused = [hit.span() for rule in entry.unless for hit in rule.finditer(text)]
    best: tuple[int, int] | None = None
    for pattern in entry.patterns:
        for match in pattern.finditer(text):
            start, end = match.span()
            if start == end or (best is not None and start >= best[0]):
                break
            if any(u_start < end and start < u_end for u_start, u_end in excused):
                continue
            if _negated(text[:start], negation):
                continue
            best = (start, end)
            break
    return best


def _negated(before: str, negation: _Negation) -> bool:
    """Do the last few words of the clause before a match negate or quote it?"""
    clause = _CLAUSE_END.split(before)[-1]
    clause = negation.clause_breaks.split(clause)[-1]
    words = _WORD.findall(clause)[-negation.window :] if negation.window > 0 else []
    return bool(negation.words.search(" ".join(words)))


@lru_cache(maxsize=1)
def _coach() -> _Coach:
    source = resources.files(DATA_PACKAGE).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return compile_coach(yaml.safe_load(source))


def compile_coach(data: Mapping[str, Any]) -> _Coach:
    """Compile the parsed YAML document; raises ``ValueError`` on a malformed entry."""
    negation = data.get("negation") or {}
    entries: list[_Entry] = []
    seen: set[str] = set()
    for raw in data.get("entries") or []:
        entry_id = str(raw.get("id") or "")
        if not entry_id or entry_id in seen:
            raise ValueError(f"coach entry without a unique id: {raw!r}")
        seen.add(entry_id)
        module_id = str(raw.get("module_id") or "")
        if module_id not in MODULES:
            raise ValueError(f"coach entry {entry_id!r} has unknown module_id {module_id!r}")
        patterns = _as_list(raw.get("patterns"))
        why = " ".join(str(raw.get("why") or "").split())
        try_instead = " ".join(str(raw.get("try_instead") or "").split())
        if not patterns or not why or not try_instead:
            raise ValueError(f"coach entry {entry_id!r} needs patterns, why and try_instead")
        entries.append(
            _Entry(
                id=entry_id,
                patterns=tuple(re.compile(p.strip()) for p in patterns),
                unless=tuple(re.compile(u.strip()) for u in _as_list(raw.get("unless"))),
                why=why,
                try_instead=try_instead,
                module_id=module_id,
            )
        )
    return _Coach(
        entries=tuple(entries),
        negation=_Negation(
            window=int(negation.get("window", 5)),
            words=re.compile(str(negation.get("words") or r"(?!)").strip()),
            clause_breaks=re.compile(str(negation.get("clause_breaks") or r"(?!)").strip()),
        ),
    )


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value]
    raise ValueError(f"expected a string or a list of strings, got {value!r}")
