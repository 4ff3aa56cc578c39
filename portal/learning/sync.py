"""Publish the course files into the database, idempotently.

A module or step whose file changed gets the new text and a higher version; a step whose id
survives keeps every reader's progress; a step whose id disappeared is retired (hidden, its
progress kept). A clinician's published edit stays until the file itself changes again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from portal.extensions import db
from portal.learning.content import CONTENT_DIR, ModuleSource, StepSource, load_course
from portal.learning.models import CourseModule, ModuleStep, StepRevision


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.retired} retired, "
            f"{self.unchanged} unchanged"
        )


def sync_course(root: Path = CONTENT_DIR) -> SyncReport:
    """Load the files and bring the database in line with them (flushes, does not commit)."""
    report = SyncReport()
    sources = load_course(root)
    modules = {m.slug: m for m in db.session.scalars(select(CourseModule))}
    steps = {s.slug: s for s in db.session.scalars(select(ModuleStep))}
    for source in sources:
        module = _sync_module(modules.get(source.slug), source, report)
        for position, step_source in enumerate(source.steps, start=1):
            _sync_step(steps.pop(step_source.slug, None), module, position, step_source, report)
        modules.pop(source.slug, None)
    for leftover in steps.values():
        if not leftover.retired:
            leftover.retired = True
            report.retired += 1
    for module in modules.values():
        module.retired = True
    db.session.flush()
    return report


def _sync_module(
    module: CourseModule | None, source: ModuleSource, report: SyncReport
) -> CourseModule:
    if module is None:
        module = CourseModule(slug=source.slug, version=0)
        db.session.add(module)
    if module.source_hash != source.digest or module.retired:
        module.position = source.position
        module.title, module.summary, module.intro = source.title, source.summary, source.intro
        module.phase = source.phase
        module.encourages_activity = source.encourages_activity
        module.always_open = source.always_open
        module.minutes = source.minutes
        module.source_hash = source.digest
        module.retired = False
        module.version += 1
    db.session.flush()
    return module


def _sync_step(
    step: ModuleStep | None,
    module: CourseModule,
    position: int,
    source: StepSource,
    report: SyncReport,
) -> None:
    if step is None:
        step = ModuleStep(slug=source.slug, version=0)
        db.session.add(step)
        report.created += 1
    elif step.source_hash == source.digest and not step.retired:
        report.unchanged += 1
        step.module, step.position = module, position
        return
    else:
        report.updated += 1
    step.module, step.position, step.kind = module, position, source.kind
    step.title = step.title or source.title  # the revision published below sets the rest
    step.retired = False
    step.source_hash = source.digest
    db.session.flush()
    revision = add_revision(
        step,
        title=source.title,
        body=source.body,
        question=source.question,
        options_json=source.options_json,
        prompt=source.prompt,
        author_id=None,
        note="Loaded from the course files",
    )
    publish(step, revision)


def add_revision(
    step: ModuleStep,
    *,
    title: str,
    body: str,
    question: str,
    options_json: str,
    prompt: str,
    author_id: int | None,
    note: str,
) -> StepRevision:
    number = (
        db.session.scalar(
            select(func.max(StepRevision.number)).where(StepRevision.step_id == step.id)
        )
        or 0
    ) + 1
    revision = StepRevision(
        step_id=step.id,
        number=number,
        title=title,
        body=body,
        question=question,
        options_json=options_json,
        prompt=prompt,
        author_id=author_id,
        note=note,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def publish(step: ModuleStep, revision: StepRevision) -> None:
    """Make a revision the text readers see."""
    step.title, step.body = revision.title, revision.body
    step.question, step.options_json, step.prompt = (
        revision.question,
        revision.options_json,
        revision.prompt,
    )
    step.published_revision_id = revision.id
    step.version += 1
