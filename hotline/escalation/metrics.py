"""Prometheus figures of the escalation sweep, on a registry passed in (one per app), never
the global one: tests build many apps in one process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

if TYPE_CHECKING:
    from hotline.escalation.sweep import SweepResult


class EscalationMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.sweep_seconds = Histogram(
            "hotline_escalation_sweep_seconds",
            "Time taken by one escalation sweep",
            registry=r,
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.due_items = Gauge(
            "hotline_escalation_due_items",
            "Referrals and calls claimed by the last sweep",
            registry=r,
        )
        self.escalations = Counter(
            "hotline_escalations",
            "Escalation actions fired, by action",
            ["action"],
            registry=r,
        )
        self.steps = Counter(
            "hotline_escalation_steps",
            "Ladder steps by outcome (fired, skipped, duplicate, error)",
            ["outcome"],
            registry=r,
        )

    def observe(self, result: SweepResult) -> None:
        self.sweep_seconds.observe(result.seconds)
        self.due_items.set(result.claimed)
        for action, count in result.actions.items():
            self.escalations.labels(action=action).inc(count)
        self.steps.labels(outcome="fired").inc(result.fired)
        self.steps.labels(outcome="skipped").inc(result.skipped)
        self.steps.labels(outcome="duplicate").inc(result.duplicates)
        self.steps.labels(outcome="error").inc(result.errors)
