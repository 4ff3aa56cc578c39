"""``make bench``: each main page against hello-world, on SQLite and PostgreSQL.

For every page: warm up, then ``--pairs`` adjacent pairs of (hello-world, page) runs, once with two
connections for throughput and CPU, once with one connection for latency. Ratios are taken
within each pair and the median pair is reported, so a slow minute on the machine moves both
sides of a ratio alike. A pair during which anything else used the CPU (another process, or the
hypervisor's steal time) is discarded and measured again, up to three times as many pairs; a page
left without enough clean pairs is reported invalid.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import requests
from sqlalchemy import text

from bench.dataset import Scale, Seeded, seed_clinic
from bench.measure import Run, run_wrk
from bench.server import SECRET_KEY, running_portal

RESULTS = Path(__file__).resolve().parent / "results"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SERVER_CPU, LOAD_CPU = "0", "1"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    who: str  # family, patient, moderator, clinician, or "mixed"
    target_pct: dict[str, float]  # database -> least throughput as % of hello-world


@dataclass
class Result:
    page: Page
    pairs: list[dict[str, Run]] = field(default_factory=list)
    discarded: list[dict[str, Run]] = field(default_factory=list)
    throughput_pct: float = 0.0
    cpu_multiple: float = 0.0
    p50_x: float = 0.0
    p95_x: float = 0.0
    p99_x: float = 0.0
    p95_ms: float = 0.0
    errors: int = 0
    valid: bool = True
    failures: list[str] = field(default_factory=list)


def pages(seeded: Seeded) -> list[Page]:
    step = f"/learn/{seeded.module_slug}/{seeded.step_slug}"
    return [
        Page("family dashboard", "/", "family", {"sqlite": 10, "postgresql": 6}),
        Page("goal board", f"/circles/{seeded.circle_id}/board", "family", {"sqlite": 10}),
        Page("module step", step, "family", {"sqlite": 6}),
        Page("question search", "/qa?q=sleep+routine", "family", {"sqlite": 3.5}),
        Page("question page", f"/qa/{seeded.question_id}", "family", {"sqlite": 6}),
        Page("moderation queue", "/moderation", "moderator", {"sqlite": 6}),
        Page("answer queue", "/answers", "clinician", {"sqlite": 6}),
        Page("mixed read/write", "/", "mixed", {}),
    ]


P95_LIMIT = {"sqlite": 12.0, "postgresql": 20.0}


class SignedIn:
    """A browser-like session: its cookie header and a CSRF token for its forms."""

    def __init__(self, base_url: str, email: str, password: str) -> None:
        self.http = requests.Session()
        page = self.http.get(f"{base_url}/login", timeout=30)
        token = TOKEN.search(page.text)
        assert token, "the sign-in page has no CSRF token"
        reply = self.http.post(
            f"{base_url}/login",
            data={"email": email, "password": password, "csrf_token": token.group(1)},
            timeout=30,
            allow_redirects=False,
        )
        if reply.status_code != 302:
            raise RuntimeError(f"could not sign in {email}: {reply.status_code}")
        home = self.http.get(f"{base_url}/", timeout=30)
        token = TOKEN.search(home.text)
        assert token, "the signed-in home page has no CSRF token"
        self.csrf = token.group(1)
        self.cookie = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)


def mixed_requests(seeded: Seeded, people: dict[str, SignedIn], path: Path) -> Path:
    """Reads and writes in the proportions of a busy evening: 8 reads to 3 writes."""
    family, patient = people["family"], people["patient"]
    goal = f"/goals/{seeded.goal_id}"
    lines = [
        ("GET", "/", family, {}),
        ("GET", f"/circles/{seeded.circle_id}/board", family, {}),
        ("POST", f"{goal}/encouragement", family, {"msg-body": "Thinking of you today."}),
        ("GET", goal, family, {}),
        ("GET", "/qa?q=sleep", family, {}),
        (
            "POST",
            f"{goal}/check-ins",
            patient,
            {"checkin-note": "Walked a bit.", "checkin-energy": "3"},
        ),
        ("GET", f"/qa/{seeded.question_id}", family, {}),
        ("GET", "/", patient, {}),
        (
            "POST",
            "/qa/ask",
            family,
            {"title": "How do we plan a quiet weekend?", "sharing": "shared", "action": "send"},
        ),
        ("GET", f"/learn/{seeded.module_slug}/{seeded.step_slug}", family, {}),
        ("GET", f"/circles/{seeded.circle_id}/board", patient, {}),
    ]
    with path.open("w") as out:
        for method, url, who, form in lines:
            body = urlencode({**form, "csrf_token": who.csrf}) if method == "POST" else ""
            out.write(f"{method}\t{url}\t{who.cookie}\t{body}\n")
    return path


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def measure_page(
    page: Page, base_url: str, pid: int, cookie: str, args: argparse.Namespace, mixed: Path | None
) -> Result:
    result = Result(page)
    hello_url, page_url = f"{base_url}/ping", f"{base_url}{page.path}"

    def hello(connections: int) -> Run:
        return run_wrk(
            hello_url, server_pid=pid, seconds=args.seconds, connections=connections, cpu=LOAD_CPU
        )

    def visit(connections: int) -> Run:
        return run_wrk(
            page_url,
            server_pid=pid,
            seconds=args.seconds,
            connections=connections,
            cookie=cookie,
            requests_file=mixed,
            cpu=LOAD_CPU,
        )

    visit(1)  # warm-up, not counted
    attempts = 0
    while len(result.pairs) < args.pairs and attempts < 3 * args.pairs:
        attempts += 1
        runs = {"hello": hello(2), "page": visit(2), "hello_c1": hello(1), "page_c1": visit(1)}
        result.errors += runs["page"].errors + runs["page_c1"].errors  # errors count, always
        if not all(run.valid for run in runs.values()):
            result.discarded.append(runs)  # something else used the CPU: measure this pair again
            continue
        result.pairs.append(runs)
    result.valid = len(result.pairs) == args.pairs
    if result.pairs:
        summarise(result)
    return result


def summarise(result: Result) -> None:
    pairs = result.pairs
    result.throughput_pct = 100 * median([p["page"].rps / p["hello"].rps for p in pairs])
    result.cpu_multiple = median(
        [p["page"].cpu_per_request_ms / p["hello"].cpu_per_request_ms for p in pairs]
    )
    result.p50_x = median([p["page_c1"].p50_ms / p["hello_c1"].p95_ms for p in pairs])
    result.p95_x = median([p["page_c1"].p95_ms / p["hello_c1"].p95_ms for p in pairs])
    result.p99_x = median([p["page_c1"].p99_ms / p["hello_c1"].p95_ms for p in pairs])
    result.p95_ms = median([p["page_c1"].p95_ms for p in pairs])


def judge(result: Result, database: str) -> None:
    target = result.page.target_pct.get(database)
    if target is not None and result.throughput_pct < target:
        result.failures.append(f"throughput {result.throughput_pct:.1f}% < {target}%")
    # The latency targets are the pages'; the mixed scenario (writes, mail, notices) is reported.
    if result.page.who != "mixed" and result.p95_x > P95_LIMIT[database]:
        result.failures.append(f"p95 {result.p95_x:.1f}x > {P95_LIMIT[database]}x")
    if result.page.who != "mixed" and result.p99_x > 2 * result.p95_x:
        result.failures.append("p99 > 2 x p95")
    if result.errors:
        result.failures.append(f"{result.errors} errors")
    if not result.valid:
        tried = len(result.discarded) + len(result.pairs)
        result.failures.append(f"foreign load: {len(result.pairs)} clean pairs of {tried}")


@contextmanager
def app_for(url: str) -> Iterator[None]:
    from portal import create_app
    from portal.extensions import db

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "PORTAL_ENV": "development"}
    )
    with app.app_context():
        yield
        db.session.remove()
        db.engine.dispose()


def prepare(url: str, scale: Scale) -> Seeded:
    """Empty the database, migrate it to head with Alembic, and seed the clinic."""
    from flask_migrate import upgrade

    from portal.extensions import db

    with app_for(url):
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        return seed_clinic(scale)


def bench_database(database: str, url: str, args: argparse.Namespace) -> list[Result]:
    print(f"\n== {database}: seeding {args.circles} circles", flush=True)
    seeded = prepare(url, Scale(circles=args.circles))
    print(f"   {seeded.counts}", flush=True)
    results = []
    work = RESULTS / "work"
    # wrk posts thousands of messages from one account: lift the per-account posting limits.
    with running_portal(
        url, workers=1, cpus=SERVER_CPU, log_dir=work, POSTING_LIMIT_FACTOR="100000"
    ) as portal:
        people = {
            "family": SignedIn(portal.base_url, seeded.family_email, seeded.password),
            "patient": SignedIn(portal.base_url, seeded.patient_email, seeded.password),
            "moderator": SignedIn(portal.base_url, seeded.moderator_email, seeded.password),
            "clinician": SignedIn(portal.base_url, seeded.clinician_email, seeded.password),
        }
        for page in pages(seeded):
            if args.only and not any(part in page.name for part in args.only.split(",")):
                continue
            mixed = None
            if page.who == "mixed":
                mixed = mixed_requests(seeded, people, work / "mixed.tsv")
            cookie = "" if mixed else people[page.who].cookie
            result = measure_page(page, portal.base_url, portal.pid, cookie, args, mixed)
            judge(result, database)
            print(row(result), flush=True)
            results.append(result)
    return results


HEADER = (
    f"{'page':<20} {'% hello':>8} {'CPU x':>6} {'p50 x':>6} {'p95 x':>6} {'p99 x':>6} "
    f"{'p95 ms':>7} {'errors':>6}  verdict"
)


def row(result: Result) -> str:
    verdict = "ok" if not result.failures else "MISSED: " + "; ".join(result.failures)
    return (
        f"{result.page.name:<20} {result.throughput_pct:>7.1f}% {result.cpu_multiple:>6.1f} "
        f"{result.p50_x:>6.1f} {result.p95_x:>6.1f} {result.p99_x:>6.1f} {result.p95_ms:>7.2f} "
        f"{result.errors:>6}  {verdict}"
    )


def machine() -> dict[str, object]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--circles", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=4, help="length of each wrk run")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument(
        "--only", default="", help="only pages whose name contains one of these (comma-separated)"
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    urls = {"sqlite": f"sqlite:///{RESULTS / 'work' / 'bench.sqlite3'}"}
    if os.environ.get("BENCH_POSTGRES_URL"):
        urls["postgresql"] = os.environ["BENCH_POSTGRES_URL"]
    (RESULTS / "work").mkdir(exist_ok=True)
    (RESULTS / "work" / "bench.sqlite3").unlink(missing_ok=True)
    report: dict[str, object] = {"machine": machine(), "settings": vars(args), "databases": {}}
    failed = False
    for database in args.databases.split(","):
        if database not in urls:
            print(f"== {database}: skipped (set BENCH_POSTGRES_URL; `make bench` does)")
            failed = True
            continue
        results = bench_database(database, urls[database], args)
        print(f"\n{database} (1 sync worker; multiples of hello-world)\n{HEADER}")
        for result in results:
            print(row(result))
        failed |= any(r.failures for r in results)
        report["databases"][database] = [  # type: ignore[index]
            {
                "page": r.page.name,
                "path": r.page.path,
                "throughput_pct": round(r.throughput_pct, 2),
                "cpu_multiple": round(r.cpu_multiple, 2),
                "p50_x": round(r.p50_x, 2),
                "p95_x": round(r.p95_x, 2),
                "p99_x": round(r.p99_x, 2),
                "p95_ms": round(r.p95_ms, 3),
                "errors": r.errors,
                "valid": r.valid,
                "failures": r.failures,
                "pairs": [{k: run.as_dict() for k, run in pair.items()} for pair in r.pairs],
                "discarded_pairs": [
                    {k: run.as_dict() for k, run in pair.items()} for pair in r.discarded
                ],
            }
            for r in results
        ]
    out = RESULTS / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2))
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2))
    print(f"\nJSON: {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
