"""The course files: complete, well formed, and written at or below US grade 8."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import textstat

from portal.core.text import plain_excerpt
from portal.learning.content import CONTENT_DIR, ContentError, load_course
from portal.learning.models import StepKind

MAX_GRADE = 8.0
COURSE = load_course()


def test_nine_modules_in_order_with_the_help_module_always_open():
    assert len(COURSE) >= 9
    assert [m.position for m in COURSE] == sorted(m.position for m in COURSE)
    help_now = [m for m in COURSE if m.always_open]
    assert [m.slug for m in help_now] == ["help-now"]


@pytest.mark.parametrize("module", COURSE, ids=lambda m: m.slug)
def test_every_module_has_each_kind_of_step(module):
    kinds = [s.kind for s in module.steps]
    assert 3 <= len(kinds) <= 6
    assert StepKind.READING in kinds
    assert StepKind.CHECK in kinds
    assert StepKind.REFLECTION in kinds
    assert kinds.count(StepKind.ACTION) == 1


@pytest.mark.parametrize("module", COURSE, ids=lambda m: m.slug)
def test_every_check_has_one_right_answer_and_every_answer_is_explained(module):
    for step in module.steps:
        if step.kind != StepKind.CHECK:
            continue
        assert step.question
        assert sum(o["correct"] for o in step.options) == 1, step.slug
        assert all(o["explanation"].strip() for o in step.options), step.slug


def module_text(module) -> str:
    parts = [module.title, module.summary, module.intro]
    for step in module.steps:
        parts += [step.title, step.body, step.question, step.prompt]
        parts += [f"{o['text']} {o['explanation']}" for o in step.options]
    return "\n".join(plain_excerpt(part, length=100_000) for part in parts if part)


@pytest.mark.parametrize("module", COURSE, ids=lambda m: m.slug)
def test_every_module_reads_at_or_below_grade_8(module):
    grade = textstat.flesch_kincaid_grade(module_text(module))
    assert grade <= MAX_GRADE, f"{module.slug} reads at grade {grade:.1f}"


def test_crisis_numbers_are_in_the_modules_that_talk_about_suicide():
    for module in COURSE:
        text = module_text(module).lower()
        if re.search(r"\bsuicid|\bwish i could die\b|\bkill (my|him|her|them)sel", text):
            assert "988" in text, module.slug
            assert "911" in text, module.slug


def test_no_medical_advice_phrases():
    advice = re.compile(
        r"\b(increase|decrease|double|skip|stop taking|start taking)\b[^.]*\b"
        r"(dose|dosage|medication|medicine|pills?)\b",
        re.IGNORECASE,
    )
    for module in COURSE:
        assert not advice.search(module_text(module)), module.slug


def test_a_broken_file_is_reported_by_name(tmp_path: Path):
    shutil.copytree(CONTENT_DIR, tmp_path / "content")
    victim = next((tmp_path / "content").glob("01-*/steps/03-*.md"))
    victim.write_text(victim.read_text().replace("correct: true", "correct: false"))
    with pytest.raises(ContentError, match=victim.name):
        load_course(tmp_path / "content")


def test_duplicate_ids_are_refused(tmp_path: Path):
    shutil.copytree(CONTENT_DIR, tmp_path / "content")
    first, second = sorted((tmp_path / "content").glob("01-*/steps/*.md"))[:2]
    second.write_text(second.read_text().replace(_id_of(second), _id_of(first)))
    with pytest.raises(ContentError, match="used twice"):
        load_course(tmp_path / "content")


def _id_of(path: Path) -> str:
    match = re.search(r"^id: (.+)$", path.read_text(), re.MULTILINE)
    assert match
    return match.group(1).strip()
