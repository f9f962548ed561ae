"""The registry of benchmarks.

A benchmark compares the throughput of a *target* request with a *baseline* request served
by the same app in the same run, with the same client, and passes if

    target req/s ÷ baseline req/s >= min_ratio

and neither side had more errors than ``max_error_rate`` allows. The ratio is what makes
the figure comparable across machines; absolute req/s are reported but not judged.

Benchmarks live in ``bench/bench_<area>.py`` modules (one per area of the app) and register
themselves with :func:`register`; ``run.py`` imports every such module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from loadgen import Request

if TYPE_CHECKING:
    from harness import Server

BENCH_DIR = Path(__file__).resolve().parent

# The hello-world route of the app: the usual baseline.
HEALTHZ = Request("/healthz")


@dataclass(frozen=True)
class Benchmark:
    name: str
    description: str
    target: Request
    baseline: Request
    min_ratio: float
    # Share of failed requests (non-expected status, connection error) tolerated on each side.
    max_error_rate: float = 0.0
    # Text the target's body must contain in the check before measuring (guards against
    # benchmarking an error page).
    target_must_contain: str | None = None
    # Optional: called once the app is up (e.g. to log in); returns headers (e.g. a Cookie)
    # that are added to both the target and the baseline request.
    setup: Callable[[Server], Mapping[str, str]] | None = None
    # Filled in from the module name (bench_site.py -> "site").
    area: str = ""


@dataclass(frozen=True)
class Figure:
    """One figure of an in-process benchmark and the limit it must stay below (or, with
    ``at_least``, the target it must reach, e.g. a throughput ratio)."""

    label: str
    value: float
    unit: str  # e.g. "s", "ms"
    limit: float
    detail: str = ""
    at_least: bool = False

    @property
    def passed(self) -> bool:
        return self.value >= self.limit if self.at_least else self.value < self.limit

    @property
    def rule(self) -> str:
        """The limit as text, e.g. ``< 2 s`` or ``>= 0.5``."""
        return f"{'>=' if self.at_least else '<'} {self.limit:g}{f' {self.unit}' if self.unit else ''}"


@dataclass(frozen=True)
class InProcessBenchmark:
    """Measured in the runner's own process, without gunicorn or HTTP (e.g. an algorithm on
    generated data). Passes if every figure ``measure()`` returns stays below its limit."""

    name: str
    description: str
    measure: Callable[[], Sequence[Figure]]
    area: str = ""


AnyBenchmark = Benchmark | InProcessBenchmark
_REGISTRY: dict[str, AnyBenchmark] = {}


def register(benchmark: AnyBenchmark) -> AnyBenchmark:
    if benchmark.name in _REGISTRY:
        raise ValueError(f"benchmark {benchmark.name!r} registered twice")
    if isinstance(benchmark, Benchmark) and benchmark.min_ratio <= 0:
        raise ValueError(f"benchmark {benchmark.name!r}: min_ratio must be > 0")
    _REGISTRY[benchmark.name] = benchmark
    return benchmark


def discover() -> list[AnyBenchmark]:
    """Import every ``bench_*.py`` module next to this file; return the benchmarks in order."""
    for module in sorted(BENCH_DIR.glob("bench_*.py")):
        known = set(_REGISTRY)
        importlib.import_module(module.stem)
        for name in set(_REGISTRY) - known:
            if not _REGISTRY[name].area:
                _REGISTRY[name] = replace(_REGISTRY[name], area=module.stem.removeprefix("bench_"))
    return list(_REGISTRY.values())
