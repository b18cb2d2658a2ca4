"""``week5 prices refresh``: rebuild week5/analysis/data/prices.json from the AWS Price List
bulk API (:mod:`week5.operations.price_refresh`); ``--dry-run`` reports and writes nothing."""

from __future__ import annotations

import argparse
import http.client
import re

from week5.analysis import pricing
from week5.cli.arguments import command_parser
from week5.cli.errors import EXIT_OK, EXIT_USAGE, CliError
from week5.core.progress import say
from week5.core.settings import shown
from week5.operations import price_refresh


def register(commands: argparse._SubParsersAction) -> None:
    prices = command_parser(commands, "prices", help="the price table behind the estimates")
    price_commands = prices.add_subparsers(dest="prices_command", metavar="refresh", required=True)
    refresh = command_parser(
        price_commands,
        "refresh",
        help="rebuild week5/analysis/data/prices.json from the AWS Price List bulk API",
    )
    refresh.add_argument(
        "--offer-url",
        help="offer-file URL with {service} (default: the Price List bulk API for Seoul)",
    )
    refresh.add_argument("--dry-run", action="store_true", help="report, do not write")
    refresh.set_defaults(handler=run_refresh)


def run_refresh(args: argparse.Namespace) -> int:
    """Rebuild week5/analysis/data/prices.json from the AWS Price List bulk API."""
    prices = pricing.load_prices()
    # `is None`, not falsy: an empty --offer-url (an unset shell variable) is refused, not
    # taken for the default.
    url = prices["refresh"]["offer_url"] if args.offer_url is None else args.offer_url
    if "{service}" not in url or not re.match(r"^(https?|file)://", url) or not _formats(url):
        raise CliError(
            f"--offer-url {shown(url, 160)} must be an http(s) or file URL with {{service}} "
            "where the service code goes and no other braces, e.g. https://pricing.us-east-1."
            "amazonaws.com/offers/v1.0/aws/{service}/current/ap-northeast-2/index.json",
            EXIT_USAGE,
        )
    base = url.split("{")[0]
    # a URL is shown cut, as in the errors: a pasted file must not fill the screen
    base = base if len(base) <= 160 else base[:157] + "..."
    say(f"==> reading offer files from {base}... (large: minutes, not seconds)")
    try:
        updated, report = price_refresh.refresh(prices, price_refresh.url_fetcher(url))
    # URLError and timeouts are OSErrors; bad JSON a ValueError; a cut-off download an
    # HTTPException (IncompleteRead): each is one line, never a traceback.
    except (OSError, ValueError, http.client.HTTPException) as error:
        cause = " ".join(str(error).split()) or type(error).__name__
        cause = cause if len(cause) <= 300 else cause[:297] + "..."
        if args.offer_url:
            where = (
                f"--offer-url {shown(url, 160)}: {cause}; check the URL, or leave --offer-url "
                "out for "
            )
            fix = "the Price List API"
        elif isinstance(error, price_refresh.OfferError):  # read, but not an offer file
            where = (
                f"the AWS Price List bulk API ({url.split('{')[0]}...) sent what is not an "
                f"offer file: {cause}; try again later, or pass --offer-url with "
            )
            fix = "a copy, e.g. file:///tmp/offers/{service}.json"
        else:
            where = (
                f"the AWS Price List bulk API ({url.split('{')[0]}...) could not be read: {cause};"
                " check the network and any proxy (HTTPS_PROXY), or pass --offer-url with "
            )
            fix = "a copy, e.g. file:///tmp/offers/{service}.json"
        raise CliError(
            f"{where}{fix}; week5/analysis/data/prices.json is unchanged", EXIT_USAGE
        ) from None
    for line in report:
        print(f"  {line}")
    if args.dry_run:
        print("Dry run: week5/analysis/data/prices.json is unchanged.")
    else:
        price_refresh.write_prices(updated)
        print(f"Wrote {pricing.PRICES_FILE}; review `git diff` before committing it.")
    return EXIT_OK


def _formats(url: str) -> bool:
    """Whether ``url.format(service=...)`` works: ``{region}`` or a stray brace raised
    KeyError or ValueError from inside the refresh (a traceback)."""
    try:
        url.format(service="AmazonEC2")
    except (KeyError, IndexError, ValueError):
        return False
    return True
