"""Benchmarks of the public site (procurement/site)."""

from __future__ import annotations

from loadgen import Request
from registry import HEALTHZ, Benchmark, register

register(
    Benchmark(
        name="start-page",
        description=(
            "Anonymous GET / (German start page: Jinja template, Bootstrap, CSRF token in a new "
            "session cookie) against GET /healthz (hello world) of the same app"
        ),
        target=Request("/"),
        baseline=HEALTHZ,
        min_ratio=0.25,
        target_must_contain="Smart-City-Marktplatz und gemeinsame Beschaffung",
    )
)
