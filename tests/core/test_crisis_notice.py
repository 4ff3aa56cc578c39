"""What the banner is told: a level, Spanish or not, and what happened to the words."""

from __future__ import annotations

import pytest

from portal.core.crisis_notice import (
    CrisisNotice,
    Wording,
    level_label,
    merge,
    notice_for,
)
from portal.core.safety import Level, SafetyCheck


@pytest.mark.parametrize(
    "notice",
    [
        CrisisNotice(Level.RISK),
        CrisisNotice(Level.EMERGENCY, spanish=True),
        CrisisNotice(Level.RISK, spanish=True, when=Wording.PRIVATE),
        CrisisNotice(Level.EMERGENCY, when=Wording.UNSENT),
    ],
)
def test_a_notice_survives_the_flash(notice):
    assert CrisisNotice.decode(notice.encode()) == notice


def test_an_older_flash_reads_as_a_risk():
    assert CrisisNotice.decode("crisis") == CrisisNotice(Level.RISK)


def test_calm_words_need_no_banner():
    assert notice_for(SafetyCheck(level=Level.NONE, matched=())) is None


def test_several_flashes_make_one_banner_at_the_most_urgent_level():
    merged = merge(
        [
            CrisisNotice(Level.RISK, when=Wording.PRIVATE),
            CrisisNotice(Level.EMERGENCY, spanish=True),
        ]
    )
    assert merged == CrisisNotice(Level.EMERGENCY, spanish=True, when=Wording.SAVED)
    assert merge([]) is None
    both_private = [CrisisNotice(Level.RISK, when=Wording.PRIVATE)] * 2
    assert merge(both_private) == CrisisNotice(Level.RISK, when=Wording.PRIVATE)


def test_levels_have_labels():
    assert level_label("emergency") == "EMERGENCY: an attempt may be under way"
    assert level_label("risk") == "Crisis language"
    assert level_label("none") == level_label("unknown") == level_label(None) == ""
