"""Which requests go through a proxy: the proxy variables, read as curl and httpx read them,
except that loopback never does.

checker reads them itself (httpx's ``trust_env`` is off) for three reasons: an emulator or a
tunnel on 127.0.0.1 must never send the IAM token, or a signature, in clear to a proxy; a
proxy URL that cannot work (a SOCKS proxy without its library, a bad port) is a usage error
naming the variable; and the environment is read once, in one place.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from importlib.util import find_spec
from urllib.parse import urlsplit

from checker.environment import Environment
from checker.errors import UsageError

LOOPBACK_PATTERNS = ("all://127.0.0.1", "all://localhost", "all://[::1]")
"""Never proxied, whatever the variables say."""
_SCHEMES = {"http": "http://", "https": "https://", "all": "all://"}
_PROXY_SCHEMES = frozenset({"http", "https", "socks5", "socks5h"})


def _variable(proxies: Mapping[str, str], base: str) -> tuple[str, str] | None:
    for name in (base.lower(), base.upper()):
        if proxies.get(name):
            return name, proxies[name].strip()
    return None


def _checked(name: str, url: str) -> str:
    """The proxy URL, or a usage error naming the variable (never its value: it may hold a
    password)."""
    try:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        _ = parts.port
    except ValueError:
        raise UsageError(f"{name} is not a valid proxy URL (check its port)") from None
    if parts.scheme not in _PROXY_SCHEMES or not parts.hostname:
        raise UsageError(
            f"{name} is not a proxy URL checker can use",
            "write it as http://HOST:PORT (https:// and socks5:// work too)",
        )
    if parts.scheme.startswith("socks") and find_spec("socksio") is None:
        raise UsageError(
            f"{name} names a SOCKS proxy, and the socksio package is not installed",
            "pip install socksio, or use an HTTP proxy",
        )
    return parts.geturl()


def _no_proxy_pattern(host: str) -> str:
    if "://" in host:
        return host
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "all://localhost" if host.lower() == "localhost" else f"all://*{host}"
    return f"all://[{address}]" if address.version == 6 else f"all://{address}"


def proxy_routes(environment: Environment) -> dict[str, str | None]:
    """URL pattern → proxy URL, None where no proxy is used (httpx's ``mounts`` keys)."""
    proxies = environment.proxies
    routes: dict[str, str | None] = {}
    for scheme, prefix in _SCHEMES.items():
        found = _variable(proxies, f"{scheme}_proxy")
        if found is not None:
            routes[prefix] = _checked(*found)
    excluded = _variable(proxies, "no_proxy")
    hosts = [h.strip() for h in excluded[1].split(",")] if excluded else []
    if "*" in hosts:
        return {}
    for host in filter(None, hosts):
        routes[_no_proxy_pattern(host)] = None
    if any(url is not None for url in routes.values()):
        routes.update(dict.fromkeys(LOOPBACK_PATTERNS))
    return routes
