"""Helpers shared by the tests/test_notify*.py modules: an agency whose channels point at
the loopback test servers, and a way to put one referral's notifications in the outbox."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import aiohttp

from hotline.clock import FrozenClock
from hotline.db.engine import Database
from hotline.notify.channels import build_channels
from hotline.notify.outbox import enqueue_for_referral
from hotline.notify.worker import DeliveryWorker
from hotline.rules.ruleset import RuleSet
from hotline.rules.schema import AgencyDef, Channel
from hotline.settings import Settings
from tests.helpers.factories import make_call, make_referral

AGENCY = "so-y-te-quang-ngai"


def agency_with(ruleset: RuleSet, *channels: dict[str, Any], code: str = AGENCY) -> AgencyDef:
    base = ruleset.agencies[code]
    return base.model_copy(update={"channels": [Channel(**c) for c in channels]})


@dataclass
class Enqueued:
    call_id: int
    referral_id: int
    ids: list[int]


async def enqueue(
    db: Database,
    ruleset: RuleSet,
    settings: Settings,
    clock: FrozenClock,
    agency: AgencyDef,
    **call: Any,
) -> Enqueued:
    async with db.write() as session:
        c = await make_call(session, **call)
        r = await make_referral(session, c, agency_code=agency.code)
        rows = await enqueue_for_referral(
            session,
            call=c,
            referral=r,
            agency=agency,
            ruleset=ruleset,
            settings=settings,
            now=clock.now(),
        )
        return Enqueued(c.id or 0, r.id or 0, [n.id or 0 for n in rows])


def make_worker(
    db: Database,
    settings: Settings,
    clock: FrozenClock,
    http: aiohttp.ClientSession,
    ruleset: RuleSet | None = None,
    *,
    webhook_timeout: float = 5.0,
    **options: Any,
) -> DeliveryWorker:
    channels = build_channels(
        settings, db, http=http, ruleset=ruleset, webhook_timeout=webhook_timeout
    )
    options.setdefault("rng", random.Random(7))
    return DeliveryWorker(db, channels, clock, **options)
