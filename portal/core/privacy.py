"""Spot details that could identify someone in a question meant for all families.

It only suggests: the asker sees the words highlighted and decides. Names are guessed from
capitalised words that do not start a sentence, so it errs on the side of pointing things out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

PATTERNS = {
    "phone number": re.compile(r"(?<!\w)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)"),
    "email address": re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    "date": re.compile(
        r"\b(?:\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|"
        r"oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?(?:,? \d{4})?)\b",
        re.IGNORECASE,
    ),
    "place": re.compile(
        r"\b(?:[A-Z][a-z]+ )+(?:Street|St|Avenue|Ave|Road|Rd|Hospital|Clinic|School|University|"
        r"Park|County|City)\b|\b(?:in|at|from) (?:[A-Z][a-z]+)(?: [A-Z][a-z]+)?"
    ),
}
NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}\b")
NOT_NAMES = frozenset(
    {
        "I",
        "I'm",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Mom",
        "Dad",
        "God",
        "English",
        "Christmas",
        "Thanksgiving",
        "Easter",
        "Recovery",
        "Circle",
    }
)


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str


def identifying_details(text: str) -> list[Finding]:
    findings: list[Finding] = []
    for kind, pattern in PATTERNS.items():
        findings += [Finding(kind, m.start(), m.end(), m.group()) for m in pattern.finditer(text)]
    for line_start, line in _lines(text):
        for match in NAME.finditer(line):
            if match.group() not in NOT_NAMES and not _sentence_start(line, match.start()):
                start = line_start + match.start()
                findings.append(Finding("name", start, start + len(match.group()), match.group()))
    findings.sort(key=lambda f: (f.start, -f.end))
    merged: list[Finding] = []
    for finding in findings:
        if merged and finding.start < merged[-1].end:
            continue
        merged.append(finding)
    return merged


def highlight(text: str) -> Markup:
    """The text, escaped, with each finding wrapped in <mark> and labelled for screen readers."""
    out, cursor = [], 0
    for finding in identifying_details(text):
        out.append(escape(text[cursor : finding.start]))
        out.append(
            Markup('<mark><span class="visually-hidden">possible {}: </span>{}</mark>').format(
                finding.kind, finding.text
            )
        )
        cursor = finding.end
    out.append(escape(text[cursor:]))
    return Markup("").join(out)


def _lines(text: str) -> list[tuple[int, str]]:
    result, offset = [], 0
    for line in text.splitlines(keepends=True):
        result.append((offset, line))
        offset += len(line)
    return result


def _sentence_start(line: str, index: int) -> bool:
    before = line[:index].rstrip()
    return not before or before[-1] in ".!?:\"'(-"
