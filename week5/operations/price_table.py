"""What one resource found in an AWS account costs an hour, by the price table's keys.

``week5 cleanup`` and ``week5 audit`` price what they find in an account (an instance type, a
NAT gateway, a volume's GB) with the same table the template estimates use, loaded once through
:func:`week5.analysis.pricing.load_prices`.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from week5.analysis import pricing


class PriceTable:
    """Hourly USD by price key (``ec2:t3.micro``, ``nat-gateway``, ``ebs:gp3``, ...)."""

    def __init__(self, prices: Optional[Mapping[str, Any]] = None) -> None:
        table = pricing.load_prices() if prices is None else prices
        self._entries: Mapping[str, Any] = table["prices"]
        self._hours_per_month: float = table["hours_per_month"]

    def hourly(self, key: str, count: float = 1.0) -> Optional[float]:
        """``count`` units of ``key`` for an hour (a ``…-month`` price spread over the month's
        hours, as the estimates do); None when the table has no such key."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        return pricing.hourly_usd(entry, count, self._hours_per_month)
