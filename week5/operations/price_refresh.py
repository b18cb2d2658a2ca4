"""``week5 prices refresh``: rebuild the price table from the AWS Price List bulk API.

For each service the table uses, the region's offer file (``…/offers/v1.0/aws/<service>/
current/ap-northeast-2/index.json``) is read; each price is the on-demand USD price of the one
product whose ``usagetype`` (and listed attributes) match the entry. The new figure takes the
offer file's publication date and the basis "PL". An entry that matches no product, or more
than one price, keeps its old figure and is reported, never guessed. Offer files are large
(Amazon EC2's regional file is hundreds of MB): the refresh needs the network and memory for
that, and is not part of the tests, which feed it a small recorded offer file.

An offer file of the wrong shape (a JSON list, no ``products``, a term that is not an object)
stops the refresh with :class:`OfferError` naming the file and what is wrong: nothing is
written. A price that is not a finite number >= 0 (``"nan"``, ``"inf"``, ``"-5"``) keeps the
entry's old figure and is reported, like an entry that matches no product.
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import os
import re
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from week5.analysis.pricing import PRICES_FILE

Fetch = Callable[[str], Mapping[str, Any]]


class OfferError(ValueError):
    """An offer file that is not JSON, or JSON of the wrong shape: the refresh stops."""


def url_fetcher(template: str, timeout: float = 300) -> Fetch:
    """Fetch offer files from ``template`` (``{service}`` is filled in); one that is not JSON
    raises :class:`OfferError` naming its URL, and :func:`refresh` names the URL of one of the
    wrong shape (``fetch.where``: it checks each file once, EC2's being hundreds of MB)."""

    def fetch(service: str) -> Mapping[str, Any]:
        url = template.format(service=service)
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            try:
                return json.load(reply)
            except ValueError as error:  # JSONDecodeError, UnicodeDecodeError
                raise OfferError(f"{url} is not JSON ({error})") from None

    fetch.where = lambda service: template.format(service=service)  # type: ignore[attr-defined]
    return fetch


def _kind(value: Any) -> str:
    """What a JSON value is, for a message: "a JSON list", "JSON null"."""
    if isinstance(value, bool) or value is None:
        return f"JSON {json.dumps(value)}"
    names = {dict: "object", list: "list", str: "string"}
    return f"a JSON {names.get(type(value), 'number')}"


def _object(value: Any, where: str, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise OfferError(f"{where}: {path} is {_kind(value)}, not an object")
    return value


def _at(path: str, key: Any) -> str:
    """``path["key"]``, the key quoted (and cut) so the message stays one line."""
    return f"{path}[{json.dumps(str(key))[:60]}]"


def check_offer(offer: Any, where: str) -> None:
    """Raise :class:`OfferError` ("``where``: what is wrong") unless ``offer`` has the shape
    the refresh reads: an object with a ``publicationDate``, ``products`` (objects, each one's
    ``attributes`` an object) and ``terms.OnDemand`` (SKU → term → ``priceDimensions`` →
    dimension with a ``pricePerUnit`` object). The prices themselves are judged one by one."""
    if not isinstance(offer, dict):
        raise OfferError(
            f"{where} is {_kind(offer)}, not an offer file (an object with publicationDate, "
            "products and terms)"
        )
    missing = [key for key in ("publicationDate", "products", "terms") if key not in offer]
    if missing:
        raise OfferError(f"{where} is not an offer file: it has no {', '.join(missing)}")
    date = offer["publicationDate"]
    if not isinstance(date, str) or not _is_date(date):
        raise OfferError(f"{where}: publicationDate {json.dumps(date)[:40]} is not a date")
    for sku, product in _object(offer["products"], where, "products").items():
        product = _object(product, where, _at("products", sku))
        _object(product.get("attributes", {}), where, _at("products", sku) + ".attributes")
    terms = _object(offer["terms"], where, "terms")
    if "OnDemand" not in terms:
        raise OfferError(f"{where} is not an offer file: it has no terms.OnDemand")
    for sku, sku_terms in _object(terms["OnDemand"], where, "terms.OnDemand").items():
        for code, term in _object(sku_terms, where, _at("terms.OnDemand", sku)).items():
            path = _at(_at("terms.OnDemand", sku), code)
            dimensions = _object(term, where, path).get("priceDimensions", {})
            for rate, dimension in _object(dimensions, where, f"{path}.priceDimensions").items():
                at = _at(f"{path}.priceDimensions", rate)
                if "pricePerUnit" not in _object(dimension, where, at):
                    raise OfferError(f"{where}: {at} has no pricePerUnit")
                _object(dimension["pricePerUnit"], where, f"{at}.pricePerUnit")


def _on_demand_prices(offer: Mapping[str, Any], sku: str) -> List[Any]:
    """The first-tier USD prices of ``sku`` as the offer file gives them (strings, normally)."""
    prices = []
    for term in offer["terms"]["OnDemand"].get(sku, {}).values():
        for dimension in term.get("priceDimensions", {}).values():
            if str(dimension.get("beginRange", "0")) in ("0", "0.0"):
                prices.append(dimension["pricePerUnit"].get("USD"))
    return prices


def _is_date(text: str) -> bool:
    """The offer's publicationDate: a real date, then optionally its time
    (``2026-11-01T00:00:00Z``); "2026-99-99xyz" is not one."""
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(T[0-9:.]+Z?)?", text)
    if match is None:
        return False
    try:
        datetime.date.fromisoformat(match.group(1))
    except ValueError:
        return False
    return True


def usd(raw: Any) -> Optional[float]:
    """``raw`` as a price, or None when it is not a finite number >= 0 ("nan", "inf", "-5",
    "", missing): such a figure is never written to the table."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        return None
    # The Price List writes ASCII decimals ("0.0130000000"): float() would take "１２", "1_0"
    # and " 0.02 " too
    if isinstance(raw, str) and not re.fullmatch(r"[0-9]+(\.[0-9]+)?", raw):
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value + 0.0 if math.isfinite(value) and value >= 0 else None  # + 0.0: no "-0.0"


def refresh(prices: Dict[str, Any], fetch: Fetch) -> Tuple[Dict[str, Any], List[str]]:
    """Return the updated table and one line per entry: updated, unchanged, or kept (why).

    Raises OSError when not one offer file could be read: there is nothing to refresh from;
    OfferError when one is of the wrong shape (nothing of it can be trusted).
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
        where = getattr(fetch, "where", None)  # a URL fetcher names the file it read
        check_offer(offer, where(service) if where else f"the {service} offer file")
        date = offer["publicationDate"][:10]
        for key in keys:
            entry = updated["prices"][key]
            wanted = {"usagetype": entry["usagetype"], **entry.get("attributes", {})}
            skus = [
                sku
                for sku, product in offer["products"].items()
                if all(product.get("attributes", {}).get(k) == v for k, v in wanted.items())
            ]
            raw = [p for sku in skus for p in _on_demand_prices(offer, sku)]
            bad = [p for p in raw if usd(p) is None]
            if bad:
                why = (
                    "no USD price"
                    if bad[0] is None
                    else f"price {json.dumps(bad[0])[:40]} is not a decimal number >= 0"
                )
                report.append(f"{key}: kept {entry['usd']} ({why} in {service} {date})")
                continue
            found = sorted({usd(p) for p in raw})
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
    """One entry per line, so a refresh reads as a short diff. A NaN or infinite figure raises
    ValueError before anything is written (JSON has no such numbers)."""
    dumps = functools.partial(json.dumps, ensure_ascii=False, allow_nan=False)
    lines = ["{"]
    for key in ("region", "currency", "hours_per_month", "free_tier", "source"):
        lines.append(f"  {json.dumps(key)}: {dumps(prices[key])},")
    lines.append('  "prices": {')
    entries = list(prices["prices"].items())
    for index, (key, entry) in enumerate(entries):
        comma = "," if index < len(entries) - 1 else ""
        lines.append(f"    {json.dumps(key)}: {dumps(entry)}{comma}")
    lines.append("  },")
    lines.append(f'  "usage_assumed": {dumps(prices["usage_assumed"])},')
    lines.append(f'  "refresh": {dumps(prices["refresh"])}')
    lines.append("}")
    # Written beside, then renamed: an interrupted write never leaves half a table.
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(partial, path)
