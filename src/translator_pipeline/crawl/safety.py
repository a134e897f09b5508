"""Which URLs may be fetched at all: http(s) on the source's hosts, and never an
address we must not connect to (cloud metadata, link-local, unspecified,
multicast, reserved); private and loopback ones only for a host the operator
pinned (an IP address in the source's config, or a name in
``fetch.private_hosts``)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from translator_pipeline.errors import FetchError, UnsafeURLError

__all__ = ["check_address", "check_url", "scheme_refusal"]

# Names and addresses of cloud instance-metadata services: never fetched, whatever
# the configuration says (a source "on" one of them is a misconfiguration or an attack).
_METADATA_NAMES = frozenset(
    {
        "metadata.google.internal",
        "metadata.goog",
        "metadata",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    # most clouds (AWS, GCP, Azure, OCI …), AWS over IPv6, Alibaba Cloud
    for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")  # Linux connects 0.x.x.x to the local host
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")  # deprecated, but Python calls it global
_NEVER = frozenset({"cloud metadata", "link-local", "unspecified", "multicast", "reserved"})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def scheme_refusal(scheme: str) -> str:
    """Why a link with this scheme is not fetched, in words ops can act on."""
    scheme = scheme.lower()
    if scheme == "file":
        return "file: URLs are never fetched, they would read this machine's files"
    if not scheme:
        return "no scheme: not an absolute http(s) URL"
    if scheme in ("javascript", "data", "mailto", "tel", "ftp"):
        return f"{scheme}: links are not web pages; only http and https are fetched"
    return f"scheme {scheme!r} is not http or https; only those are fetched"


def check_url(url: str, allowed_hosts: Iterable[str]) -> str:
    """Return ``url`` if it is http(s) on one of ``allowed_hosts``; raise UnsafeURLError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeURLError(scheme_refusal(parts.scheme), url=url)
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeURLError("URL has no host", url=url)
    if host not in {h.lower() for h in allowed_hosts}:
        raise UnsafeURLError(f"host {host!r} is not one of this source's hosts", url=url)
    return url


def _unwrap(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64), else ``ip``."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def _address_class(ip: IPAddress) -> str | None:
    """None for a public address, else what kind of special address it is."""
    ip = _unwrap(ip)
    if ip in _METADATA_ADDRESSES:
        return "cloud metadata"
    if ip.is_link_local:
        return "link-local"
    if ip.is_unspecified or (isinstance(ip, ipaddress.IPv4Address) and ip in _THIS_NETWORK):
        return "unspecified"
    if ip.is_multicast:
        return "multicast"
    if ip.is_loopback:
        return "loopback"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private or (isinstance(ip, ipaddress.IPv6Address) and ip in _SITE_LOCAL):
        return "private"
    if not ip.is_global:
        return "non-public"  # e.g. 100.64.0.0/10, shared carrier-grade NAT space
    return None


def check_address(url: str, private_hosts: Iterable[str] = ()) -> None:
    """Refuse ``url`` if its host is, or resolves to, an address we must not connect to.

    - cloud metadata names and addresses, link-local, unspecified, multicast and
      reserved addresses: always refused;
    - loopback, private and other non-public addresses: allowed only when the host
      is an IP address literal (it passed :func:`check_url`, so the operator wrote
      it in the source's config) or a name in ``private_hosts``. A configured
      *name* is not enough: what it resolves to is decided by whoever controls its
      DNS, which is how SSRF reaches internal services.

    Every address ``getaddrinfo`` returns is checked. Caveat (DNS rebinding): httpx
    resolves the name again when it connects, so a hostile DNS server answering
    differently the second time is not stopped here; an egress firewall is the
    real fence. The same goes when an HTTP proxy from the environment is used.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if host in _METADATA_NAMES:
        raise UnsafeURLError(f"host {host!r} is a cloud metadata service", url=url)
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise UnsafeURLError("URL has an invalid port", url=url) from None
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"cannot resolve host {host!r}: {exc}", url=url) from exc
        # An IPv6 scope ("fe80::1%eth0") is not part of the address.
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    allowed = {h.lower().rstrip(".") for h in private_hosts}
    for ip in addresses:
        kind = _address_class(ip)
        if kind is None:
            continue
        said = "is" if literal is not None else f"resolves to {ip}, which is"
        if kind in _NEVER:
            raise UnsafeURLError(f"host {host!r} {said} a {kind} address: never fetched", url=url)
        if literal is None and host not in allowed:
            raise UnsafeURLError(
                f"host {host!r} {said} a {kind} address; configure an internal source by "
                "IP address, or list its name in fetch.private_hosts",
                url=url,
            )
