"""`week5 prices refresh` against a small recorded offer file served on localhost."""

import functools
import json
import subprocess
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support import ROOT
from servers import serve_in_thread

from week5.analysis import pricing
from week5.operations import price_refresh

OFFERS = Path(__file__).parent / "fixtures" / "offers"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def offer_url():
    handler = functools.partial(QuietHandler, directory=str(OFFERS))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serve_in_thread(server)
    yield f"http://127.0.0.1:{server.server_address[1]}/{{service}}.json"
    server.shutdown()


def test_refresh_updates_the_matching_price_with_its_date_and_basis(offer_url):
    prices = pricing.load_prices()
    updated, report = price_refresh.refresh(prices, price_refresh.url_fetcher(offer_url))
    t3 = updated["prices"]["ec2:t3.micro"]
    # The Linux, shared, on-demand product only: not Windows, not a capacity reservation.
    assert (t3["usd"], t3["date"], t3["basis"]) == (0.0136, "2026-11-01", "PL")
    assert "ec2:t3.micro: 0.013 -> 0.0136 (AmazonEC2 2026-11-01)" in report
    assert "nat-gateway: unchanged (AmazonEC2 2026-11-01)" in report
    # Two different prices for one usage type: kept, not guessed.
    assert updated["prices"]["ebs:gp3"] == prices["prices"]["ebs:gp3"]
    assert any(line.startswith("ebs:gp3: kept 0.0912 (2 prices") for line in report)
    # No product in the offer file, or no offer file at all: kept, and said.
    assert any(
        line.startswith("ec2:t4g.micro: kept 0.0104 (no matching product") for line in report
    )
    assert any(line.startswith("alb: kept (AWSELB offer file unreachable") for line in report)
    assert prices["prices"]["ec2:t3.micro"]["usd"] == 0.013  # the input is not modified


def test_written_table_round_trips_and_changes_only_the_refreshed_lines(offer_url, tmp_path):
    prices = pricing.load_prices()
    updated, _ = price_refresh.refresh(prices, price_refresh.url_fetcher(offer_url))
    target = tmp_path / "prices.json"
    price_refresh.write_prices(updated, target)
    assert pricing.load_prices(target) == updated
    before = pricing.PRICES_FILE.read_text().splitlines()
    after = target.read_text().splitlines()
    changed = [b.split(": ")[0].strip() for b, a in zip(before, after) if a != b]
    assert changed == ['"ec2:t3.micro"', '"nat-gateway"']  # the NAT's price, confirmed, is re-dated
    assert len(after) == len(before)


def test_cli_dry_run_reports_and_writes_nothing(offer_url):
    before = pricing.PRICES_FILE.read_text()
    result = subprocess.run(
        [sys.executable, "-m", "week5", "prices", "refresh", "--offer-url", offer_url, "--dry-run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "ec2:t3.micro: 0.013 -> 0.0136" in result.stdout
    assert "Dry run: week5/analysis/data/prices.json is unchanged." in result.stdout
    assert pricing.PRICES_FILE.read_text() == before
    assert json.loads(before)["prices"]["ec2:t3.micro"]["usd"] == 0.013
