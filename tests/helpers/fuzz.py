"""Fuzzing the JSON API with schemathesis: the service on a real socket in a thread of its own
(schemathesis sends with `requests`, which would block a test's event loop), one API token
per role, a few calls to point ids at, and a bounded run over every operation of the OpenAPI
document in both generation modes (valid data, and data the document forbids).

Used by tests/web/test_fuzz.py (a handful of examples per operation) and bench/fuzz_campaign.py
(thousands of requests, reported as figures).
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from aiohttp import web

from hotline import keys
from hotline.app import create_app
from hotline.clock import Clock
from hotline.rules.ruleset import RuleSet
from hotline.settings import Settings
from tests.helpers.calls import GOOD

# One account per role; the supervisor is limited to one area, so scopes are exercised too.
ROLE_ACCOUNTS = {
    "operator": ("fuzz-operator", None, ()),
    "supervisor": ("fuzz-supervisor", None, ("qn-kon-tum",)),
    "agency": ("fuzz-police", "ca-xa-dak-to", ()),
    "admin": ("fuzz-admin", None, ()),
}


@dataclass
class Served:
    base_url: str
    app: web.Application
    loop: asyncio.AbstractEventLoop
    tokens: dict[str, str] = field(default_factory=dict)

    def run(self, coro: Any) -> Any:
        """Run a coroutine on the server's loop from the test's thread."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)


@contextmanager
def serve_in_thread(settings: Settings, rules: RuleSet, clock: Clock) -> Iterator[Served]:
    """The application listening on 127.0.0.1 (a free port) in its own thread and loop."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    holder: dict[str, Any] = {}

    async def start() -> None:
        app = create_app(settings, clock=clock, rules=rules, background=False)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        holder.update(app=app, runner=runner, url=f"http://127.0.0.1:{port}")

    def main() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(start())
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            holder["error"] = exc
            started.set()
            return
        started.set()
        loop.run_forever()
        loop.run_until_complete(holder["runner"].cleanup())
        loop.close()

    thread = threading.Thread(target=main, name="fuzz-server", daemon=True)
    thread.start()
    started.wait(timeout=60)
    if "error" in holder:
        raise holder["error"]
    served = Served(holder["url"], holder["app"], loop)
    try:
        served.tokens = served.run(_accounts(served.app, clock))
        _seed_calls(served)
        yield served
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=60)


async def _accounts(app: web.Application, clock: Clock) -> dict[str, str]:
    from hotline.accounts.auth import issue_token
    from hotline.accounts.users import create_user

    tokens = {}
    async with app[keys.DB].write() as session:
        for role, (username, agency, areas) in ROLE_ACCOUNTS.items():
            user = await create_user(
                session,
                username=username,
                role=role,
                now=clock.now(),
                agency_code=agency,
                areas=areas,
            )
            tokens[role] = await issue_token(session, user, name="fuzz", now=clock.now())
    return tokens


def _seed_calls(served: Served) -> None:
    """Two calls (one in the supervisor's area, one outside it) so small ids exist."""
    headers = {"Authorization": f"Bearer {served.tokens['operator']}"}
    for body in (GOOD, GOOD | {"area": "quyet-thang"}):
        answer = requests.post(f"{served.base_url}/api/v1/calls", json=body, headers=headers)
        assert answer.status_code == 201, answer.text


@dataclass
class Campaign:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def _run_cases(
    served: Served,
    session: requests.Session,
    campaign: Campaign,
    strategy: Any,
    *,
    label: str,
    headers: dict[str, str],
    checks: list[Any],
    examples: int,
    seed: int,
) -> None:
    import hypothesis

    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed == 0,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=strategy)
    def one(case: Any) -> None:
        case.headers = {**(case.headers or {}), **headers}
        response = case.call(base_url=served.base_url, session=session, timeout=30)
        campaign.requests += 1
        campaign.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=checks)
        except (AssertionError, BaseExceptionGroup) as exc:  # one failure, or several
            parts = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
            first = [line for part in parts for line in str(part).strip().splitlines()[:6]]
            campaign.failures.append(f"{label}: " + " | ".join(first))

    try:
        if seed:
            hypothesis.seed(seed)(one)()
        else:
            one()
    except hypothesis.errors.Unsatisfiable:
        pass  # nothing in the operation can be made invalid (negative mode): no case to send


def run_campaign(served: Served, *, examples: int, seed: int = 0) -> Campaign:
    """Every operation × role × generation mode, `examples` cases each. A case that fails a
    check is recorded (operation, role, mode, the check's message) and the run goes on."""
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    admin = {"Authorization": f"Bearer {served.tokens['admin']}"}
    document = requests.get(f"{served.base_url}/api/v1/openapi.json", headers=admin).json()
    schema = schemathesis.openapi.from_dict(document)
    campaign = Campaign()
    session = requests.Session()
    positive = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    # Data the document forbids is refused: no 500, and a documented status.
    negative = [not_a_server_error, status_code_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for role, token in served.tokens.items():
            for mode, checks in (
                (GenerationMode.POSITIVE, positive),
                (GenerationMode.NEGATIVE, negative),
            ):
                headers = {"Authorization": f"Bearer {token}"}
                if "telephony" in operation.path:
                    headers["X-Telephony-Secret"] = served.app[keys.SETTINGS].telephony_secret
                _run_cases(
                    served,
                    session,
                    campaign,
                    operation.as_strategy(generation_mode=mode),
                    label=f"{operation.method.upper()} {operation.path} as {role} ({mode.value})",
                    headers=headers,
                    checks=checks,
                    examples=examples,
                    seed=seed,
                )
    return campaign
