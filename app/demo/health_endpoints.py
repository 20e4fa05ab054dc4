"""The demo's environments: health endpoints in the three shapes real services answer with.

- `livez` (Kubernetes `/livez`): plain text `ok` with 200, or a failed-check text with 500.
- `actuator` (Spring Boot `/actuator/health`): `{"status": "UP", "components": {...}}` with
  200, `DOWN` with 503; `application/vnd.spring-boot.actuator.v3+json` unless the client asks
  for `application/json`, as Spring Boot does.
- `health+json` (the IETF draft "Health Check Response Format for HTTP APIs",
  `application/health+json`): `pass` and `warn` with 200, `fail` with 503, with `checks`.

Each environment's state at the moment of the request comes from the scenario.
"""

from __future__ import annotations

from typing import Any

from app.demo.plans import EnvView, env_at
from app.demo.scenario import ENVIRONMENTS
from app.demo.wire import Reply, Request, Timebase, json_reply, text_reply

ACTUATOR_V3 = "application/vnd.spring-boot.actuator.v3+json"

_DISK = {
    "total": 107_374_182_400,
    "free": 61_203_283_968,
    "threshold": 10_485_760,
    "path": "/app/.",
    "exists": True,
}


class HealthService:
    """One loopback host serving every environment's health endpoint under its own path."""

    name = "health"

    def __init__(self, timebase: Timebase, base_url: str) -> None:
        self.timebase = timebase
        self.base = base_url.rstrip("/")
        self.paths = {plan.path: plan for plan in ENVIRONMENTS}

    def url(self, environment: str) -> str:
        for plan in ENVIRONMENTS:
            if plan.name == environment:
                return self.base + plan.path
        raise KeyError(environment)

    def handle(self, req: Request) -> Reply:
        plan = self.paths.get(req.path)
        if plan is None:
            return text_reply("404 page not found\n", 404)
        if req.method not in ("GET", "HEAD"):
            return text_reply("405 method not allowed\n", 405)
        env = env_at(plan, req.t)
        if env.kind == "livez":
            return self._livez(env)
        if env.kind == "actuator":
            return self._actuator(env, req)
        return self._health_json(env)

    @staticmethod
    def _livez(env: EnvView) -> Reply:
        if env.state == "down":
            return text_reply(
                "[+]ping ok\n[-]etcd failed: reason withheld\nlivez check failed\n", 500
            )
        return text_reply("ok")

    def _actuator(self, env: EnvView, req: Request) -> Reply:
        up = env.state != "down"
        components: dict[str, Any] = {
            "db": {
                "status": "UP",
                "details": {"database": "PostgreSQL", "validationQuery": "isValid()"},
            },
            "diskSpace": {"status": "UP", "details": _DISK},
            "ping": {"status": "UP"},
        }
        if env.name == "auth-service":
            components["redis"] = {"status": "UP", "details": {"version": "7.2.4"}}
            components["ldap"] = {"status": "UP", "details": {"version": "3"}}
        if not up:
            components["db"] = {
                "status": "DOWN",
                "details": {
                    "error": "org.springframework.jdbc.CannotGetJdbcConnectionException: "
                    "Failed to obtain JDBC Connection"
                },
            }
        wants_json = "application/json" in req.headers.get("Accept", "")
        return json_reply(
            {"status": "UP" if up else "DOWN", "components": components},
            200 if up else 503,
            content_type="application/json" if wants_json else ACTUATOR_V3,
        )

    def _health_json(self, env: EnvView) -> Reply:
        since = self.timebase.iso(env.since)
        latency, latency_state = {"up": (12, "pass"), "warn": (850, "warn")}.get(
            env.state, (0, "fail")
        )
        check: dict[str, Any] = {
            "componentId": "pg-primary",
            "componentType": "datastore",
            "observedValue": latency,
            "observedUnit": "ms",
            "status": latency_state,
            "time": since,
        }
        if env.state == "warn":
            check["output"] = "p99 response time of the payments database is above 500 ms"
        status = {"up": "pass", "warn": "warn"}.get(env.state, "fail")
        payload = {
            "status": status,
            "version": "1",
            "releaseId": "2024.05.3",
            "serviceId": f"payments-{env.name}",
            "description": "payments API",
            "checks": {
                "postgres:responseTime": [check],
                "stripe:connections": [
                    {"componentType": "component", "status": "pass", "time": since}
                ],
            },
        }
        return json_reply(
            payload, 200 if status != "fail" else 503, content_type="application/health+json"
        )


__all__ = ["ACTUATOR_V3", "HealthService"]
