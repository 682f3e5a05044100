"""The client's address, behind a configurable list of trusted proxies, as a pseudonymous key.

What Streamlit 1.67 and uvicorn do (read in their sources, checked with a browser):

- A session's address is its websocket peer, taken once at the handshake;
  ``st.context.ip_address`` returns it (``None`` for ``127.0.0.1``/``::1``). ``st.context.headers``
  holds ``X-Forwarded-For`` as sent: never trust it directly.
- uvicorn resolves ``X-Forwarded-For`` before Streamlit sees the peer (``proxy_headers`` is on by
  default): when the TCP peer is in ``FORWARDED_ALLOW_IPS`` (environment; addresses or networks),
  the peer becomes the right-most untrusted ``X-Forwarded-For`` entry. HTTP routes see the same.
- Streamlit binds ``::`` (dual stack), so an IPv4 peer arrives as ``::ffff:127.0.0.1``: it matches
  neither ``127.0.0.1`` in uvicorn's default list nor the loopback test of ``st.context``.

So the setting ``RESILIENCE_TRUSTED_PROXIES`` is handed to uvicorn by :func:`forwarded_allow_ips`
(with the IPv4-mapped forms) before the server starts, and limits are keyed on
:func:`rate_key` of the session's address: a keyed hash, never the address itself.
:func:`resolve` is the same algorithm for code that has only a peer and a header.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from collections.abc import Iterable, Sequence
from functools import lru_cache

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
#: One client controls a whole IPv6 /64 (SLAAC privacy addresses change within it).
IPV6_PREFIX = 64
#: What a missing address (loopback: the server's own machine, AppTest) is keyed as.
LOCAL = "local"
TRUSTED_PROXIES_ENV = "RESILIENCE_TRUSTED_PROXIES"
SECRET_ENV = "RESILIENCE_SECRET_KEY"


@lru_cache(maxsize=1)
def server_secret() -> bytes:
    """The key of every keyed hash of this process (client keys, the room screen's token).

    ``RESILIENCE_SECRET_KEY`` when set (the same value on every instance sharing one database,
    so they count one client alike); otherwise random per process, which is enough for one
    instance: a restart only forgets rate-limit windows of a minute.
    """
    value = os.environ.get(SECRET_ENV, "")
    return value.encode() if value else secrets.token_bytes(32)


def trusted_proxies(value: str | None = None) -> list[str]:
    """The trusted proxies from ``RESILIENCE_TRUSTED_PROXIES`` (comma- or space-separated
    addresses or networks; empty: none but the machine itself)."""
    value = os.environ.get(TRUSTED_PROXIES_ENV, "") if value is None else value
    return [item for item in value.replace(",", " ").split() if item]


def parse(address: str | None) -> IPAddress | None:
    """An address object, IPv4-mapped IPv6 unwrapped, zone id dropped; ``None`` if not an IP."""
    if not address:
        return None
    text = address.strip().strip("[]").split("%", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def networks(specs: Iterable[str]) -> list[IPNetwork]:
    """Trusted proxies from settings: ``"10.0.0.5"``, ``"10.0.0.0/8"``, ``"::1"``...

    Raises
    ------
    ValueError
        A spec that is neither an address nor a network.
    """
    return [ipaddress.ip_network(spec.strip(), strict=False) for spec in specs if spec.strip()]


def forwarded_allow_ips(specs: Iterable[str]) -> str:
    """The ``FORWARDED_ALLOW_IPS`` value for uvicorn: each trusted IPv4 network also written in
    its IPv4-mapped IPv6 form (the dual-stack socket's view), loopback always included (the
    health check and a proxy on the same machine)."""
    out: list[str] = []
    for net in [*networks(specs), *networks(["127.0.0.1", "::1"])]:
        forms = [str(net)]
        if isinstance(net, ipaddress.IPv4Network):
            forms.append(f"::ffff:{net.network_address}/{96 + net.prefixlen}")
        out.extend(f for f in forms if f not in out)
    return ",".join(out)


def _trusted(ip: IPAddress | None, trusted: Sequence[IPNetwork]) -> bool:
    return ip is not None and any(ip.version == net.version and ip in net for net in trusted)


def resolve(peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[IPNetwork]) -> str | None:
    """The client's address: the peer itself unless it is a trusted proxy, else the right-most
    ``X-Forwarded-For`` entry that is not a trusted proxy (entries left of it were written by
    the client and prove nothing). ``None`` if that entry is not an address."""
    ip = parse(peer)
    if not _trusted(ip, trusted):
        return str(ip) if ip is not None else None
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        hop_ip = parse(hop)
        if hop_ip is None:
            return None
        if not _trusted(hop_ip, trusted):
            return str(hop_ip)
    return str(ip)  # every hop is a proxy: the request came from the proxies themselves


def rate_key(address: str | None, secret: bytes | None = None, v6_prefix: int = IPV6_PREFIX) -> str:
    """A pseudonymous key for one client: HMAC-SHA256 of its IPv4 address or IPv6 /64.

    Limits and lockouts store this key, never the address (RGPD: no client address is kept;
    the key is useless without ``secret``, and rotating the secret forgets every key).
    Loopback and missing addresses share the key of :data:`LOCAL`. ``secret`` defaults to
    :func:`server_secret`.
    """
    ip = parse(address)
    if ip is None or ip.is_loopback:
        subject = LOCAL
    elif isinstance(ip, ipaddress.IPv6Address):
        subject = str(ipaddress.ip_network(f"{ip}/{v6_prefix}", strict=False))
    else:
        subject = str(ip)
    key = server_secret() if secret is None else secret
    return hmac.new(key, subject.encode(), hashlib.sha256).hexdigest()[:32]


def log_tag(key: str) -> str:
    """The 8 first characters of a rate key: enough to follow one client in the log."""
    return key[:8]
