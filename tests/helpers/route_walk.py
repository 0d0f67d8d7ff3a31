"""Walking the whole route table: every (method, path) with its path parameters filled with
real ids, the roles its handler declares, and requests made as each kind of visitor."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from hotline.accounts.auth import PUBLIC, ROLES, roles_of

SAFE = ("GET", "HEAD", "OPTIONS")
# One account per role (conftest's `accounts`).
ACCOUNT_OF = {
    "operator": "operator",
    "supervisor": "supervisor",
    "agency": "police",
    "admin": "admin",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # with real values in place of the parameters
    template: str
    name: str | None
    roles: frozenset[str] | None

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def public(self) -> bool:
        return self.roles is not None and PUBLIC in self.roles

    @property
    def refused_roles(self) -> list[str]:
        return [r for r in ROLES if self.roles is None or r not in self.roles]

    def __str__(self) -> str:
        return f"{self.method} {self.template} ({self.name})"


def _value(name: str, template: str, ids: dict[str, Any]) -> str:
    if name == "id":
        if "referral" in template:
            return str(ids["referral"])
        if "/users" in template:
            return str(ids["user"])
        return str(ids["call"])
    return str(ids.get(name, "1"))


def routes(app: web.Application, ids: dict[str, Any]) -> list[Route]:
    """Every route except static files, with its parameters filled from `ids`
    (call, referral, user, token_id, code, token, lang, and "1" for anything unknown)."""
    out = []
    for resource in app.router.resources():
        if isinstance(resource, web.StaticResource):
            continue
        info = resource.get_info()
        template = info.get("path") or info.get("formatter") or ""
        path = template
        for name in re.findall(r"\{(\w+)\}", template):
            path = path.replace("{" + name + "}", _value(name, template, ids))
        for route in resource:
            out.append(Route(route.method, path, template, resource.name, roles_of(route.handler)))
    return out


async def send(
    client: Any, route: Route, *, headers: dict[str, str] | None = None, csrf: str | None = None
) -> Any:
    """The route's request with an empty body of the right kind; no redirects followed."""
    headers = dict(headers or {})
    kwargs: dict[str, Any] = {"allow_redirects": False, "headers": headers}
    if route.method not in SAFE:
        if csrf is not None:
            headers["X-CSRF-Token"] = csrf
        if route.api:
            kwargs["json"] = {}
        else:
            kwargs["data"] = {}
    response = await client.request(route.method, route.path, **kwargs)
    await response.read()  # releases the connection; the body stays readable
    return response


def check_headers(response: Any, route: Route) -> None:
    for name, part in SECURITY_HEADERS.items():
        value = response.headers.get(name, "")
        assert part in value, f"{route}: {name} is {value!r} (status {response.status})"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
