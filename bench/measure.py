"""One wrk run against the portal, with the CPU it cost the server and the machine around it."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

LUA = Path(__file__).resolve().parent / "wrk" / "report.lua"
TICK = os.sysconf("SC_CLK_TCK")
# Processes that belong to the measurement: the portal's, the load generator's, the database's.
OURS = {"postgres", "wrk"}
# More foreign CPU than this (in cores, averaged over the run) marks the run invalid.
FOREIGN_LOAD_LIMIT = 0.15


@dataclass(frozen=True)
class Run:
    url: str
    connections: int
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    server_cpu_s: float
    foreign_cores: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_request_ms(self) -> float:
        return 1000 * self.server_cpu_s / self.requests if self.requests else 0.0

    @property
    def valid(self) -> bool:
        return self.foreign_cores <= FOREIGN_LOAD_LIMIT and self.requests > 0

    def as_dict(self) -> dict[str, object]:
        return {
            **asdict(self),
            "rps": round(self.rps, 1),
            "cpu_per_request_ms": round(self.cpu_per_request_ms, 3),
            "valid": self.valid,
        }


def process_ticks(pid: int) -> int:
    """User plus system CPU ticks of one process (its threads included)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def family_of(pid: int) -> list[int]:
    """A gunicorn master and its workers."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return [pid, *(int(c) for c in children)]


def ticks_of_ours(exclude: set[int]) -> int:
    """CPU ticks of every process that is part of the measurement but not the server."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in exclude:
            continue
        try:
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if name in OURS or name.startswith("postgres") or int(entry.name) == os.getpid():
            total += process_ticks(int(entry.name))
    return total


def busy_ticks() -> int:
    """Ticks the machine spent running processes, plus time the hypervisor gave to others.

    /proc/stat's cpu line: user nice system idle iowait irq softirq steal. Interrupt time is
    left out: on loopback it is mostly the benchmark's own packets, which no process is billed
    for. Steal is in: a neighbour on the same host is foreign load too.
    """
    user, nice, system, _idle, _iowait, _irq, _softirq, steal = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return user + nice + system + steal


def wrk_command(
    url: str, *, seconds: float, connections: int, cookie: str, script_args: list[str], cpu: str
) -> list[str]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{round(seconds)}s", "--timeout", "5s"]
    command += ["-s", str(LUA)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command += [url, "--", *script_args]
    if cpu and shutil.which("taskset"):
        command = ["taskset", "-c", cpu, *command]
    return command


def run_wrk(
    url: str,
    *,
    server_pid: int,
    seconds: float,
    connections: int,
    cookie: str = "",
    requests_file: Path | None = None,
    cpu: str = "1",
) -> Run:
    """Drive ``url`` for ``seconds`` and measure the server's CPU and any foreign load."""
    server = family_of(server_pid)
    args = [str(requests_file)] if requests_file else []
    command = wrk_command(
        url, seconds=seconds, connections=connections, cookie=cookie, script_args=args, cpu=cpu
    )
    before_server = sum(process_ticks(p) for p in server)
    before_ours = ticks_of_ours(set(server))
    before_busy = busy_ticks()
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"wrk failed: {finished.stdout}{finished.stderr}")
    wall = time.monotonic() - started
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_ticks = sum(process_ticks(p) for p in server) - before_server
    ours_ticks = ticks_of_ours(set(server)) - before_ours
    wrk_cpu = (after_children.ru_utime + after_children.ru_stime) - (
        before_children.ru_utime + before_children.ru_stime
    )
    foreign = (busy_ticks() - before_busy - server_ticks - ours_ticks) / TICK - wrk_cpu
    report = parse_report(finished.stdout)
    errors = sum(report[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Run(
        url=url,
        connections=connections,
        requests=report["requests"],
        seconds=report["duration_us"] / 1e6,
        errors=errors,
        p50_ms=report["p50_us"] / 1000,
        p95_ms=report["p95_us"] / 1000,
        p99_ms=report["p99_us"] / 1000,
        server_cpu_s=server_ticks / TICK,
        foreign_cores=max(0.0, foreign / wall),
    )


def parse_report(output: str) -> dict[str, int]:
    for line in output.splitlines():
        if line.startswith("WRK-JSON "):
            return {k: int(v) for k, v in json.loads(line[len("WRK-JSON ") :]).items()}
    raise RuntimeError(f"wrk printed no report:\n{output}")
