"""Read the course from Markdown files with YAML front matter (``portal/learning/content``).

Each module is a folder holding ``module.md`` and ``steps/NN-name.md``. Ids in the front matter
are stable: they tie readers' progress to a step across edits, renames and reordering.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from portal.learning.models import Phase, StepKind

CONTENT_DIR = Path(__file__).resolve().parent / "content"


class ContentError(ValueError):
    """A content file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class StepSource:
    slug: str
    kind: str
    title: str
    body: str
    question: str = ""
    options: tuple[dict[str, Any], ...] = ()
    prompt: str = ""

    @property
    def options_json(self) -> str:
        return json.dumps(list(self.options), ensure_ascii=False)

    @property
    def digest(self) -> str:
        payload = json.dumps(
            [self.kind, self.title, self.body, self.question, list(self.options), self.prompt],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class ModuleSource:
    slug: str
    position: int
    title: str
    summary: str
    intro: str
    phase: str
    encourages_activity: bool
    always_open: bool
    minutes: int
    steps: tuple[StepSource, ...] = field(default_factory=tuple)

    @property
    def digest(self) -> str:
        payload = json.dumps(
            [
                self.position,
                self.title,
                self.summary,
                self.intro,
                self.phase,
                self.encourages_activity,
                self.always_open,
                self.minutes,
            ],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


def split_front_matter(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text("utf-8")
    if not text.startswith("---\n"):
        raise ContentError(f"{path}: must start with a '---' front matter line")
    try:
        _, header, body = text.split("---\n", 2)
    except ValueError as error:
        raise ContentError(f"{path}: front matter is not closed with '---'") from error
    meta = yaml.safe_load(header) or {}
    if not isinstance(meta, dict):
        raise ContentError(f"{path}: front matter must be a mapping")
    return meta, body.strip()


def _require(meta: dict[str, Any], path: Path, *names: str) -> None:
    missing = [name for name in names if not meta.get(name)]
    if missing:
        raise ContentError(f"{path}: missing {', '.join(missing)}")


def load_step(path: Path) -> StepSource:
    meta, body = split_front_matter(path)
    _require(meta, path, "id", "kind", "title")
    kind = str(meta["kind"])
    if kind not in {k.value for k in StepKind}:
        raise ContentError(f"{path}: unknown kind {kind!r}")
    options: tuple[dict[str, Any], ...] = ()
    if kind == StepKind.CHECK:
        _require(meta, path, "question", "options")
        options = tuple(
            {
                "text": str(o["text"]),
                "correct": bool(o.get("correct")),
                "explanation": str(o.get("explanation", "")),
            }
            for o in meta["options"]
        )
        if sum(o["correct"] for o in options) != 1:
            raise ContentError(f"{path}: a check needs exactly one correct option")
        if not all(o["explanation"] for o in options):
            raise ContentError(f"{path}: every option needs an explanation")
    if kind == StepKind.REFLECTION:
        _require(meta, path, "prompt")
    return StepSource(
        slug=str(meta["id"]),
        kind=kind,
        title=str(meta["title"]),
        body=body,
        question=str(meta.get("question", "")),
        options=options,
        prompt=str(meta.get("prompt", "")),
    )


def load_module(folder: Path) -> ModuleSource:
    path = folder / "module.md"
    meta, intro = split_front_matter(path)
    _require(meta, path, "id", "title", "summary", "order", "phase")
    if meta["phase"] not in {p.value for p in Phase}:
        raise ContentError(f"{path}: unknown phase {meta['phase']!r}")
    steps = tuple(load_step(p) for p in sorted((folder / "steps").glob("*.md")))
    if not 3 <= len(steps) <= 6:
        raise ContentError(f"{folder}: a module has 3 to 6 steps, not {len(steps)}")
    return ModuleSource(
        slug=str(meta["id"]),
        position=int(meta["order"]),
        title=str(meta["title"]),
        summary=str(meta["summary"]),
        intro=intro,
        phase=str(meta["phase"]),
        encourages_activity=bool(meta.get("encourages_activity", False)),
        always_open=bool(meta.get("always_open", False)),
        minutes=int(meta.get("minutes", 10)),
        steps=steps,
    )


def load_course(root: Path = CONTENT_DIR) -> list[ModuleSource]:
    """Every module, in order, checked for unique ids."""
    modules = sorted(
        (load_module(folder) for folder in root.iterdir() if (folder / "module.md").exists()),
        key=lambda m: m.position,
    )
    seen: set[str] = set()
    for module in modules:
        for slug in (module.slug, *(s.slug for s in module.steps)):
            if slug in seen:
                raise ContentError(f"id {slug!r} is used twice")
            seen.add(slug)
    return modules
