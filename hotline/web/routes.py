"""The route table. Every route is named; every handler declares its roles
(hotline.accounts.auth)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from hotline.web import (
    admin,
    admin_rules,
    agency,
    api,
    audit_log,
    dashboard,
    find,
    operator,
    pages,
    privacy,
    supervisor,
)
from hotline.web.openapi import openapi


def setup_routes(app: web.Application, static: Path) -> None:
    r = app.router
    r.add_get("/", pages.home, name="home")
    r.add_get("/login", pages.login_form, name="login")
    r.add_post("/login", pages.login, name="login_submit")
    r.add_post("/logout", pages.logout, name="logout")
    r.add_get("/lang/{lang}", pages.set_language, name="set_language")
    r.add_get("/healthz", pages.healthz, name="healthz")
    r.add_get("/metrics", pages.metrics, name="metrics")
    # Operator
    r.add_get("/calls", operator.call_queue, name="call_queue")
    r.add_get("/calls/new", operator.call_form, name="call_form")
    r.add_post("/calls/new", operator.call_submit, name="call_submit")
    r.add_post("/calls/earlier", operator.earlier_panel, name="call_earlier")
    r.add_get("/calls/find", find.find_calls, name="call_find")
    r.add_post("/calls/find", find.find_calls, name="call_find_submit")
    r.add_get(r"/calls/{id:\d+}", operator.call_detail, name="call_detail")
    r.add_get(r"/calls/{id:\d+}/edit", supervisor.edit_form, name="call_edit")
    r.add_post(r"/calls/{id:\d+}/edit", supervisor.edit_submit, name="call_edit_submit")
    r.add_post(
        r"/calls/{id:\d+}/confirm-categories",
        supervisor.confirm_categories,
        name="call_confirm_categories",
    )
    # Supervisors
    r.add_get("/triage", supervisor.triage, name="triage")
    r.add_get("/overdue", supervisor.overdue, name="overdue")
    r.add_get("/undelivered", supervisor.undelivered, name="dead_letters")
    r.add_post(
        r"/undelivered/{id:\d+}/resend", supervisor.resend_notification, name="resend_notification"
    )
    r.add_get("/mailbox", supervisor.mailbox, name="mailbox")
    r.add_get("/supervisor/dashboard", dashboard.supervisor_dashboard, name="supervisor_dashboard")
    r.add_get("/supervisor/dashboard.csv", dashboard.dashboard_csv, name="dashboard_csv")
    r.add_get("/supervisor/report", dashboard.report_download, name="report_download")
    r.add_get(
        "/api/v1/stats/response-times", dashboard.api_response_times, name="api_response_times"
    )
    r.add_get("/api/v1/stats/dashboard", dashboard.api_dashboard, name="api_dashboard")
    # JSON API
    r.add_get("/api/v1/openapi.json", openapi, name="openapi")
    r.add_post("/api/v1/calls", api.create_call, name="api_calls_create")
    r.add_get("/api/v1/calls", api.list_calls, name="api_calls")
    r.add_post("/api/v1/calls/search", api.search_calls, name="api_calls_search")
    r.add_get("/api/v1/calls/{id}", api.get_call, name="api_call")
    r.add_patch("/api/v1/calls/{id}", api.patch_call, name="api_call_patch")
    r.add_post("/api/v1/routing/explain", api.explain, name="api_explain")
    r.add_get("/api/v1/lines", api.list_lines, name="api_lines")
    r.add_get("/api/v1/agencies", api.list_agencies, name="api_agencies")
    r.add_get("/api/v1/areas", api.list_areas, name="api_areas")
    r.add_post("/api/v1/telephony/events", api.telephony_event, name="api_telephony")
    # Agencies
    r.add_get("/agency/referrals", agency.inbox, name="agency_inbox")
    r.add_get(r"/agency/referrals/{id:\d+}", agency.referral_page, name="agency_referral")
    r.add_post(r"/agency/referrals/{id:\d+}", agency.referral_action, name="agency_referral_action")
    r.add_get("/ack/{token}", agency.ack_link, name="ack_link")
    r.add_post("/ack/{token}", agency.ack_link_submit, name="ack_link_submit")
    r.add_get("/api/v1/referrals", agency.api_list, name="api_referrals")
    r.add_post("/api/v1/referrals/{id}/ack", agency.api_ack, name="api_referral_ack")
    r.add_post("/api/v1/referrals/{id}/status", agency.api_status, name="api_referral_status")
    # Admin: accounts, agencies, rules; the audit log; data-subject requests
    r.add_get("/admin/users", admin.users, name="admin_users")
    r.add_get("/admin/users/new", admin.user_new, name="admin_user_new")
    r.add_post("/admin/logins/unlock", admin.login_unlock, name="admin_login_unlock")
    r.add_post("/admin/users/new", admin.user_create, name="admin_user_create")
    r.add_get(r"/admin/users/{id:\d+}", admin.user_page, name="admin_user")
    r.add_post(r"/admin/users/{id:\d+}", admin.user_update, name="admin_user_update")
    r.add_post(r"/admin/users/{id:\d+}/password", admin.user_password, name="admin_user_password")
    r.add_post(r"/admin/users/{id:\d+}/logout", admin.user_logout, name="admin_user_logout")
    r.add_post(r"/admin/users/{id:\d+}/tokens", admin.token_create, name="admin_token_create")
    r.add_post(
        r"/admin/users/{id:\d+}/tokens/{token_id:\d+}/revoke",
        admin.token_revoke,
        name="admin_token_revoke",
    )
    r.add_get("/admin/agencies", admin_rules.agencies, name="admin_agencies")
    r.add_get("/admin/agencies/{code}", admin_rules.agency_page, name="admin_agency")
    r.add_post("/admin/agencies/{code}", admin_rules.agency_update, name="admin_agency_update")
    r.add_post(
        "/admin/agencies/{code}/capacity", admin_rules.agency_capacity, name="admin_agency_capacity"
    )
    r.add_get("/admin/rules", admin_rules.rules_page, name="admin_rules")
    r.add_get("/admin/rules/coverage", admin_rules.coverage_page, name="admin_coverage")
    r.add_post("/admin/rules/reload", admin_rules.rules_reload, name="admin_rules_reload")
    r.add_get("/audit", audit_log.audit_log, name="audit_log")
    r.add_get(r"/calls/{id:\d+}/redact", privacy.redact_form, name="call_redact")
    r.add_post(r"/calls/{id:\d+}/redact", privacy.redact_submit, name="call_redact_submit")
    r.add_post("/api/v1/calls/{id}/redact", privacy.api_redact, name="api_call_redact")
    r.add_get("/api/v1/calls/{id}/export", privacy.api_export_call, name="api_call_export")
    r.add_post("/api/v1/privacy/export", privacy.api_export_phone, name="api_privacy_export")
    r.add_static("/static", static, name="static", append_version=True)
