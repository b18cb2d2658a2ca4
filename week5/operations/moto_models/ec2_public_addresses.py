"""The emulator's public IPv4 addresses drawn from the documentation ranges (RFC 5737:
192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24), none handed out twice while in use.

Written against moto 5.2.5, which gives an instance's public address (a network interface's,
``random_public_ip``) from 54.214.0.0/16, real addresses that others hold on the internet, and
an Elastic IP (``random_ip``, so a NAT gateway's too) from 127.0.0.0/8, this machine's own:
Day3Lab2's ``CompareCommand`` printed ``curl http://54.214.89.28/...``, and a student who ran it
reached a stranger's server. Neither draw checked the addresses in use. :func:`install` makes
both draw an address no Elastic IP or network interface of the emulator holds from the three
ranges no one routes (762 addresses: .1 to .254 of each), refusing with
``AddressLimitExceeded`` when all are in use. Private addresses are moto's. Delete this module
when moto draws from such ranges (tests/test_emulator_public_addresses.py says when).
"""

from __future__ import annotations

import collections
import ipaddress
import random
import threading
from typing import Deque, List, Set

from moto.ec2.models import ec2_backends
from moto.ec2.models import elastic_ip_addresses, elastic_network_interfaces
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.utils import random_ip, random_public_ip

#: moto's own draws, for an Elastic IP and a network interface's public address
#: (tests/test_emulator_public_addresses.py runs them to tell when moto no longer needs this
#: module).
MOTO_OWN = {"elastic_ip": random_ip, "public_ip": random_public_ip}
#: RFC 5737's documentation ranges: routed nowhere, so a printed address reaches no one.
RANGES = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
#: Every address the emulator hands out (each range's network and broadcast addresses left out).
POOL: List[str] = [str(host) for cidr in RANGES for host in ipaddress.ip_network(cidr).hosts()]

_LOCK = threading.Lock()
#: The last addresses drawn: counted in use until the Elastic IP or interface that asked for one
#: is in its backend (a request on another thread may draw in between).
_RECENT: Deque[str] = collections.deque(maxlen=32)


def in_use() -> Set[str]:
    """The public addresses the emulator's Elastic IPs and network interfaces hold, in every
    account and region made so far (an instance's is its interface's)."""
    held: Set[str] = set()
    for account in list(dict.values(ec2_backends)):
        for backend in list(dict.values(account)):
            held.update(address.public_ip for address in list(backend.addresses))
            held.update(eni.public_ip for eni in list(backend.enis.values()) if eni.public_ip)
    return held


def draw() -> str:
    """A documentation address that nothing in the emulator holds."""
    with _LOCK:
        taken = in_use().union(_RECENT)
        free = [address for address in POOL if address not in taken]
        if not free:
            raise EC2ClientError(
                "AddressLimitExceeded",
                f"The emulator's {len(POOL)} public addresses ({', '.join(RANGES)}) are all in "
                "use: release Elastic IPs or terminate public instances.",
            )
        address = random.choice(free)
        _RECENT.append(address)
        return address


def install() -> None:
    """Patch moto's draws as the module's docstring says (idempotent)."""
    elastic_ip_addresses.random_ip = draw  # type: ignore[attr-defined]
    elastic_network_interfaces.random_public_ip = draw  # type: ignore[attr-defined]
