"""What the page says after someone wrote words of crisis: which banner (risk or emergency),
whether to add the Spanish lines, and whether anyone was told.

A route that saved the words calls ``flash_notice(check)`` after its commit; the next page's
``base.html`` asks ``pending_notice()`` and draws ``_macros/crisis.html``'s one banner above the
header. A page that shows words not yet sent (the question's review step) builds a notice with
``notice_for(check, when=Wording.UNSENT)`` and hands it to the same macro.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flask import flash, get_flashed_messages

from portal.core.safety import Level, SafetyCheck

CATEGORY = "crisis"

LEVEL_LABELS = {
    Level.NONE: "",
    Level.RISK: "Crisis language",
    Level.EMERGENCY: "EMERGENCY: an attempt may be under way",
}


class Wording(StrEnum):
    """What the banner says happened to the words."""

    SAVED = "saved"  # saved, and moderators were told
    PRIVATE = "private"  # saved where nobody else reads it, so nobody was told
    UNSENT = "unsent"  # not sent yet (a review step)


@dataclass(frozen=True)
class CrisisNotice:
    level: Level
    spanish: bool = False
    when: Wording = Wording.SAVED

    @property
    def emergency(self) -> bool:
        return self.level is Level.EMERGENCY

    def encode(self) -> str:
        """The flashed message: "emergency es private" (level first, then the flags)."""
        words = [self.level.value]
        if self.spanish:
            words.append("es")
        if self.when is not Wording.SAVED:
            words.append(self.when.value)
        return " ".join(words)

    @classmethod
    def decode(cls, message: str) -> CrisisNotice:
        """Read a flashed message back; anything unknown (an older "crisis") means a risk."""
        words = message.split()
        level = Level.EMERGENCY if "emergency" in words else Level.RISK
        when = next((w for w in Wording if w.value in words), Wording.SAVED)
        return cls(level=level, spanish="es" in words, when=when)


def level_label(level: str | None) -> str:
    """The words for a stored level ("risk", "emergency"); empty for none or unknown."""
    try:
        return LEVEL_LABELS[Level(level or "none")]
    except ValueError:
        return ""


def notice_for(check: SafetyCheck, *, when: Wording = Wording.SAVED) -> CrisisNotice | None:
    """The banner for this verdict, or None when the words need none."""
    if not check.crisis:
        return None
    return CrisisNotice(level=check.level, spanish=check.spanish, when=when)


def flash_notice(check: SafetyCheck, *, private: bool = False) -> None:
    """Put the crisis banner at the top of the next page (call after the commit)."""
    notice = notice_for(check, when=Wording.PRIVATE if private else Wording.SAVED)
    if notice is not None:
        flash(notice.encode(), CATEGORY)


def merge(notices: list[CrisisNotice]) -> CrisisNotice | None:
    """Several flashes for one page become one banner: the most urgent level, Spanish if any
    was, and "private" only if every one was."""
    if not notices:
        return None
    return CrisisNotice(
        level=Level.EMERGENCY if any(n.emergency for n in notices) else Level.RISK,
        spanish=any(n.spanish for n in notices),
        when=notices[0].when if len({n.when for n in notices}) == 1 else Wording.SAVED,
    )


def pending_notice() -> CrisisNotice | None:
    """The banner this page owes from earlier requests' flashes (templates call it)."""
    messages = get_flashed_messages(category_filter=[CATEGORY])
    return merge([CrisisNotice.decode(str(message)) for message in messages])
