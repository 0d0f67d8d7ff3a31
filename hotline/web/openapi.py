"""The OpenAPI 3.1 document for /api/v1. Tests check it validates, lists every /api/v1 route
and describes exactly the fields hotline.calls.parse accepts."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from hotline import __version__
from hotline.accounts.auth import PUBLIC, allow

ERROR = {"$ref": "#/components/responses/Error"}
CODES = {"type": "array", "items": {"type": "string"}}
NULL_STR = {"type": ["string", "null"]}


def _schemas() -> dict[str, Any]:
    person = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "age": {"type": ["integer", "null"], "minimum": 0, "maximum": 120},
            "age_approximate": {"type": "boolean"},
            "sex": {**NULL_STR, "description": "code from taxonomy.yaml sexes"},
            "name": {**NULL_STR, "maxLength": 200},
        },
    }
    caller = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": {**NULL_STR, "maxLength": 200},
            "phone": {
                **NULL_STR,
                "maxLength": 40,
                "description": "any written form of a Vietnamese number, or 'withheld'",
            },
            "relation": {**NULL_STR, "description": "code from taxonomy.yaml relations"},
            "anonymous": {"type": "boolean"},
        },
    }
    call_create = {
        "type": "object",
        "additionalProperties": False,
        "required": ["line"],
        "properties": {
            "line": {"type": "string", "description": "line number (any spacing) or code"},
            "received_at": {
                **NULL_STR,
                "format": "date-time",
                "description": "default now; without zone: Asia/Ho_Chi_Minh",
            },
            "caller": caller,
            "people": {"type": "array", "maxItems": 30, "items": person},
            "area": {**NULL_STR, "description": "area code (GET /api/v1/areas)"},
            "address": {**NULL_STR, "maxLength": 500},
            "narrative": {"type": "string", "maxLength": 20000},
            "categories": {**CODES, "description": "when absent the classifier suggests them"},
            "subcategories": CODES,
            "urgency": {"type": "string", "enum": ["emergency", "high", "normal", "low"]},
            "needs": CODES,
            "taken_by": {**NULL_STR, "description": "username of who took the call, if not you"},
            "emergency_processing": {"type": "boolean"},
        },
    }
    referral = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "agency": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "kind": {"type": "string"},
                    "name": {"type": "string"},
                },
            },
            "status": {"type": "string"},
            "rule_id": {"type": "string"},
            "ruleset_version": {"type": "string"},
            "reason": NULL_STR,
            "ack_due_at": NULL_STR,
            "resolve_due_at": NULL_STR,
            "escalation_level": {"type": "integer"},
        },
    }
    call = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "reference": {"type": "string"},
            "status": {"type": "string"},
            "line": {"type": "string"},
            "received_at": {"type": "string", "format": "date-time"},
            "area": NULL_STR,
            "categories": CODES,
            "subcategories": CODES,
            "urgency": {"type": "string"},
            "needs": CODES,
            "suggested_categories": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "kind": {"type": "string"},
                        "score": {"type": "number"},
                        "words": CODES,
                        "source": {"type": "string", "enum": ["rules", "model", "rules+model"]},
                        "spans": {
                            "type": "array",
                            "items": {"type": "array", "items": {"type": "integer"}},
                        },
                        "word_sources": CODES,
                    },
                },
            },
            "referrals": {"type": "array", "items": {"$ref": "#/components/schemas/Referral"}},
            "timeline": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "at": {"type": "string"},
                        "kind": {"type": "string"},
                        "actor": NULL_STR,
                        "detail": {"type": "object"},
                    },
                },
            },
            "narrative": {"type": "string", "description": "not shown to agency users"},
            "caller": {"type": "object", "description": "not shown to agency users"},
            "people": {"type": "array", "items": {"type": "object"}},
        },
    }
    error = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "fields"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            }
        },
    }
    status = {
        "type": "object",
        "required": ["status"],
        "properties": {
            "status": {
                "type": "string",
                "enum": ["acknowledged", "accepted", "declined", "in_progress", "resolved"],
            },
            "note": {"type": ["string", "null"], "maxLength": 2000},
        },
    }
    phone = {
        "type": "object",
        "required": ["phone"],
        "additionalProperties": False,
        "properties": {"phone": {"type": "string", "description": "any written form"}},
    }
    search = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            name: {"type": "string"}
            for name in ("status", "category", "line", "area", "since", "until", "phone")
        }
        | {"page": {"type": "integer", "minimum": 1}},
    }
    return {
        "PhoneQuery": phone,
        "CallSearch": search,
        "ReferralStatus": status,
        "CallCreate": call_create,
        "CallUpdate": {**call_create, "required": []},
        "Call": call,
        "Referral": referral,
        "Error": error,
    }


def _op(
    summary: str,
    *,
    body: str | None = None,
    ok: str = "200",
    schema: Any = None,
    params: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {
            ok: {
                "description": "success",
                "content": {"application/json": {"schema": schema or {"type": "object"}}},
            },
            "401": ERROR,
            "403": ERROR,
            "404": ERROR,
            "422": ERROR,
        },
    }
    if body:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}},
        }
    if params:
        op["parameters"] = params
    return op


def _q(name: str, description: str = "", kind: str = "string") -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": kind},
    }


ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
CALL = {"$ref": "#/components/schemas/Call"}

# Other parts of the service add their paths here (referrals, stats, telephony).
EXTRA_PATHS: dict[str, dict[str, Any]] = {}


def document() -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/api/v1/calls": {
            "post": {
                **_op(
                    "Log a call; routes it and queues notifications",
                    body="CallCreate",
                    ok="201",
                    schema=CALL,
                ),
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string"},
                        "description": "a retry returns the first result",
                    }
                ],
            },
            "get": _op(
                "List calls, newest first",
                params=[
                    _q("status"),
                    _q("category"),
                    _q("line"),
                    _q("area", "area code (subtree)"),
                    _q("since", "ISO date-time"),
                    _q("until", "ISO date-time"),
                    _q("page", kind="integer"),
                ],
            ),
        },
        "/api/v1/calls/{id}": {
            "get": {**_op("One call (audited read)", schema=CALL), "parameters": [ID]},
            "patch": {
                **_op("Reclassify or update; routing re-runs", body="CallUpdate", schema=CALL),
                "parameters": [ID],
            },
        },
        "/api/v1/routing/explain": {
            "post": _op(
                "Suggested categories, matched rules and agencies for a call body; writes nothing",
                body="CallCreate",
            )
        },
        "/api/v1/lines": {"get": _op("Hotline lines")},
        "/api/v1/agencies": {"get": _op("Agency directory", params=[_q("kind")])},
        "/api/v1/areas": {
            "get": _op("Areas; ?q= searches names with or without diacritics", params=[_q("q")])
        },
        "/api/v1/referrals": {
            "get": _op(
                "Referrals (agency users: their own agency only)",
                params=[_q("agency"), _q("status")],
            )
        },
        "/api/v1/referrals/{id}/ack": {
            "post": {
                **_op("Acknowledge receipt (idempotent; stops pending reminders)"),
                "parameters": [ID],
            }
        },
        "/api/v1/referrals/{id}/status": {
            "post": {
                **_op(
                    "accepted | declined (note: reason) | in_progress | resolved (note: outcome)",
                    body="ReferralStatus",
                ),
                "parameters": [ID],
            }
        },
        # Data-subject requests (supervisor, admin; audited): hotline.web.privacy
        "/api/v1/calls/{id}/redact": {
            "post": {
                **_op(
                    "Redact the call's personal data, keeping its statistics (cannot be undone; "
                    "idempotent: `changed` is false the second time)",
                    schema=CALL,
                ),
                "parameters": [ID],
            }
        },
        "/api/v1/calls/{id}/export": {
            "get": {
                **_op(
                    "Everything stored about one call, personal data included, as a JSON download"
                ),
                "parameters": [ID],
            }
        },
        "/api/v1/privacy/export": {
            "post": _op(
                "Every call from one phone number (any written form), as a JSON download; "
                "the number travels in the body so it stays out of access logs",
                body="PhoneQuery",
            )
        },
        "/api/v1/calls/search": {
            "post": _op(
                "Like GET /api/v1/calls, with the filters in the body; the only way to search "
                "by caller number (kept out of URLs and access logs)",
                body="CallSearch",
            )
        },
        "/api/v1/telephony/events": {
            "post": {
                "summary": "Call ringing/answered/ended from the PBX; opens a pre-filled form",
                "security": [],
                "parameters": [
                    {
                        "name": "X-Telephony-Secret",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["event", "call_id", "dialled"],
                                "properties": {
                                    "event": {
                                        "type": "string",
                                        "enum": ["ringing", "answered", "ended"],
                                    },
                                    "call_id": {
                                        "type": "string",
                                        "description": "the PBX's call id",
                                    },
                                    "dialled": {
                                        "type": "string",
                                        "description": "the hotline number",
                                    },
                                    "caller": {
                                        "type": ["string", "null"],
                                        "description": "caller id",
                                    },
                                    "extension": {"type": ["string", "null"]},
                                    "at": {"type": ["string", "null"], "format": "date-time"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "202": {"description": "recorded"},
                    "401": ERROR,
                    "403": ERROR,
                    "422": ERROR,
                },
            }
        },
        "/api/v1/stats/response-times": {
            "get": _op(
                "Time to acknowledge and to resolve (median, 90th percentile) and the share within "
                "the time limit, grouped",
                params=[
                    _q("group_by", "agency | agency_kind | category | line | area | total"),
                    _q("period", "2026-H1, 2026, 2026-03, today, week, month"),
                    _q("since", "local date YYYY-MM-DD"),
                    _q("until", "local date, included"),
                    _q("area"),
                    _q("line"),
                ],
            )
        },
        "/api/v1/stats/dashboard": {
            "get": _op(
                "Every dashboard figure (calls by line, category, area, hour; funnel; response "
                "times; breaches; escalations; open referrals by age; dead letters)",
                params=[_q("period"), _q("since"), _q("until"), _q("area"), _q("line")],
            )
        },
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "OpenAPI"}},
            }
        },
    }
    paths.update(EXTRA_PATHS)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "hotline API",
            "version": __version__,
            "description": "Intake and referral router for protection hotlines.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": _schemas(),
            "responses": {
                "Error": {
                    "description": "error naming the problem",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
            },
        },
    }


@allow(PUBLIC)
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(document())
