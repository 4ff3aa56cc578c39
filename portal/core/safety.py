"""Crisis language: does this text show a risk of suicide or self-harm, or an attempt under way?

``check_text`` answers for every place people write. Its idea of "crisis" is deliberately wider
than "the writer is in danger right now":

* suicide or self-harm risk in a real person, said by them or reported by someone else, in English
  or Spanish, directly ("I want to end it all", "mi hijo dice que se quiere matar") or as the
  public warning-sign lists describe it (988 Lifeline, AFSP, NIMH): hopelessness, feeling a
  burden, not being around in the future, a date already decided, getting the means, goodbyes,
  giving treasured things away, affairs put in order out of the blue, a goodbye followed by
  silence;
* a question about how to recognise or respond to that risk (a relative asking is very likely
  worried about someone in particular);
* an attempt under way or just made: something swallowed, an overdose, bleeding, a person at a
  height, a weapon in hand, a car running in a closed garage, a ligature. That is
  ``Level.EMERGENCY``: the page then leads with 911.

It reasons in concepts, not sentences. ``data/crisis/concepts.yaml`` names the ideas (the person,
wanting, dying, the means, heights, goodbyes, being unreachable, "right now"...) with their
English and Spanish words, slang and misspellings; ``data/crisis/rules_*.yaml`` say which
concepts, together, mean crisis, with guards for idioms ("dying to know", "me muero de risa").
Each rule names its *head* concepts: a rule is tried only on a sentence that holds a word of one
of them, which keeps a 2,000-character text well under a millisecond (``bench/safety.py``).

Text is normalised first (``normalise``): lower case, accents and apostrophes dropped, digits and
symbols inside words read as letters ("su1c1d3", "k!ll" stays), stretched letters cut to two, and
sentence ends kept as `` . `` so a rule never spans two sentences. When the writer stretched a
word ("diiiie"), a second, squeezed form is also tried.

It is still a net of rules, measured honestly: ``tests/core/test_safety.py`` scores the tuning
set and every blind batch (written by people who never saw the rules) separately, and the README
gives the last blind figure measured before tuning. Treat it as one safeguard among several.

This module imports nothing from Flask or the rest of the portal.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

DATA_PACKAGE = "portal.core"
DATA_DIR = "data/crisis"
RULE_FILES = {"en": "rules_en.yaml", "es": "rules_es.yaml"}

_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u201b\u02bc\u00b4`\u2032", "'"))
_LEET = str.maketrans("0134579@$", "oieastgas")
_LEET_HINT = re.compile(r"[0-9@$](?:(?<=[a-z].)|(?=[a-z]))")
_LEET_TOKEN = re.compile(r"[a-z0-9@$]+")
_SLASHED = re.compile(r"\b(?:w/o|s/h)\b")
_SLASHED_WORDS = {"w/o": "without", "s/h": "self harm"}
# Sentence ends become " . "; every other ASCII symbol becomes a space.
_PUNCTUATION = str.maketrans(
    {**dict.fromkeys(string.punctuation, " "), **dict.fromkeys(".!?;\n\r", ".")}
)
_DOTS = re.compile(r"\.(?: \.)+")
_LONG_RUN = re.compile(r"([a-z])\1\1+")
_DOUBLE = re.compile(r"([^\W\d_])\1+")
_PLACEHOLDER = re.compile(r"\{([A-Z][A-Z_]*)\}")
_WINDOW, _OVERLAP = 32, 12  # words: a rule spans far fewer than the overlap
_STEM_KEY = 4  # a stem must be at least this long; stems are indexed by their first letters


def _word_lists() -> dict[str, Any]:
    source = resources.files(DATA_PACKAGE).joinpath(DATA_DIR, "words.yaml")
    data: dict[str, Any] = yaml.safe_load(source.read_text(encoding="utf-8"))
    return data


_WORDS = _word_lists()
_SHORT_FORMS: dict[str, str] = {str(k): str(v) for k, v in _WORDS["short_forms"].items()}
_FUNCTION_WORDS = frozenset(str(_WORDS["function_words"]).split())
_SPANISH_WORDS = frozenset(str(_WORDS["spanish_words"]).split())
_ENGLISH_WORDS = frozenset(str(_WORDS["english_words"]).split())


class Level(StrEnum):
    """How urgent the words are: nothing, a risk to act on, or an attempt under way or just made."""

    NONE = "none"
    RISK = "risk"
    EMERGENCY = "emergency"


_RANK = {Level.NONE: 0, Level.RISK: 1, Level.EMERGENCY: 2}


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


NO_CRISIS = SafetyCheck(level=Level.NONE, matched=())


@dataclass(frozen=True)
class _Form:
    """One compiled form (ordinary or squeezed) of a rule."""

    any: re.Pattern[str]  # all the patterns in one: most sentences are ruled out by one search
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]
    also: tuple[re.Pattern[str], ...]
    never: tuple[re.Pattern[str], ...]  # anywhere in the sentence, these call the rule off


@dataclass(frozen=True)
class Rule:
    id: str
    level: Level
    lang: str
    heads: frozenset[str]
    plain: _Form
    squeezed: _Form


@dataclass
class Ruleset:
    """Rules and the index from a word to the head concepts it belongs to."""

    rules: tuple[Rule, ...]
    words: dict[str, set[str]] = field(default_factory=dict)
    stems: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    squeezed_words: dict[str, set[str]] = field(default_factory=dict)
    squeezed_stems: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    by_head: dict[str, list[int]] = field(default_factory=dict)


def normalise(text: str) -> str:
    """Lower case; accents, apostrophes and emoji dropped; digits inside words read as letters;
    punctuation to spaces; letter runs cut to two; sentence ends become `` . ``."""
    text = text.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
        text = text.encode("ascii", "ignore").decode("ascii")
    text = text.replace("'", "")
    if "/" in text:
        text = _SLASHED.sub(lambda m: _SLASHED_WORDS[m.group(0)], text)
    if _LEET_HINT.search(text):
        text = _LEET_TOKEN.sub(_read_leet, text)
    text = text.translate(_PUNCTUATION).replace(".", " . ")
    if _LONG_RUN.search(text):
        text = _LONG_RUN.sub(r"\1\1", text)
    words = text.split()
    text = " ".join([_SHORT_FORMS.get(w, w) for w in words])
    if ". ." in text:
        text = _DOTS.sub(".", text)
    return text


def _read_leet(match: re.Match[str]) -> str:
    """A word mixing letters with digits or symbols is read as letters: "d13" -> "die"."""
    token = match.group(0)
    if token.isalpha() or token.isdigit() or not _LEET_HINT.search(token):
        return token
    return token.translate(_LEET)


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


def check_text(text: str | None, ruleset: Ruleset | None = None) -> SafetyCheck:
    """How urgent is ``text``: none, risk (crisis resources, moderators told) or emergency?"""
    if not text or not text.strip():
        return NO_CRISIS
    rules = ruleset or default_ruleset()
    plain = normalise(text)
    fired = _fire(rules, plain, squeezed=False)
    if _LONG_RUN.search(text.lower()):  # the writer stretched a word: try it squeezed too
        fired.update(_fire(rules, squeeze(plain), squeezed=True))
    if not fired:
        return NO_CRISIS
    ordered = [rule for rule in rules.rules if rule.id in fired]
    level = max((rule.level for rule in ordered), key=_RANK.__getitem__)
    spanish = any(rule.lang == "es" for rule in ordered) or _looks_spanish(plain)
    return SafetyCheck(level=level, matched=tuple(r.id for r in ordered), spanish=spanish)


def _fire(rules: Ruleset, text: str, *, squeezed: bool) -> set[str]:
    words, stems = (
        (rules.squeezed_words, rules.squeezed_stems) if squeezed else (rules.words, rules.stems)
    )
    fired: set[str] = set()
    for sentence, tokens in _spans(text):
        heads: set[str] = set()
        for token in tokens:
            found = words.get(token)
            if found:
                heads |= found
            for stem, concept in stems.get(token[:_STEM_KEY], ()):
                if token.startswith(stem):
                    heads.add(concept)
        if not heads:
            continue
        candidates = sorted({i for head in heads for i in rules.by_head.get(head, ())})
        for index in candidates:
            rule = rules.rules[index]
            if rule.id in fired:
                continue
            form = rule.squeezed if squeezed else rule.plain
            if _fires(form, sentence) and all(p.search(text) for p in form.also):
                fired.add(rule.id)
    return fired


def _spans(text: str) -> Iterator[tuple[str, list[str]]]:
    """Each sentence with its words; a run-on sentence (people often write without full stops)
    in overlapping windows, so that no rule has to scan a whole page at once."""
    for sentence in text.split(" . "):
        tokens = sentence.split()
        if len(tokens) <= _WINDOW:
            yield sentence, tokens
            continue
        for start in range(0, len(tokens) - _OVERLAP, _WINDOW - _OVERLAP):
            window = tokens[start : start + _WINDOW]
            yield " ".join(window), window


def _fires(form: _Form, text: str) -> bool:
    """True when some pattern matches and no ``unless`` match overlaps that match."""
    if not form.any.search(text) or any(p.search(text) for p in form.never):
        return False
    excused: list[tuple[int, int]] | None = None
    for pattern in form.patterns:
        for match in pattern.finditer(text):
            if excused is None:
                excused = [hit.span() for rule in form.unless for hit in rule.finditer(text)]
            start, end = match.span()
            if not any(u_start < end and start < u_end for u_start, u_end in excused):
                return True
    return False


def _looks_spanish(text: str) -> bool:
    tokens = text.split()
    spanish = sum(token in _SPANISH_WORDS for token in tokens)
    english = sum(token in _ENGLISH_WORDS for token in tokens)
    return spanish > english


@lru_cache(maxsize=1)
def default_ruleset() -> Ruleset:
    """The portal's rules, read once per process from ``portal/core/data/crisis/``."""
    folder = resources.files(DATA_PACKAGE).joinpath(DATA_DIR)
    concepts = yaml.safe_load(folder.joinpath("concepts.yaml").read_text(encoding="utf-8"))
    rules = {
        lang: yaml.safe_load(folder.joinpath(name).read_text(encoding="utf-8"))
        for lang, name in RULE_FILES.items()
    }
    return compile_ruleset(concepts, rules)


def compile_ruleset(
    concepts: Mapping[str, Any], rules_by_lang: Mapping[str, Mapping[str, Any]]
) -> Ruleset:
    """Compile parsed concept and rule documents; raises ``ValueError`` on a malformed entry."""
    terms, sources = _concepts(concepts.get("concepts") or {})
    compiled: list[Rule] = []
    seen: set[str] = set()
    for lang, document in rules_by_lang.items():
        for entry in document.get("rules") or []:
            rule = _rule(entry, lang, terms, sources)
            if rule.id in seen:
                raise ValueError(f"crisis rule id used twice: {rule.id!r}")
            seen.add(rule.id)
            compiled.append(rule)
    ruleset = Ruleset(rules=tuple(compiled))
    for index, rule in enumerate(compiled):
        for head in rule.heads:
            ruleset.by_head.setdefault(head, []).append(index)
    for name in {head for rule in compiled for head in rule.heads}:
        for term in terms[name]:
            for squeezed, words, stems in (
                (False, ruleset.words, ruleset.stems),
                (True, ruleset.squeezed_words, ruleset.squeezed_stems),
            ):
                # A phrase is indexed by its least common-looking word: not a function word,
                # then the longest, then the last.
                parts = term.split()
                first = max(
                    parts,
                    key=lambda w: (w not in _FUNCTION_WORDS, len(w.rstrip("*")), parts.index(w)),
                )
                first = squeeze(first) if squeezed else first
                if first.endswith("*"):
                    stem = first[:-1]
                    stems.setdefault(stem[:_STEM_KEY], []).append((stem, name))
                else:
                    words.setdefault(first, set()).add(name)
    return ruleset


def _concepts(data: Mapping[str, Any]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Each concept's literal terms (usable as a head) and the regex its placeholder expands to."""
    terms: dict[str, list[str]] = {}
    sources: dict[str, str] = {}
    for name, entry in data.items():
        if not re.fullmatch(r"[A-Z][A-Z_]*", str(name)):
            raise ValueError(f"crisis concept name must be upper case: {name!r}")
        if "regex" in entry:
            sources[name] = "(?:" + str(entry["regex"]).strip() + ")"
            continue
        words = []
        for raw in _terms(entry):
            word = normalise(raw.strip().rstrip("*"))
            words.append(word + "*" if raw.strip().endswith("*") else word)
        if not words:
            raise ValueError(f"crisis concept {name!r} has no terms")
        for word in words:
            if word.endswith("*") and len(word) - 1 < _STEM_KEY:
                raise ValueError(f"crisis concept {name!r}: stem {word!r} is too short")
        terms[name] = words
        alternatives = sorted(
            {re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in words},
            key=len,
            reverse=True,
        )
        sources[name] = "(?:" + "|".join(alternatives) + ")"
    return terms, sources


def _terms(entry: Mapping[str, Any]) -> list[str]:
    return [str(t) for key in ("en", "es", "any") for t in _as_list(entry.get(key))]


def _rule(
    entry: Mapping[str, Any], lang: str, terms: dict[str, list[str]], sources: Mapping[str, str]
) -> Rule:
    rule_id = str(entry.get("id") or "")
    if not rule_id:
        raise ValueError(f"crisis rule without an id: {entry!r}")
    heads = frozenset(_head_name(h, terms) for h in _as_list(entry.get("head")))
    if not heads:
        raise ValueError(f"crisis rule {rule_id!r} names no head concept")
    for head in heads:
        if head not in terms:
            raise ValueError(f"crisis rule {rule_id!r}: head {head!r} is not a concept with terms")
    patterns = [_expand(p, sources, rule_id) for p in _as_list(entry.get("match"))]
    if not patterns:
        raise ValueError(f"crisis rule {rule_id!r} has no match")
    unless = [_expand(p, sources, rule_id) for p in _as_list(entry.get("unless"))]
    also = [_expand(p, sources, rule_id) for p in _as_list(entry.get("also"))]
    never = [_expand(p, sources, rule_id) for p in _as_list(entry.get("not"))]
    level = Level(str(entry.get("level") or "risk"))
    return Rule(
        id=rule_id,
        level=level,
        lang=lang,
        heads=heads,
        plain=_compile_form(patterns, unless, also, never),
        squeezed=_compile_form(
            *([squeeze_regex(p) for p in part] for part in (patterns, unless, also, never))
        ),
    )


def _head_name(head: str, terms: dict[str, list[str]]) -> str:
    """A head is a concept (upper case) or a literal word or stem (``tired``, ``suicid*``)."""
    if head.isupper():
        return head
    word = normalise(head.rstrip("*")) + ("*" if head.endswith("*") else "")
    if word.endswith("*") and len(word) - 1 < _STEM_KEY:
        raise ValueError(f"crisis head stem {head!r} is too short")
    terms.setdefault("~" + word, [word])
    return "~" + word


def _compile_form(
    patterns: list[str], unless: list[str], also: list[str], never: list[str]
) -> _Form:
    return _Form(
        any=re.compile("|".join(f"(?:{p})" for p in patterns)),
        patterns=tuple(re.compile(p) for p in patterns),
        unless=tuple(re.compile(u) for u in unless),
        also=tuple(re.compile(a) for a in also),
        never=tuple(re.compile(n) for n in never),
    )


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value]
    raise ValueError(f"expected a string or a list of strings, got {value!r}")


def _expand(regex: str, sources: Mapping[str, str], rule_id: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in sources:
            raise ValueError(f"unknown concept {{{name}}} in crisis rule {rule_id!r}")
        return sources[name]

    return _PLACEHOLDER.sub(replace, regex.strip())
