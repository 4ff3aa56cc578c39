"""Every page the browser tests saw is valid HTML to the W3C Nu checker, with no error at all.

``axe_check`` saves each page it checks (the DOM as the browser holds it, so markup that the
JavaScript adds is checked too), and this test, which the conftest runs after every other browser
test, gives the whole folder to one run of vnu.jar. It needs Java (Debian's default-jre-headless)
and vnu.jar from npm (``make vnu`` puts the pinned version under .venv; ``VNU_JAR`` overrides the
path). Without them it is skipped locally, and with ``CI=true`` it fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import NoReturn

import pytest

from tests.e2e.conftest import SavedPages

ROOT = Path(__file__).resolve().parents[2]
JAR_IN_VENV = "node_modules/vnu-jar/build/dist/vnu.jar"
VNU_OPTIONS = [
    "--errors-only",
    "--format",
    "json",
    "--stdout",
    "--skip-non-html",
    "--no-langdetect",
]


def vnu_jar() -> Path | None:
    if os.environ.get("VNU_JAR"):
        return Path(os.environ["VNU_JAR"])
    found = sorted(ROOT.glob(f".venv/vnu-*/{JAR_IN_VENV}"))
    return found[-1] if found else None


def missing(what: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {what}")
    pytest.skip(f"HTML check skipped: {what}")


def test_every_page_the_browser_tests_saw_is_valid_html(saved_pages: SavedPages) -> None:
    if not saved_pages.urls:
        pytest.skip("no browser test saved a page in this run")
    assert saved_pages.folder is not None
    # vnu.jar reports nothing at all for a folder that is not there, so make sure it is.
    assert len(list(saved_pages.folder.glob("*.html"))) == len(saved_pages.urls)
    java = shutil.which("java")
    if java is None:
        missing("there is no Java (apt-get install default-jre-headless)")
    jar = vnu_jar()
    if jar is None or not jar.is_file():
        missing(f"there is no vnu.jar ({jar or '.venv/vnu-*/' + JAR_IN_VENV}; run make vnu)")
    done = subprocess.run(  # noqa: S603 - Java found above, fixed arguments, our own folder
        [java, "-jar", str(jar), *VNU_OPTIONS, str(saved_pages.folder)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        messages = json.loads(done.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu.jar gave no report (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    # --errors-only leaves errors and "non-document-error" (a file it could not read).
    errors = [m for m in messages if m.get("type") != "info"]
    lines = []
    for error in errors:
        name = Path(error.get("url", "")).name
        where = f"{saved_pages.urls.get(name, '?')} ({saved_pages.folder / name}"
        where += f", line {error['lastLine']})" if "lastLine" in error else ")"
        lines.append(f"{where}: {error.get('message', '')}")
        if error.get("extract"):
            lines.append(f"    {' '.join(error['extract'].split())}")
    if errors:
        kinds = Counter(error.get("message", "") for error in errors)
        summary = "\n".join(f"{count:5d} x {message}" for message, count in kinds.most_common())
        pages = len({error.get("url") for error in errors})
        pytest.fail(
            f"{len(errors)} Nu errors on {pages} of {len(saved_pages.urls)} pages:\n"
            + "\n".join(lines)
            + f"\n\nBy kind:\n{summary}",
            pytrace=False,
        )
