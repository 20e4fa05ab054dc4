"""HTTP health checks against loopback servers answering as actuator, health+json, /livez do."""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from app.domain.model import Health, ItemKind
from app.sources.errors import SourceError
from app.sources.health import HealthSource, TlsExpiryCache, TlsInfo
from app.sources.http import HttpClient, Response

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "health"
ACTUATOR = "application/vnd.spring-boot.actuator.v3+json"
HEALTH_JSON = "application/health+json"


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def http() -> Iterator[HttpClient]:
    client = HttpClient()
    yield client
    client.close()


def _serve(server: HTTPServer, body: bytes, status: int = 200, ctype: str = "") -> str:
    server.expect_request("/health").respond_with_data(body, status=status, content_type=ctype)
    return server.url_for("/health")


def test_actuator_up(httpserver: HTTPServer, http: HttpClient) -> None:
    url = _serve(httpserver, _fixture("actuator_up.json"), ctype=ACTUATOR)
    source = HealthSource(url)
    reading = source.fetch(http)

    assert source.kind is ItemKind.ENVIRONMENT
    assert reading.health is Health.UP
    assert reading.detail == "status UP"
    assert reading.http_status == 200
    assert reading.latency_ms is not None and reading.latency_ms >= 0
    assert reading.url == url and reading.tls_days_left is None


def test_actuator_down_with_503_is_a_reading_naming_the_failing_component(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    url = _serve(httpserver, _fixture("actuator_down.json"), status=503, ctype=ACTUATOR)
    reading = HealthSource(url).fetch(http)

    assert reading.health is Health.DOWN
    assert reading.detail == "status DOWN (db DOWN)"
    assert reading.http_status == 503


def test_actuator_out_of_service_is_down(httpserver: HTTPServer, http: HttpClient) -> None:
    body = _fixture("actuator_out_of_service.json")
    url = _serve(httpserver, body, status=503, ctype=ACTUATOR)

    assert HealthSource(url).fetch(http).health is Health.DOWN


@pytest.mark.parametrize(
    ("name", "status", "health", "detail"),
    [
        ("health_json_pass.json", 200, Health.UP, "status pass"),
        (
            "health_json_warn.json",
            200,
            Health.DEGRADED,
            "status warn (cassandra:responseTime warn)",
        ),
        (
            "health_json_fail.json",
            503,
            Health.DOWN,
            "status fail (cassandra:connections fail, cassandra unreachable)",
        ),
    ],
)
def test_health_json_pass_warn_fail(
    httpserver: HTTPServer,
    http: HttpClient,
    name: str,
    status: int,
    health: Health,
    detail: str,
) -> None:
    url = _serve(httpserver, _fixture(name), status=status, ctype=HEALTH_JSON)
    reading = HealthSource(url).fetch(http)

    assert (reading.health, reading.detail) == (health, detail)


@pytest.mark.parametrize(
    ("status", "body", "health", "detail"),
    [
        (200, b"ok", Health.UP, "answered 200 (ok)"),
        (204, b"", Health.UP, "answered 204"),
        (
            500,
            b"[-]etcd failed: reason withheld\nlivez check failed",
            Health.DOWN,
            "server error 500",
        ),
        (418, b"teapot", Health.UNKNOWN, "unexpected answer 418 (teapot)"),
    ],
)
def test_plain_text_decides_by_status_code(
    httpserver: HTTPServer,
    http: HttpClient,
    status: int,
    body: bytes,
    health: Health,
    detail: str,
) -> None:
    url = _serve(httpserver, body, status=status, ctype="text/plain")
    reading = HealthSource(url).fetch(http)

    assert reading.health is health
    assert reading.detail.startswith(detail)


def test_livez_fixture_is_up(httpserver: HTTPServer, http: HttpClient) -> None:
    url = _serve(httpserver, _fixture("livez.txt"), ctype="text/plain; charset=utf-8")

    assert HealthSource(url).fetch(http).health is Health.UP


def test_html_login_page_is_unknown_with_words(httpserver: HTTPServer, http: HttpClient) -> None:
    url = _serve(httpserver, _fixture("login.html"), ctype="text/html")
    reading = HealthSource(url).fetch(http)

    assert reading.health is Health.UNKNOWN
    assert reading.detail == "got an HTML page, not a health report (sign-in page?)"


def test_html_error_page_with_5xx_is_down(httpserver: HTTPServer, http: HttpClient) -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    url = _serve(httpserver, page, status=502, ctype="text/html")
    reading = HealthSource(url).fetch(http)

    assert (reading.health, reading.detail) == (Health.DOWN, "server error 502")


def test_json_that_does_not_parse_is_unknown(httpserver: HTTPServer, http: HttpClient) -> None:
    url = _serve(httpserver, b'{"status": "UP",', ctype="application/json")
    reading = HealthSource(url).fetch(http)

    assert reading.health is Health.UNKNOWN
    assert reading.detail == "answer is not valid JSON (status 200)"


def test_unrecognised_status_is_unknown(httpserver: HTTPServer, http: HttpClient) -> None:
    url = _serve(httpserver, b'{"status": "MOSTLY_FINE"}', ctype="application/json")
    reading = HealthSource(url).fetch(http)

    assert (reading.health, reading.detail) == (
        Health.UNKNOWN,
        "status 'MOSTLY_FINE' not recognised",
    )


def test_json_without_a_status_field_decides_by_code(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    url = _serve(httpserver, b'{"version": "1.4.2"}', ctype="application/json")

    assert HealthSource(url).fetch(http).health is Health.UP


@pytest.mark.parametrize(
    ("body", "health", "detail"),
    [
        (b'{"app": {"state": "healthy"}}', Health.UP, "app.state healthy"),
        (b'{"app": {"state": false}}', Health.DOWN, "app.state False"),
        (b'{"app": {}}', Health.UNKNOWN, "no field 'app.state' in the answer"),
    ],
)
def test_custom_dotted_json_field(
    httpserver: HTTPServer, http: HttpClient, body: bytes, health: Health, detail: str
) -> None:
    url = _serve(httpserver, body, ctype="application/json")
    reading = HealthSource(url, json_field="app.state").fetch(http)

    assert (reading.health, reading.detail) == (health, detail)


def test_expected_status(httpserver: HTTPServer, http: HttpClient) -> None:
    url = _serve(httpserver, b"", status=200)
    reading = HealthSource(url, expected_status=204).fetch(http)

    assert (reading.health, reading.detail) == (Health.DOWN, "answered 200, expected 204")


def test_health_checks_are_never_conditional(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_request("/health").respond_with_data(
        b"ok", headers={"ETag": '"same"', "Last-Modified": "Tue, 14 May 2024 09:00:00 GMT"}
    )
    source = HealthSource(httpserver.url_for("/health"))
    source.fetch(http)
    source.fetch(http)

    second = httpserver.log[1][0].headers
    assert "If-None-Match" not in second and "If-Modified-Since" not in second
    assert http.not_modified == 0


class _FixedLatency:
    """An HttpClient stand-in whose answers took a fixed time."""

    connect_timeout_s = 1.0

    def __init__(self, elapsed_ms: float) -> None:
        self.elapsed_ms = elapsed_ms

    def get(self, url: str, **_kwargs: Any) -> Response:
        return Response(url, 200, {"Content-Type": "text/plain"}, b"ok", self.elapsed_ms)


def test_slow_answer_is_degraded() -> None:
    source = HealthSource("http://env.example/health", slow_ms=2000)
    reading = source.fetch(_FixedLatency(2400.4))  # type: ignore[arg-type]

    assert reading.health is Health.DEGRADED
    assert reading.detail == "answered 200 (ok); slow: 2,400 ms"
    assert reading.latency_ms == 2400.4


@pytest.mark.parametrize(
    ("status", "headers", "words"),
    [
        (401, {}, "the health endpoint asks for sign-in (401)"),
        (403, {}, "access to the health endpoint denied (403)"),
        (404, {}, "health endpoint not found (404)"),
        (429, {"Retry-After": "30"}, "rate-limited until"),
    ],
)
def test_a_refused_check_is_an_error_not_a_reading(
    httpserver: HTTPServer,
    http: HttpClient,
    status: int,
    headers: dict[str, str],
    words: str,
) -> None:
    httpserver.expect_request("/health").respond_with_data("", status=status, headers=headers)
    with pytest.raises(SourceError, match=re.escape(words)) as info:
        HealthSource(httpserver.url_for("/health")).fetch(http)

    assert (info.value.rate_limited_until is not None) == (status == 429)


# --- TLS expiry ------------------------------------------------------------------------------


def _certificates(tmp: Path, *, days_valid: float) -> tuple[Path, ssl.SSLContext]:
    """A private CA and a 127.0.0.1 certificate from it that ends after `days_valid` days."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Releasable test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=30))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=20))
        .not_valid_after(now + timedelta(days=days_valid))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file = tmp / "ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file, key_file = tmp / "leaf.pem", tmp / "leaf.key"
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return ca_file, context


@pytest.fixture
def https_server(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[HTTPServer, Path]]:
    ca_file, context = _certificates(tmp_path, days_valid=request.param)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.start()
    try:
        yield server, ca_file
    finally:
        server.clear()
        server.stop()


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("https_server", [4.5], indirect=True)
def test_certificate_near_expiry_degrades_and_is_checked_at_most_hourly(
    https_server: tuple[HTTPServer, Path], http: HttpClient
) -> None:
    server, ca_file = https_server
    server.expect_request("/health").respond_with_json({"status": "UP"})
    clock = _Clock()
    cache = TlsExpiryCache(monotonic=clock)
    source = HealthSource(server.url_for("/health"), ca_bundle=str(ca_file), tls_cache=cache)

    first = source.fetch(http)
    source.fetch(http)
    assert cache.probes == 1
    clock.now += 3601
    source.fetch(http)

    assert first.health is Health.DEGRADED
    assert first.detail == "status UP; certificate expires in 5 days"
    assert first.tls_days_left == 5
    assert cache.probes == 2


@pytest.mark.parametrize("https_server", [200], indirect=True)
def test_certificate_far_from_expiry_stays_up(
    https_server: tuple[HTTPServer, Path], http: HttpClient
) -> None:
    server, ca_file = https_server
    server.expect_request("/health").respond_with_json({"status": "UP"})
    source = HealthSource(
        server.url_for("/health"), ca_bundle=str(ca_file), tls_cache=TlsExpiryCache()
    )
    reading = source.fetch(http)

    assert reading.health is Health.UP
    assert reading.tls_days_left == 200


@pytest.mark.parametrize("https_server", [-2], indirect=True)
def test_expired_certificate_is_down(
    https_server: tuple[HTTPServer, Path], http: HttpClient
) -> None:
    server, ca_file = https_server
    server.expect_request("/health").respond_with_json({"status": "UP"})
    source = HealthSource(
        server.url_for("/health"), ca_bundle=str(ca_file), tls_cache=TlsExpiryCache()
    )
    reading = source.fetch(http)

    assert reading.health is Health.DOWN
    assert reading.detail == "certificate expired"


@pytest.mark.parametrize("https_server", [200], indirect=True)
def test_untrusted_certificate_is_an_error_in_words(
    https_server: tuple[HTTPServer, Path], http: HttpClient
) -> None:
    server, _ca_file = https_server
    server.expect_request("/health").respond_with_json({"status": "UP"})
    with pytest.raises(SourceError, match="could not be verified|self-signed"):
        HealthSource(server.url_for("/health"), tls_cache=TlsExpiryCache()).fetch(http)


def test_days_left_rounds_up_and_goes_negative_once_past() -> None:
    now = datetime(2024, 5, 14, tzinfo=UTC)

    assert TlsInfo(now + timedelta(days=4, hours=2)).days_left(now) == 5
    assert TlsInfo(now - timedelta(hours=2)).days_left(now) == -1
    assert TlsInfo(None, expired=True).days_left(now) is None
