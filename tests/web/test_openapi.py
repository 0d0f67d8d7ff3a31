"""The OpenAPI document validates, lists every /api/v1 route, and describes the fields the
handlers really accept."""

from __future__ import annotations

from openapi_spec_validator import validate

from hotline.calls.parse import CALLER_FIELDS, PERSON_FIELDS, TOP_FIELDS


async def test_document_validates_and_covers_every_route(client):
    doc = await (await client.get("/api/v1/openapi.json")).json()
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


async def test_call_schema_matches_validation(client):
    doc = await (await client.get("/api/v1/openapi.json")).json()
    schema = doc["components"]["schemas"]["CallCreate"]
    assert set(schema["properties"]) == TOP_FIELDS
    assert set(schema["properties"]["caller"]["properties"]) == CALLER_FIELDS
    assert set(schema["properties"]["people"]["items"]["properties"]) == PERSON_FIELDS
