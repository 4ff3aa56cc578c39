"""The crisis detector's labelled batches (tests/core/data/crisis_batches/), read one way for the
tests and the benchmark."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from portal.core.safety import Level, Ruleset, check_text

FOLDER = Path(__file__).parent / "data" / "crisis_batches"


@dataclass(frozen=True)
class Phrase:
    text: str
    lang: str
    level: Level  # NONE for a calm phrase


@dataclass(frozen=True)
class Batch:
    name: str
    status: str  # "tuning" or "held-out"
    crisis: tuple[Phrase, ...]
    calm: tuple[Phrase, ...]
    entry: dict[str, Any]


@dataclass(frozen=True)
class Score:
    recall: float
    false_alarms: float
    emergencies_found: int
    emergencies: int
    missed: tuple[Phrase, ...]
    alarmed: tuple[Phrase, ...]
    not_emergency: tuple[Phrase, ...]

    def line(self) -> str:
        return (
            f"recall {self.recall:.3f}, false alarms {self.false_alarms:.3f}, "
            f"emergencies {self.emergencies_found}/{self.emergencies}"
        )


def load_batches() -> list[Batch]:
    index = yaml.safe_load((FOLDER / "index.yaml").read_text(encoding="utf-8"))
    return [_load(entry) for entry in index["batches"]]


def _load(entry: dict[str, Any]) -> Batch:
    data = yaml.safe_load((FOLDER / entry["file"]).read_text(encoding="utf-8"))
    if "safe" in data:  # the first round's format: plain English strings, no levels
        crisis = tuple(Phrase(text, "en", Level.RISK) for text in data["crisis"])
        calm = tuple(Phrase(text, "en", Level.NONE) for text in data["safe"])
    else:
        crisis = tuple(
            Phrase(item["text"], item["lang"], Level(item["level"])) for item in data["crisis"]
        )
        calm = tuple(Phrase(item["text"], item["lang"], Level.NONE) for item in data["calm"])
    return Batch(entry["file"], entry["status"], crisis, calm, entry)


def score(batch: Batch, lang: str | None = None, ruleset: Ruleset | None = None) -> Score:
    crisis = [p for p in batch.crisis if lang in (None, p.lang)]
    calm = [p for p in batch.calm if lang in (None, p.lang)]
    missed, not_emergency = [], []
    for phrase in crisis:
        check = check_text(phrase.text, ruleset)
        if not check.crisis:
            missed.append(phrase)
        if phrase.level is Level.EMERGENCY and not check.emergency:
            not_emergency.append(phrase)
    alarmed = [p for p in calm if check_text(p.text, ruleset).crisis]
    emergencies = sum(p.level is Level.EMERGENCY for p in crisis)
    return Score(
        recall=1 - len(missed) / len(crisis) if crisis else 1.0,
        false_alarms=len(alarmed) / len(calm) if calm else 0.0,
        emergencies_found=emergencies - len(not_emergency),
        emergencies=emergencies,
        missed=tuple(missed),
        alarmed=tuple(alarmed),
        not_emergency=tuple(not_emergency),
    )
