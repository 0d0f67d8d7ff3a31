"""Escalation: ladders snapshotted onto referrals and calls (policy), pure decisions about
what is due (policy), the actions a step takes (actions), the sweep that runs them (sweep)."""

from hotline.cli.escalations import run_once, run_once_cli
from hotline.escalation.metrics import EscalationMetrics
from hotline.escalation.policy import (
    CallPlan,
    ItemState,
    ReferralPlan,
    ScheduledStep,
    Visit,
    ladder_for,
    next_step,
    plan_call,
    plan_referral,
    plan_visit,
)
from hotline.escalation.sweep import SweepResult, heartbeat_status, sweep, wake

__all__ = [
    "CallPlan",
    "EscalationMetrics",
    "ItemState",
    "ReferralPlan",
    "ScheduledStep",
    "SweepResult",
    "Visit",
    "heartbeat_status",
    "ladder_for",
    "next_step",
    "plan_call",
    "plan_referral",
    "plan_visit",
    "run_once",
    "run_once_cli",
    "sweep",
    "wake",
]
