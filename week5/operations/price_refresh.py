"""``week5 prices refresh``: rebuild the price table from the AWS Price List bulk API.

For each service the table uses, the region's offer file (``…/offers/v1.0/aws/<service>/
current/ap-northeast-2/index.json``) is read; each price is the on-demand USD price of the one
product whose ``usagetype`` (and listed attributes) match the entry. The new figure takes the
offer file's publication date and the basis "PL". An entry that matches no product, or more
than one price, keeps its old figure and is reported, never guessed. Offer files are large
(Amazon EC2's regional file is hundreds of MB): the refresh needs the network and memory for
that, and is not part of the tests, which feed it a small recorded offer file.
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Tuple

from week5.analysis.pricing import PRICES_FILE

Fetch = Callable[[str], Mapping[str, Any]]


def url_fetcher(template: str, timeout: float = 300) -> Fetch:
    """Fetch offer files from ``template`` (``{service}`` is filled in)."""

    def fetch(service: str) -> Mapping[str, Any]:
        with urllib.request.urlopen(template.format(service=service), timeout=timeout) as reply:
            return json.load(reply)

    return fetch


def _on_demand_prices(offer: Mapping[str, Any], sku: str) -> List[float]:
    prices = []
    for term in offer.get("terms", {}).get("OnDemand", {}).get(sku, {}).values():
        for dimension in term.get("priceDimensions", {}).values():
            if str(dimension.get("beginRange", "0")) in ("0", "0.0"):
                prices.append(float(dimension["pricePerUnit"]["USD"]))
    return prices


def refresh(prices: Dict[str, Any], fetch: Fetch) -> Tuple[Dict[str, Any], List[str]]:
    """Return the updated table and one line per entry: updated, unchanged, or kept (why).

    Raises OSError when not one offer file could be read: there is nothing to refresh from.
    """
    updated = json.loads(json.dumps(prices))  # a deep copy
    report = []
    by_service: Dict[str, List[str]] = {}
    for key, entry in updated["prices"].items():
        by_service.setdefault(entry["service"], []).append(key)
    unreachable = []
    for service, keys in sorted(by_service.items()):
        try:
            offer = fetch(service)
        except OSError as error:
            report += [f"{key}: kept ({service} offer file unreachable: {error})" for key in keys]
            unreachable.append(error)
            continue
        date = str(offer.get("publicationDate", ""))[:10]
        for key in keys:
            entry = updated["prices"][key]
            wanted = {"usagetype": entry["usagetype"], **entry.get("attributes", {})}
            skus = [
                sku
                for sku, product in offer.get("products", {}).items()
                if all(product.get("attributes", {}).get(k) == v for k, v in wanted.items())
            ]
            found = sorted({p for sku in skus for p in _on_demand_prices(offer, sku)})
            if len(found) != 1:
                why = "no matching product" if not found else f"{len(found)} prices {found}"
                report.append(f"{key}: kept {entry['usd']} ({why} in {service} {date})")
                continue
            old = entry["usd"]
            entry.update(usd=found[0], date=date, basis="PL")
            change = "unchanged" if old == found[0] else f"{old} -> {found[0]}"
            report.append(f"{key}: {change} ({service} {date})")
    if len(unreachable) == len(by_service):
        raise OSError(f"no offer file could be read ({unreachable[0]})")
    return updated, report


def write_prices(prices: Mapping[str, Any], path: Path = PRICES_FILE) -> None:
    """One entry per line, so a refresh reads as a short diff."""
    lines = ["{"]
    for key in ("region", "currency", "hours_per_month", "free_tier", "source"):
        lines.append(f"  {json.dumps(key)}: {json.dumps(prices[key], ensure_ascii=False)},")
    lines.append('  "prices": {')
    entries = list(prices["prices"].items())
    for index, (key, entry) in enumerate(entries):
        comma = "," if index < len(entries) - 1 else ""
        lines.append(f"    {json.dumps(key)}: {json.dumps(entry, ensure_ascii=False)}{comma}")
    lines.append("  },")
    lines.append(f'  "usage_assumed": {json.dumps(prices["usage_assumed"])},')
    lines.append(f'  "refresh": {json.dumps(prices["refresh"])}')
    lines.append("}")
    # Written beside, then renamed: an interrupted write never leaves half a table.
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(partial, path)
