"""The route table. Every route is named; every handler declares its roles (hotline.auth)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from hotline.web import agency, api, operator, pages
from hotline.web.openapi import openapi


def setup_routes(app: web.Application, static: Path) -> None:
    r = app.router
    r.add_get("/", pages.home, name="home")
    r.add_get("/login", pages.login_form, name="login")
    r.add_post("/login", pages.login, name="login_submit")
    r.add_post("/logout", pages.logout, name="logout")
    r.add_get("/lang/{lang}", pages.set_language, name="set_language")
    r.add_get("/healthz", pages.healthz, name="healthz")
    # Operator
    r.add_get("/calls", operator.call_queue, name="call_queue")
    r.add_get("/calls/new", operator.call_form, name="call_form")
    r.add_post("/calls/new", operator.call_submit, name="call_submit")
    r.add_get(r"/calls/{id:\d+}", operator.call_detail, name="call_detail")
    # JSON API
    r.add_get("/api/v1/openapi.json", openapi, name="openapi")
    r.add_post("/api/v1/calls", api.create_call, name="api_calls_create")
    r.add_get("/api/v1/calls", api.list_calls, name="api_calls")
    r.add_get("/api/v1/calls/{id}", api.get_call, name="api_call")
    r.add_patch("/api/v1/calls/{id}", api.patch_call, name="api_call_patch")
    r.add_post("/api/v1/routing/explain", api.explain, name="api_explain")
    r.add_get("/api/v1/lines", api.list_lines, name="api_lines")
    r.add_get("/api/v1/agencies", api.list_agencies, name="api_agencies")
    r.add_get("/api/v1/areas", api.list_areas, name="api_areas")
    # Agencies
    r.add_get("/agency/referrals", agency.inbox, name="agency_inbox")
    r.add_get(r"/agency/referrals/{id:\d+}", agency.referral_page, name="agency_referral")
    r.add_post(r"/agency/referrals/{id:\d+}", agency.referral_action,
               name="agency_referral_action")
    r.add_get("/ack/{token}", agency.ack_link, name="ack_link")
    r.add_post("/ack/{token}", agency.ack_link_submit, name="ack_link_submit")
    r.add_get("/api/v1/referrals", agency.api_list, name="api_referrals")
    r.add_post("/api/v1/referrals/{id}/ack", agency.api_ack, name="api_referral_ack")
    r.add_post("/api/v1/referrals/{id}/status", agency.api_status, name="api_referral_status")
    r.add_static("/static", static, name="static", append_version=True)
