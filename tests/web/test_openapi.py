"""The OpenAPI document validates, lists every /api/v1 route, and describes the fields the
handlers really accept."""

from __future__ import annotations

from openapi_spec_validator import validate

from hotline.calls.parse import CALLER_FIELDS, PERSON_FIELDS, TOP_FIELDS


async def test_document_validates_and_covers_every_route(client, accounts):
    doc = await (
        await client.get("/api/v1/openapi.json", headers=accounts["police"].headers)
    ).json()
    validate(doc)
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    for resource in client.app.router.resources():
        info = resource.get_info()
        path = info.get("path") or info.get("formatter") or ""
        if not path.startswith("/api/v1"):
            continue
        for route in resource:
            if route.method == "HEAD":
                continue
            assert (path, route.method.lower()) in documented, (path, route.method)


async def test_call_schema_matches_validation(client, accounts):
    doc = await (
        await client.get("/api/v1/openapi.json", headers=accounts["operator"].headers)
    ).json()
    schema = doc["components"]["schemas"]["CallCreate"]
    assert set(schema["properties"]) == TOP_FIELDS
    assert set(schema["properties"]["caller"]["properties"]) == CALLER_FIELDS
    assert set(schema["properties"]["people"]["items"]["properties"]) == PERSON_FIELDS


async def test_document_carries_the_validators_bounds_and_codes(client, accounts, ruleset):
    from hotline.calls.parse import MAX_ID
    from hotline.web.limits import MAX_PAGE

    doc = await (
        await client.get("/api/v1/openapi.json", headers=accounts["operator"].headers)
    ).json()
    listing = doc["paths"]["/api/v1/calls"]["get"]
    page = next(p for p in listing["parameters"] if p["name"] == "page")["schema"]
    assert (page["minimum"], page["maximum"]) == (1, MAX_PAGE)
    one = doc["paths"]["/api/v1/calls/{id}"]["get"]["parameters"][0]["schema"]
    assert (one["minimum"], one["maximum"]) == (1, MAX_ID)
    create = doc["components"]["schemas"]["CallCreate"]["properties"]
    assert set(create["area"]["enum"]) - {"", None} == set(ruleset.areas)
    assert set(create["categories"]["items"]["enum"]) == set(ruleset.taxonomy.categories)
    post = doc["paths"]["/api/v1/calls"]["post"]["responses"]
    for status in ("201", "401", "403", "404", "408", "409", "413", "415", "422", "503"):
        assert status in post, status
    status = doc["paths"]["/api/v1/referrals/{id}/status"]["post"]["responses"]
    assert "409" in status


async def test_document_is_for_logged_in_users_unless_made_public(
    client, accounts, settings, clock, ruleset, aiohttp_client
):
    from hotline.app import create_app

    anonymous = await client.get("/api/v1/openapi.json")
    assert anonymous.status == 401
    assert (await anonymous.json())["error"]["code"] == "unauthorized"
    public = await aiohttp_client(
        create_app(
            settings.replace(openapi_public=True), clock=clock, rules=ruleset, background=False
        )
    )
    assert (await public.get("/api/v1/openapi.json")).status == 200


async def test_metrics_can_require_a_token(settings, clock, ruleset, aiohttp_client):
    from hotline.app import create_app

    open_metrics = await aiohttp_client(
        create_app(settings, clock=clock, rules=ruleset, background=False)
    )
    assert (await open_metrics.get("/metrics")).status == 200
    guarded = await aiohttp_client(
        create_app(
            settings.replace(metrics_token="scrape-me-0123456789"),
            clock=clock,
            rules=ruleset,
            background=False,
        )
    )
    assert (await guarded.get("/metrics")).status == 401
    wrong = await guarded.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 401
    right = await guarded.get("/metrics", headers={"Authorization": "Bearer scrape-me-0123456789"})
    assert right.status == 200
    assert "hotline" in await right.text()
