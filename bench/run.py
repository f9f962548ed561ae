"""Run the benchmarks: ``make bench`` or ``.venv/bin/python bench/run.py [options]``.

Creates a throw-away instance (fresh SQLite database, demo data), serves it with gunicorn on
127.0.0.1, measures every registered benchmark (target and baseline with the same client in
the same run), prints PASS/FAIL per benchmark, writes ``bench/results/latest.json`` and exits
non-zero if a target is missed. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from harness import ROOT, HarnessError, Server, ServerOptions, running_app
from loadgen import LoadResult, Request, cpu_count, fetch, merge, run_load
from registry import Benchmark, Figure, InProcessBenchmark, discover

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "latest.json"

# Exit codes
EXIT_OK, EXIT_TARGET_MISSED, EXIT_SETUP_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 130


def _bounded(kind: type, low: float, high: float):  # type: ignore[no-untyped-def]
    def parse(text: str) -> float:
        value = kind(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration",
        type=_bounded(float, 0.5, 300),
        default=5.0,
        help="seconds measured per side, in total over all rounds (5)",
    )
    parser.add_argument(
        "--warmup",
        type=_bounded(float, 0, 60),
        default=1.0,
        help="warm-up seconds per side before measuring (1)",
    )
    parser.add_argument(
        "--concurrency", type=_bounded(int, 1, 256), default=8, help="concurrent client threads (8)"
    )
    parser.add_argument("--workers", type=_bounded(int, 1, 64), default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--worker-class", default="sync", help="gunicorn worker class (sync; gthread keeps connections alive)"
    )
    parser.add_argument(
        "--threads", type=_bounded(int, 1, 64), default=1, help="threads per gunicorn worker (1)"
    )
    parser.add_argument(
        "--rounds",
        type=_bounded(int, 1, 50),
        default=5,
        help="slices per side: baseline and target take turns, each slice lasts duration/rounds (5)",
    )
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="run only this benchmark (repeatable)"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="JSON results file")
    parser.add_argument("--keep-instance", action="store_true", help="keep the temporary instance directory")
    return parser.parse_args(argv)


@dataclass
class Side:
    """The measurement of one request (target or baseline) of a benchmark."""

    request: Request
    result: LoadResult
    server_cpu_s: float | None

    @property
    def error_rate(self) -> float:
        total = self.result.ok + self.result.errors
        return self.result.errors / total if total else 1.0

    def summary(self) -> dict[str, object]:
        data = self.result.summary()
        data["server_cpu_s"] = None if self.server_cpu_s is None else round(self.server_cpu_s, 3)
        return data


@dataclass
class Outcome:
    benchmark: Benchmark
    passed: bool
    reason: str
    target: Side | None = None
    baseline: Side | None = None
    round_ratios: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        """The judged figure: median of the per-round ratios target req/s ÷ baseline req/s."""
        return statistics.median(self.round_ratios) if self.round_ratios else None

    @property
    def overall_ratio(self) -> float | None:
        """Ratio of the req/s summed over all rounds."""
        if self.target is None or self.baseline is None or self.baseline.result.rps == 0:
            return None
        return self.target.result.rps / self.baseline.result.rps

    def summary(self) -> dict[str, object]:
        b = self.benchmark
        return {
            "name": b.name,
            "area": b.area,
            "description": b.description,
            "target_path": b.target.path,
            "baseline_path": b.baseline.path,
            "min_ratio": b.min_ratio,
            "max_error_rate": b.max_error_rate,
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "overall_ratio": None if self.overall_ratio is None else round(self.overall_ratio, 4),
            "round_ratios": [round(r, 4) for r in self.round_ratios],
            "passed": self.passed,
            "reason": self.reason,
            "target": self.target.summary() if self.target else None,
            "baseline": self.baseline.summary() if self.baseline else None,
        }


@dataclass
class InProcessOutcome:
    benchmark: InProcessBenchmark
    figures: list[Figure]
    passed: bool
    reason: str

    def summary(self) -> dict[str, object]:
        b = self.benchmark
        return {
            "name": b.name,
            "area": b.area,
            "kind": "in-process",
            "description": b.description,
            "passed": self.passed,
            "reason": self.reason,
            "figures": [
                {
                    "label": f.label,
                    "value": round(f.value, 6),
                    "unit": f.unit,
                    "limit": f.limit,
                    "at_least": f.at_least,
                    "detail": f.detail,
                }
                for f in self.figures
            ],
        }


def run_in_process(benchmark: InProcessBenchmark) -> InProcessOutcome:
    try:
        figures = list(benchmark.measure())
    except Exception as exc:  # a broken benchmark fails, the others still run
        return InProcessOutcome(benchmark, [], passed=False, reason=f"{type(exc).__name__}: {exc}")
    missed = [
        f"{f.label} {f.value:g}{f' {f.unit}' if f.unit else ''}, target {f.rule}"
        for f in figures
        if not f.passed
    ]
    passed = bool(figures) and not missed
    reason = (
        "; ".join(missed) if missed else ("no figures" if not figures else "every figure within its limit")
    )
    return InProcessOutcome(benchmark, figures, passed, reason)


def print_in_process(outcome: InProcessOutcome) -> None:
    b = outcome.benchmark
    print(f"\n{b.area}/{b.name}: {b.description}")
    for f in outcome.figures:
        verdict = "PASS" if f.passed else "FAIL"
        figure = f"{f.value:.4g} {f.unit} ({'target' if f.at_least else 'limit'} {f.rule})"
        print(f"  {f.label}: {figure} {verdict}  {f.detail}".rstrip())
    if not outcome.passed:
        print(f"  FAIL: {outcome.reason}")


def _check(server: Server, request: Request, must_contain: str | None) -> str | None:
    """One request before measuring; returns a problem or None."""
    try:
        status, body = fetch(server.host, server.port, request)
    except OSError as exc:
        return f"{request.path}: {type(exc).__name__}: {exc}"
    if status != request.expect_status:
        return f"{request.path}: HTTP {status}, expected {request.expect_status}"
    if must_contain and must_contain not in body.decode("utf-8", "replace"):
        return f"{request.path}: response lacks {must_contain!r}"
    return None


def _with_headers(request: Request, extra: dict[str, str]) -> Request:
    return replace(request, headers={**request.headers, **extra}) if extra else request


def measure(benchmark: Benchmark, server: Server, args: argparse.Namespace, stop: threading.Event) -> Outcome:
    extra = dict(benchmark.setup(server)) if benchmark.setup else {}
    target = _with_headers(benchmark.target, extra)
    baseline = _with_headers(benchmark.baseline, extra)
    for request, must_contain in ((baseline, None), (target, benchmark.target_must_contain)):
        problem = _check(server, request, must_contain)
        if problem:
            return Outcome(benchmark, passed=False, reason=f"check before measuring failed: {problem}")

    def load(request: Request, duration_s: float) -> LoadResult:
        return run_load(
            server.host, server.port, request, concurrency=args.concurrency, duration_s=duration_s, stop=stop
        )

    sides = (("baseline", baseline), ("target", target))
    if args.warmup > 0:
        for _, request in sides:
            load(request, args.warmup)
    # Baseline and target take turns in short slices, so that both see the same background
    # load (other processes on the machine); each side gets `duration` seconds in total.
    slice_s = args.duration / args.rounds
    runs: dict[str, list[LoadResult]] = {"baseline": [], "target": []}
    cpu: dict[str, float | None] = {"baseline": 0.0, "target": 0.0}
    for _ in range(args.rounds):
        for side, request in sides:
            cpu_before = server.cpu_seconds()
            runs[side].append(load(request, slice_s))
            cpu_after = server.cpu_seconds()
            spent = cpu[side]
            cpu[side] = (
                None
                if spent is None or cpu_before is None or cpu_after is None
                else spent + cpu_after - cpu_before
            )
    round_ratios = [
        t.rps / b.rps if b.rps else 0.0 for b, t in zip(runs["baseline"], runs["target"], strict=True)
    ]
    t = Side(target, merge(runs["target"]), cpu["target"])
    b = Side(baseline, merge(runs["baseline"]), cpu["baseline"])
    outcome = Outcome(benchmark, passed=True, reason="", target=t, baseline=b, round_ratios=round_ratios)
    problems = []
    for name, side in (("target", t), ("baseline", b)):
        if side.error_rate > benchmark.max_error_rate:
            problems.append(
                f"{name} error rate {side.error_rate:.2%} > {benchmark.max_error_rate:.2%} "
                f"({side.result.error_kinds})"
            )
    ratio = outcome.ratio
    if ratio is None or ratio < benchmark.min_ratio:
        problems.append(f"ratio {ratio or 0:.3f} < target {benchmark.min_ratio}")
    outcome.passed = not problems
    outcome.reason = "; ".join(problems) or f"ratio {ratio:.3f} >= target {benchmark.min_ratio}"
    return outcome


def _pct(cpu_s: float | None, elapsed_s: float) -> str:
    return "–" if cpu_s is None or elapsed_s <= 0 else f"{cpu_s / elapsed_s:.0%}"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def print_outcome(outcome: Outcome) -> None:
    b = outcome.benchmark
    print(f"\n{b.area}/{b.name}: {b.description}")
    if outcome.target and outcome.baseline:
        print(
            f"  {'path':<14}{'req/s':>9}{'ok':>8}{'errors':>8}{'conns':>8}"
            f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'client CPU':>12}{'server CPU':>12}"
        )
        for label, side in (("baseline", outcome.baseline), ("target", outcome.target)):
            r = side.result
            print(
                f"  {r.path:<14}{r.rps:>9.1f}{r.ok:>8}{r.errors:>8}{r.connections:>8}"
                f"{_ms(r.percentile_ms(50)):>9}{_ms(r.percentile_ms(95)):>9}{_ms(r.percentile_ms(99)):>9}"
                f"{_pct(r.client_cpu_s, r.elapsed_s):>12}{_pct(side.server_cpu_s, r.elapsed_s):>12}"
                f"  ({label})"
            )
        ratio = outcome.ratio or 0.0
        rounds = outcome.round_ratios
        spread = f", rounds {min(rounds):.3f}–{max(rounds):.3f}" if len(rounds) > 1 else ""
        print(
            f"  ratio {b.target.path} ÷ {b.baseline.path} = {ratio:.3f} (median of {len(rounds)} round(s)"
            f"{spread}; overall {outcome.overall_ratio or 0:.3f}), target >= {b.min_ratio}: "
            f"{'PASS' if outcome.passed else 'FAIL'}"
        )
    if not outcome.passed:
        print(f"  FAIL: {outcome.reason}")


def _git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def _load_average() -> list[float] | None:
    """1/5/15-minute load average: how busy the machine was besides the benchmark."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def write_results(
    path: Path,
    args: argparse.Namespace,
    outcomes: list[Outcome | InProcessOutcome],
    load_before: list[float] | None,
) -> None:
    data = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": _git_commit(),
        "machine": {
            "cpus": cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "gunicorn": _version("gunicorn"),
            "flask": _version("flask"),
            "load_average_before": load_before,
            "load_average_after": _load_average(),
        },
        "settings": {
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "gunicorn_workers": args.workers,
            "gunicorn_worker_class": args.worker_class,
            "gunicorn_threads": args.threads,
            "database": "sqlite (fresh, demo data)",
        },
        "passed": all(o.passed for o in outcomes),
        "benchmarks": [o.summary() for o in outcomes],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.duration / args.rounds < 0.1:
        print("--duration / --rounds must be at least 0.1 s per slice", file=sys.stderr)
        return EXIT_SETUP_FAILED
    benchmarks = discover()
    if args.list:
        for b in benchmarks:
            if isinstance(b, InProcessBenchmark):
                print(f"{b.name:<20} {b.area:<10} in-process: {b.description}")
                continue
            print(
                f"{b.name:<20} {b.area:<10} min ratio {b.min_ratio:<6} {b.target.path} vs {b.baseline.path}"
            )
        return EXIT_OK
    if args.only:
        unknown = set(args.only) - {b.name for b in benchmarks}
        if unknown:
            print(f"unknown benchmark(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return EXIT_SETUP_FAILED
        benchmarks = [b for b in benchmarks if b.name in args.only]
    in_process = [b for b in benchmarks if isinstance(b, InProcessBenchmark)]
    http_benchmarks = [b for b in benchmarks if isinstance(b, Benchmark)]

    signal.signal(signal.SIGTERM, _terminate)
    options = ServerOptions(workers=args.workers, worker_class=args.worker_class, threads=args.threads)
    print(
        f"Vergabe-Marktplatz benchmarks: {cpu_count()} CPUs, gunicorn {options.workers} × "
        f"{options.worker_class} worker (threads {options.threads}), {args.concurrency} client threads, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s per side in {args.rounds} alternating slices"
    )
    load_before = _load_average()
    if load_before:
        print(f"load average before the run: {' '.join(f'{x:g}' for x in load_before)}")
    stop = threading.Event()
    outcomes: list[Outcome | InProcessOutcome] = []
    try:
        # In-process benchmarks first, while no gunicorn competes for the CPU.
        for in_process_benchmark in in_process:
            in_process_outcome = run_in_process(in_process_benchmark)
            outcomes.append(in_process_outcome)
            print_in_process(in_process_outcome)
        if http_benchmarks:
            with running_app(options, keep_instance=args.keep_instance) as server:
                print(f"app up at {server.base_url} (instance {server.instance})")
                for benchmark in http_benchmarks:
                    try:
                        outcome = measure(benchmark, server, args, stop)
                    except Exception as exc:  # a broken benchmark fails, the others still run
                        outcome = Outcome(benchmark, passed=False, reason=f"{type(exc).__name__}: {exc}")
                    outcomes.append(outcome)
                    print_outcome(outcome)
    except HarnessError as exc:
        print(f"benchmark set-up failed: {exc}", file=sys.stderr)
        return EXIT_SETUP_FAILED
    except KeyboardInterrupt:
        stop.set()
        print("\ninterrupted; gunicorn stopped", file=sys.stderr)
        return EXIT_INTERRUPTED

    write_results(args.output, args, outcomes, load_before)
    failed = [o for o in outcomes if not o.passed]
    print(f"\n{len(outcomes) - len(failed)} passed, {len(failed)} failed; results in {args.output}")
    return EXIT_TARGET_MISSED if failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
