"""The OpenAPI 3.1 document for /api/v1. Tests check it validates, lists every /api/v1 route,
describes exactly the fields hotline.calls.parse accepts, and a bounded schemathesis run holds
the service to it (tests/web/test_fuzz.py).

The document is the truth about what the service accepts: codes are enumerated from the rule
set in use (lines, areas, categories, needs, agencies...), ids and pages carry the bounds the
validators apply (hotline.web.limits), and every operation lists the statuses it can answer.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from hotline import __version__, keys
from hotline.accounts.auth import PUBLIC, allow
from hotline.calls.parse import MAX_ID, MAX_JSON_DEPTH
from hotline.calls.views import STATUSES as CALL_STATUSES
from hotline.referrals.lifecycle import MAX_NOTE
from hotline.referrals.lifecycle import STATUSES as REFERRAL_STATUSES
from hotline.reports.periods import GROUPS
from hotline.rules.ruleset import RuleSet
from hotline.web.limits import MAX_PAGE

ERROR = {"$ref": "#/components/responses/Error"}
NULL_STR = {"type": ["string", "null"]}
CODES = {"type": "array", "items": {"type": "string"}}  # in answers
DATE_TIME = {"type": "string", "format": "date-time"}
# Statuses every operation may answer: refused credentials or role, an id that names nothing
# (or one the reader may not see), a URL or header over 8,190 bytes, input naming its faulty
# fields, and an overloaded database.
COMMON = ("401", "403", "404", "414", "422", "431", "503")
# ...and those with a request body: too slow (HOTLINE_BODY_TIMEOUT), too large
# (HOTLINE_MAX_BODY_BYTES), not JSON.
WITH_BODY = ("408", "413", "415")


def code(values: Any, *, nullable: bool = False) -> dict[str, Any]:
    """One code among `values` (null and "" too when nullable: "not given")."""
    allowed: list[Any] = sorted(set(values))
    if nullable:
        return {"type": ["string", "null"], "enum": [*allowed, "", None]}
    return {"type": "string", "enum": allowed}


def codes(values: Any) -> dict[str, Any]:
    return {"type": "array", "items": code(values), "uniqueItems": True}


def _schemas(rules: RuleSet) -> dict[str, Any]:
    tax = rules.taxonomy
    lines = {line.code for line in rules.lines.values()} | {
        line.number for line in rules.lines.values()
    }
    person = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "age": {"type": ["integer", "null"], "minimum": 0, "maximum": 120},
            "age_approximate": {"type": "boolean"},
            "sex": {**code(tax.codes("sex"), nullable=True), "description": "taxonomy.yaml"},
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
            "relation": {
                **code(tax.codes("relation"), nullable=True),
                "description": "taxonomy.yaml",
            },
            "anonymous": {"type": "boolean"},
        },
    }
    call_create = {
        "type": "object",
        "additionalProperties": False,
        "required": ["line"],
        "properties": {
            "line": {**code(lines), "description": "line number (any spacing) or code"},
            "received_at": {
                **NULL_STR,
                "format": "date-time",
                "description": "default now; without zone: Asia/Ho_Chi_Minh; within the last "
                "366 days and not in the future",
            },
            "caller": caller,
            "people": {"type": "array", "maxItems": 30, "items": person},
            "area": {**code(rules.areas, nullable=True), "description": "GET /api/v1/areas"},
            "address": {**NULL_STR, "maxLength": 500},
            "narrative": {"type": "string", "maxLength": 20000},
            "categories": {
                **codes(tax.categories),
                "description": "when absent the classifier suggests them",
            },
            "subcategories": {
                **codes(tax.subcategories),
                "description": "each belonging to one of the categories given",
            },
            "urgency": code(tax.codes("urgency")),
            "needs": codes(tax.codes("need")),
            "taken_by": {
                **NULL_STR,
                "maxLength": 64,
                "description": "username of who took the call, if not you",
            },
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
            "note": {
                "type": ["string", "null"],
                "maxLength": MAX_NOTE,
                "description": "required to decline (the reason) and to resolve (the outcome)",
            },
        },
    }
    phone = {
        "type": "object",
        "required": ["phone"],
        "additionalProperties": False,
        "properties": {
            "phone": {"type": "string", "maxLength": 40, "description": "any written form"}
        },
    }
    search = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "status": code(CALL_STATUSES),
            "category": code(set(tax.categories) | set(tax.subcategories)),
            "line": code(lines),
            "area": {**code(rules.areas), "description": "the area and all below it"},
            "since": DATE_TIME,
            "until": DATE_TIME,
            "phone": {"type": "string", "maxLength": 40, "description": "any written form"},
            "page": PAGE,
            "q": {
                "type": "string",
                "maxLength": 200,
                "description": "a reference, a phone number (any written form) or words of "
                "the names, address and narrative, with or without diacritics",
            },
            "urgency": {"type": "string", "enum": ["emergency", "high", "normal", "low"]},
            "mine": {"type": "boolean", "description": "only calls the reader took or logged"},
        },
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
    conflict: bool = False,
) -> dict[str, Any]:
    """An operation; `conflict`: it may answer 409 (a retry with another body under the same
    Idempotency-Key, a referral status change not allowed from the current one)."""
    statuses = COMMON + (WITH_BODY if body else ()) + (("409",) if conflict else ())
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {
            ok: {
                "description": "success",
                "content": {"application/json": {"schema": schema or {"type": "object"}}},
            },
            **{status: ERROR for status in sorted(statuses)},
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


def _q(name: str, description: str = "", schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


PAGE = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}
ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
}
CALL = {"$ref": "#/components/schemas/Call"}
PERIOD = {
    "type": "string",
    "pattern": r"^(today|week|month|(19[7-9][0-9]|20[0-9][0-9]|2100)(-H[12]|-(0[1-9]|1[0-2]))?)$",
}
LOCAL_DAY = {"type": "string", "format": "date", "description": "local date YYYY-MM-DD"}

# Other parts of the service add their paths here (referrals, stats, telephony).
EXTRA_PATHS: dict[str, dict[str, Any]] = {}


def document(rules: RuleSet) -> dict[str, Any]:
    tax = rules.taxonomy
    lines = sorted({line.code for line in rules.lines.values()})
    paths: dict[str, Any] = {
        "/api/v1/calls": {
            "post": {
                **_op(
                    "Log a call; routes it and queues notifications",
                    body="CallCreate",
                    ok="201",
                    schema=CALL,
                    conflict=True,
                ),
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 200},
                        "description": "a retry returns the first result; the same key with "
                        "another body answers 409",
                    }
                ],
            },
            "get": _op(
                "List calls, newest first",
                params=[
                    _q("status", schema=code(CALL_STATUSES)),
                    _q("category", schema=code(set(tax.categories) | set(tax.subcategories))),
                    _q("line", schema=code(lines)),
                    _q("area", "area code (subtree)", code(rules.areas)),
                    _q("since", "ISO date-time, 1970-2100", DATE_TIME),
                    _q("until", "ISO date-time, 1970-2100", DATE_TIME),
                    _q(
                        "urgency",
                        schema={"type": "string", "enum": ["emergency", "high", "normal", "low"]},
                    ),
                    _q(
                        "mine",
                        "true: only calls the reader took or logged",
                        {"type": "boolean"},
                    ),
                    _q("page", schema=PAGE),
                ],
            ),
        },
        "/api/v1/calls/{id}": {
            "get": {**_op("One call (audited read)", schema=CALL), "parameters": [ID]},
            "patch": {
                **_op(
                    "Reclassify or update; routing re-runs",
                    body="CallUpdate",
                    schema=CALL,
                    conflict=True,
                ),
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
        "/api/v1/agencies": {
            "get": _op(
                "Agency directory", params=[_q("kind", schema=code(tax.codes("agency_kind")))]
            )
        },
        "/api/v1/areas": {
            "get": _op(
                "Areas; ?q= searches names with or without diacritics",
                params=[_q("q", "the first 100 characters are used")],
            )
        },
        "/api/v1/referrals": {
            "get": _op(
                "Referrals (agency users: their own agency only; supervisors limited to lines "
                "or areas: those calls only)",
                params=[
                    _q("agency", schema=code(rules.agencies)),
                    _q("status", schema=code(REFERRAL_STATUSES)),
                ],
            )
        },
        "/api/v1/referrals/{id}/ack": {
            "post": {
                **_op("Acknowledge receipt (idempotent; stops pending reminders)", conflict=True),
                "parameters": [ID],
            }
        },
        "/api/v1/referrals/{id}/status": {
            "post": {
                **_op(
                    "accepted | declined (note: reason) | in_progress | resolved (note: outcome)",
                    body="ReferralStatus",
                    conflict=True,
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
                "by caller number (kept out of URLs and access logs); not for agency users",
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
                                        "minLength": 1,
                                        "maxLength": 120,
                                        "description": "the PBX's call id",
                                    },
                                    "dialled": {
                                        **code(
                                            {line.number for line in rules.lines.values()}
                                            | set(lines)
                                        ),
                                        "description": "the hotline number",
                                    },
                                    "caller": {
                                        "type": ["string", "null"],
                                        "maxLength": 40,
                                        "description": "caller id",
                                    },
                                    "extension": {"type": ["string", "null"], "maxLength": 40},
                                    "at": {
                                        "type": ["string", "null"],
                                        "format": "date-time",
                                        "description": "1970-2100",
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "202": {
                        "description": "recorded",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    **{
                        s: ERROR
                        for s in ("401", "403", "408", "413", "414", "415", "422", "431", "503")
                    },
                },
            }
        },
        "/api/v1/stats/response-times": {
            "get": _op(
                "Time to acknowledge and to resolve (median, 90th percentile) and the share within "
                "the time limit, grouped",
                params=[
                    _q("group_by", schema=code(GROUPS)),
                    _q("period", "2026-H1, 2026, 2026-03, today, week, month", PERIOD),
                    _q("since", "local date YYYY-MM-DD", LOCAL_DAY),
                    _q("until", "local date, included", LOCAL_DAY),
                    _q("area", schema=code(rules.areas)),
                    _q("line", schema=code(lines)),
                ],
            )
        },
        "/api/v1/stats/dashboard": {
            "get": _op(
                "Every dashboard figure (calls by line, category, area, hour; funnel; response "
                "times; breaches; escalations; open referrals by age; dead letters)",
                params=[
                    _q("period", "2026-H1, 2026, 2026-03, today, week, month", PERIOD),
                    _q("since", "local date YYYY-MM-DD", LOCAL_DAY),
                    _q("until", "local date, included", LOCAL_DAY),
                    _q("area", schema=code(rules.areas)),
                    _q("line", schema=code(lines)),
                ],
            )
        },
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document (logged-in users; anyone with HOTLINE_OPENAPI_PUBLIC)",
                "responses": {
                    "200": {
                        "description": "OpenAPI",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "401": ERROR,
                },
            }
        },
    }
    paths.update(EXTRA_PATHS)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "hotline API",
            "version": __version__,
            "description": "Intake and referral router for protection hotlines. Text may not "
            "hold NUL or lone surrogates; JSON bodies nest at most "
            f"{MAX_JSON_DEPTH} levels; dates fall within 1970-2100.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": _schemas(rules),
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
    """For logged-in users and API tokens; for anyone with HOTLINE_OPENAPI_PUBLIC=true."""
    if request.get(keys.PRINCIPAL) is None and not request.app[keys.SETTINGS].openapi_public:
        raise web.HTTPUnauthorized(
            reason="authentication required", headers={"WWW-Authenticate": 'Bearer realm="hotline"'}
        )
    return web.json_response(document(request.app[keys.RULES].current))
