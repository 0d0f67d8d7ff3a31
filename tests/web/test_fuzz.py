"""A bounded schemathesis run over every operation of the OpenAPI document, as each role (the
supervisor limited to one area), with valid data and with data the document forbids: no
server error, every status documented, every answer of the documented type and shape.

A handful of examples per operation by default (about 450 requests, under a minute);
HOTLINE_FUZZ_EXAMPLES=35 makes it a campaign of over 5,000 (bench/fuzz_campaign.py prints
the figures). On PostgreSQL too when HOTLINE_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os

from tests.helpers.fuzz import run_campaign, serve_in_thread

EXAMPLES = int(os.environ.get("HOTLINE_FUZZ_EXAMPLES", "3"))


def test_the_api_holds_to_its_document_under_fuzzing(settings, ruleset, clock):
    with serve_in_thread(settings, ruleset, clock) as served:
        campaign = run_campaign(served, examples=EXAMPLES)
    assert campaign.failures == []
    assert campaign.requests >= 100 * EXAMPLES
    assert not [status for status in campaign.statuses if status >= 500]
    # Both sides were exercised: accepted requests and refused ones.
    assert campaign.statuses[200] and campaign.statuses[422] and campaign.statuses[404]
