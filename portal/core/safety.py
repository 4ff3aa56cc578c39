"""Crisis-language detector: does this text mention suicide or self-harm risk?

``check_text`` answers one question for the portal: should the crisis resources be put in front of
the person who wrote this, and should a moderator look at it? Its definition of "crisis" is
deliberately wider than "the writer is in danger right now":

* the text mentions suicide or self-harm risk in a real person, in the first person ("I want to end
  it all", "I've been cutting again") or reported about someone else ("my son said he wants to end
  it", "she told me she has a plan to take pills"), including euphemisms, slang and misspellings
  ("kms", "unalive myself", "sewer slide", "sucidal"); or
* the text asks how to recognise or respond to that risk ("what should I say if someone talks
  about suicide?", "how can I tell if my husband is suicidal?"). A family member asking this is
  very likely worried about someone in particular, and the help lines must be on their screen.

Everyday idioms must not fire: "I'm dying to know", "my feet are killing me", "dead tired", "cut
the onions", "I want to end the call", "hang in there", "career suicide". A false alarm costs a
banner with phone numbers; a miss can cost far more, so the patterns lean towards firing.

It is a pattern net, not an understanding of meaning. While it was built, each batch of phrases
written before the patterns had seen them was caught only 55-83% of the time (false alarms 0-5%),
although the tuned corpus scores far higher. Indirect signs ("found with a rope in the garage")
still slip through. Treat it as one safeguard among several (moderators, visible help links),
never as the only one.

The patterns are data, not code: ``portal/core/data/crisis_patterns.yaml`` lists them, each with
an ``id`` (reported in ``SafetyCheck.matched`` for moderators), one or more regexes or literal
phrases, and optional ``unless`` regexes for idioms. Text is normalised before matching (see
``normalise``), and a second, "squeezed" form with every doubled letter cut to one is also tried
so stretched spellings ("i wannnna diiiie") match. ``tests/core/test_safety.py`` measures recall
and false alarms over ``tests/core/data/crisis_corpus.yaml``.

This module imports nothing from Flask or the rest of the portal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

DATA_PACKAGE = "portal.core"
DATA_FILE = "data/crisis_patterns.yaml"

_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u201b\u02bc\u00b4`\u2032", "'"))
_SENTENCE_END = re.compile(r"[.!?;\n\r\u2026]+")
_NOT_WORD = re.compile(r"[^\w\s.]+")
_LONG_RUN = re.compile(r"([^\W\d_])\1{2,}")
_DOUBLE = re.compile(r"([^\W\d_])\1+")
_SPACES = re.compile(r"\s+")
_MACRO = re.compile(r"\{([A-Z][A-Z_]*)\}")


class Level(StrEnum):
    """How urgent the words are: nothing, a risk to act on, or an attempt under way or just made."""

    NONE = "none"
    RISK = "risk"
    EMERGENCY = "emergency"


@dataclass(frozen=True)
class SafetyCheck:
    """The verdict on one text: its level, the ids of the rules that fired, and whether the words
    that fired were Spanish (so the Spanish crisis lines are shown too)."""

    level: Level
    matched: tuple[str, ...]  # ids of the rules that fired (for moderators), empty when none
    spanish: bool = False

    @property
    def crisis(self) -> bool:
        return self.level is not Level.NONE

    @property
    def emergency(self) -> bool:
        return self.level is Level.EMERGENCY


@dataclass(frozen=True)
class _Form:
    """One compiled form (ordinary or squeezed) of a pattern entry."""

    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class _Rule:
    id: str
    plain: _Form
    squeezed: _Form


NO_CRISIS = SafetyCheck(level=Level.NONE, matched=())


def normalise(text: str) -> str:
    """Lowercase; unify then drop apostrophes; punctuation to spaces; letter runs cut to two.

    Sentence ends become `` . `` so that a pattern's word window never spans two sentences.
    """
    text = text.translate(_APOSTROPHES).lower().replace("'", "")
    text = _SENTENCE_END.sub(" . ", text)
    text = _NOT_WORD.sub(" ", text)
    text = _LONG_RUN.sub(r"\1\1", text)
    return _SPACES.sub(" ", text).strip()


def squeeze(text: str) -> str:
    """Cut every run of a repeated letter to one letter: "diie" -> "die", "wanna" -> "wana"."""
    return _DOUBLE.sub(r"\1", text)


def squeeze_regex(source: str) -> str:
    """Apply ``squeeze`` to the literal letters of a regex, leaving escapes (``\\b``) alone."""
    out: list[str] = []
    previous = ""
    index = 0
    while index < len(source):
        char = source[index]
        if char == "\\" and index + 1 < len(source):
            out.append(source[index : index + 2])
            previous = ""
            index += 2
            continue
        if not (char.isalpha() and char == previous):
            out.append(char)
        previous = char if char.isalpha() else ""
        index += 1
    return "".join(out)


def check_text(text: str | None) -> SafetyCheck:
    """Does ``text`` mention suicide or self-harm risk (or ask how to respond to it)?"""
    if not text or not text.strip():
        return NO_CRISIS
    plain = normalise(text)
    squeezed = squeeze(plain)
    matched = tuple(
        rule.id
        for rule in _rules()
        if _fires(rule.plain, plain) or (squeezed != plain and _fires(rule.squeezed, squeezed))
    )
    return SafetyCheck(level=Level.RISK if matched else Level.NONE, matched=matched)


def _fires(form: _Form, text: str) -> bool:
    """True when some pattern matches and no ``unless`` match overlaps that match."""
    excused: list[tuple[int, int]] | None = None
    for pattern in form.patterns:
        for match in pattern.finditer(text):
            if excused is None:
                excused = [hit.span() for rule in form.unless for hit in rule.finditer(text)]
            start, end = match.span()
            if not any(u_start < end and start < u_end for u_start, u_end in excused):
                return True
    return False


@lru_cache(maxsize=1)
def _rules() -> tuple[_Rule, ...]:
    source = resources.files(DATA_PACKAGE).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return compile_rules(yaml.safe_load(source))


def compile_rules(data: Mapping[str, Any]) -> tuple[_Rule, ...]:
    """Compile the parsed YAML document into rules; raises ``ValueError`` on a malformed entry."""
    macros = {str(name): str(value).strip() for name, value in (data.get("macros") or {}).items()}
    rules: list[_Rule] = []
    seen: set[str] = set()
    for entry in data.get("patterns") or []:
        rule_id = str(entry.get("id") or "")
        if not rule_id or rule_id in seen:
            raise ValueError(f"crisis pattern without a unique id: {entry!r}")
        seen.add(rule_id)
        sources = [_expand(regex, macros) for regex in _as_list(entry.get("regex"))]
        sources += [_phrase_regex(phrase) for phrase in _as_list(entry.get("phrases"))]
        if not sources:
            raise ValueError(f"crisis pattern {rule_id!r} has no regex or phrases")
        unless = [_expand(regex, macros) for regex in _as_list(entry.get("unless"))]
        rules.append(
            _Rule(
                id=rule_id,
                plain=_compile_form(sources, unless),
                squeezed=_compile_form(
                    [squeeze_regex(s) for s in sources], [squeeze_regex(u) for u in unless]
                ),
            )
        )
    return tuple(rules)


def _compile_form(sources: Iterable[str], unless: Iterable[str]) -> _Form:
    return _Form(
        patterns=tuple(re.compile(source) for source in sources),
        unless=tuple(re.compile(source) for source in unless),
    )


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value]
    raise ValueError(f"expected a string or a list of strings, got {value!r}")


def _expand(regex: str, macros: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise ValueError(f"unknown macro {{{name}}} in crisis pattern {regex!r}")
        return macros[name]

    return _MACRO.sub(replace, regex.strip())


def _phrase_regex(phrase: str) -> str:
    words = normalise(phrase).split()
    return r"\b" + " ".join(re.escape(word) for word in words) + r"\b"
