"""Notifications: the outbox (written with the referral), the delivery worker, the channels.

Public surface:
- outbox: enqueue_for_referral, OutboxBatch (many referrals and users at once), resend,
  agency_reachable, referral_unreachable, dead_letters
- delivery: claim_due, record_outcome, backoff
- worker: DeliveryWorker, DrainStats, worker_context
- metrics: NotifyMetrics, outbox_stats
- channels: build_channels, local_messages (the demo mailbox)
"""

from hotline.notify.channels import build_channels
from hotline.notify.channels.email import local_messages
from hotline.notify.delivery import backoff, claim_due, record_outcome
from hotline.notify.metrics import NotifyMetrics, outbox_stats
from hotline.notify.outbox import (
    OutboxBatch,
    OutboxError,
    agency_reachable,
    dead_letters,
    enqueue_for_referral,
    referral_unreachable,
    resend,
)
from hotline.notify.worker import DeliveryWorker, DrainStats, worker_context

__all__ = [
    "DeliveryWorker",
    "DrainStats",
    "NotifyMetrics",
    "OutboxBatch",
    "OutboxError",
    "agency_reachable",
    "backoff",
    "build_channels",
    "claim_due",
    "dead_letters",
    "enqueue_for_referral",
    "local_messages",
    "outbox_stats",
    "record_outcome",
    "referral_unreachable",
    "resend",
    "worker_context",
]
