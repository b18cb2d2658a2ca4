"""`week5 prices refresh` fed offer files it must not trust: the wrong shape stops it with one
line naming the file (exit 2, nothing written); a price that is not a finite number >= 0 keeps
the old figure and is reported; and the table's writer can never write NaN."""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from week5.analysis import pricing
from week5.cli import main
from week5.operations import price_refresh

ROOT = Path(__file__).resolve().parent.parent
OFFER = json.loads((ROOT / "tests" / "fixtures" / "offers" / "AmazonEC2.json").read_text())
T3 = "SKU-T3MICRO-LINUX"
T3_TERM = f"{T3}.JRTCKXETXF"
T3_RATE = f"{T3_TERM}.6YS6EN2CT7"


def _t3_dimension(offer):
    return offer["terms"]["OnDemand"][T3][T3_TERM]["priceDimensions"][T3_RATE]


def _set(path, value):
    """A change to the recorded offer file: ``value`` put at ``path`` (keys from the top)."""

    def change(offer):
        *parents, last = path
        for key in parents:
            offer = offer[key]
        offer[last] = value

    return change


def _drop(path):
    def change(offer):
        *parents, last = path
        for key in parents:
            offer = offer[key]
        del offer[last]

    return change


DIMENSION = ("terms", "OnDemand", T3, T3_TERM, "priceDimensions", T3_RATE)

#: (what the AmazonEC2 offer file holds, what the one line says is wrong)
WRONG_SHAPES = {
    "a list": ("[]", "AmazonEC2.json is a JSON list, not an offer file"),
    "a string": ('"offers"', "AmazonEC2.json is a JSON string, not an offer file"),
    "null": ("null", "AmazonEC2.json is JSON null, not an offer file"),
    "an empty object": (
        "{}",
        "AmazonEC2.json is not an offer file: it has no publicationDate, products, terms",
    ),
    "not JSON": ('{"products": ', "AmazonEC2.json is not JSON"),
    "no terms": (_drop(("terms",)), "AmazonEC2.json is not an offer file: it has no terms"),
    "no OnDemand": (
        _drop(("terms", "OnDemand")),
        "AmazonEC2.json is not an offer file: it has no terms.OnDemand",
    ),
    "a date that is not one": (
        _set(("publicationDate",), 20261101),
        "AmazonEC2.json: publicationDate 20261101 is not a date",
    ),
    "products a list": (
        _set(("products",), []),
        "AmazonEC2.json: products is a JSON list, not an object",
    ),
    "a product a string": (
        _set(("products", T3), "x"),
        f'AmazonEC2.json: products["{T3}"] is a JSON string, not an object',
    ),
    "attributes a list": (
        _set(("products", T3, "attributes"), ["APN2-BoxUsage:t3.micro"]),
        f'AmazonEC2.json: products["{T3}"].attributes is a JSON list, not an object',
    ),
    "terms a list": (_set(("terms",), []), "AmazonEC2.json: terms is a JSON list"),
    "a SKU's terms a list": (
        _set(("terms", "OnDemand", T3), []),
        f'AmazonEC2.json: terms.OnDemand["{T3}"] is a JSON list, not an object',
    ),
    "priceDimensions a list": (
        _set(("terms", "OnDemand", T3, T3_TERM, "priceDimensions"), []),
        f'terms.OnDemand["{T3}"]["{T3_TERM}"].priceDimensions is a JSON list, not an object',
    ),
    "no pricePerUnit": (
        _drop(DIMENSION + ("pricePerUnit",)),
        f'.priceDimensions["{T3_RATE}"] has no pricePerUnit',
    ),
    "pricePerUnit a string": (
        _set(DIMENSION + ("pricePerUnit",), "0.0136"),
        f'.priceDimensions["{T3_RATE}"].pricePerUnit is a JSON string, not an object',
    ),
}


def _offer_folder(tmp_path: Path, content) -> str:
    """A folder with an AmazonEC2 offer file (``content``: its text, or a change to the recorded
    one); the other services' files are missing (unreachable, so kept). Returns the URL."""
    folder = tmp_path / "offers"
    folder.mkdir()
    if callable(content):
        offer = copy.deepcopy(OFFER)
        content(offer)
        content = json.dumps(offer)
    (folder / "AmazonEC2.json").write_text(content)
    return f"file://{folder}/{{service}}.json"


@pytest.fixture
def no_writes(monkeypatch):
    """prices.json as it is; the test fails if the refresh tries to write it."""
    before = pricing.PRICES_FILE.read_text()
    written = []
    monkeypatch.setattr(price_refresh, "write_prices", lambda *args, **kw: written.append(args))
    yield written
    assert pricing.PRICES_FILE.read_text() == before


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "write"])
@pytest.mark.parametrize("shape", list(WRONG_SHAPES))
def test_an_offer_file_of_the_wrong_shape_is_one_line_exit_2_and_nothing_written(
    shape, dry_run, tmp_path, capsys, no_writes
):
    content, problem = WRONG_SHAPES[shape]
    url = _offer_folder(tmp_path, content)
    argv = ["prices", "refresh", "--offer-url", url] + (["--dry-run"] if dry_run else [])
    code = main(argv)
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if not line.startswith("==>")]
    assert code == 2, err
    assert len(lines) == 1 and "Traceback" not in err, err
    (line,) = lines
    assert line.startswith(f"week5: --offer-url {url!r}: "), line
    file_url = url.format(service="AmazonEC2")
    assert f"{file_url.rsplit('/', 1)[0]}/" in line and problem in line, line
    assert line.endswith("; week5/analysis/data/prices.json is unchanged"), line
    assert out == ""  # no report: nothing of a wrong-shaped file is taken
    assert no_writes == []


def test_the_trial_s_command_line_a_json_list(tmp_path):
    """As the trial ran it: a new process, every offer file `[]`."""
    folder = tmp_path / "o2"
    folder.mkdir()
    for service in ("AmazonEC2", "AWSELB", "AmazonRDS"):
        (folder / f"{service}.json").write_text("[]")
    before = pricing.PRICES_FILE.read_text()
    result = subprocess.run(
        [sys.executable, "-m", "week5", "prices", "refresh", "--dry-run",
         "--offer-url", f"file://{folder}/{{service}}.json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    lines = [x for x in result.stderr.splitlines() if not x.startswith("==>")]
    assert lines == [
        f"week5: --offer-url 'file://{folder}/{{service}}.json': file://{folder}/AWSELB.json "
        "is a JSON list, not an offer file (an object with publicationDate, products and "
        "terms); check the URL, or leave --offer-url out for the Price List API; "
        "week5/analysis/data/prices.json is unchanged"
    ]
    assert result.stdout == ""
    assert pricing.PRICES_FILE.read_text() == before


def test_a_wrong_shape_from_another_fetcher_names_the_service():
    """refresh() checks what any fetcher returns, not only the URL fetcher's."""
    with pytest.raises(price_refresh.OfferError, match="^the AWSELB offer file is a JSON list"):
        price_refresh.refresh(pricing.load_prices(), lambda service: [])


def test_the_price_list_api_sending_the_wrong_shape_is_not_called_unreachable(
    monkeypatch, capsys, no_writes
):
    """The default URL (no --offer-url) read, but not an offer file: not "check the network"."""
    monkeypatch.setattr(price_refresh, "url_fetcher", lambda template: lambda service: [])
    assert main(["prices", "refresh"]) == 2
    lines = [x for x in capsys.readouterr().err.splitlines() if not x.startswith("==>")]
    assert lines == [
        "week5: the AWS Price List bulk API (https://pricing.us-east-1.amazonaws.com/offers/v1.0/"
        "aws/...) sent what is not an offer file: the AWSELB offer file is a JSON list, not an "
        "offer file (an object with publicationDate, products and terms); try again later, or "
        "pass --offer-url with a copy, e.g. file:///tmp/offers/{service}.json; "
        "week5/analysis/data/prices.json is unchanged"
    ]
    assert no_writes == []


#: Prices no table may hold, as the offer file gives them (a string, or a bare JSON number).
NOT_PRICES = ['"nan"', '"NaN"', '"inf"', '"-Infinity"', '"-5"', '"1e999"', '"abc"', '""',
              "NaN", "Infinity", "-0.5", "null", "true", '["0.0136"]',
              # float() takes these; the Price List writes ASCII decimals (a re-trial)
              '"\uff11\uff12"', '"1_0"', '" 0.02 "']  # fmt: skip


def _offer_with_t3_price(tmp_path: Path, price_json: str) -> str:
    offer = copy.deepcopy(OFFER)
    _t3_dimension(offer)["pricePerUnit"]["USD"] = "PLACEHOLDER"
    text = json.dumps(offer).replace('"PLACEHOLDER"', price_json)
    return _offer_folder(tmp_path, text)


@pytest.mark.parametrize("price", NOT_PRICES)
def test_a_price_that_is_not_a_finite_number_at_least_0_keeps_the_old_figure(price, tmp_path):
    url = _offer_with_t3_price(tmp_path, price)
    prices = pricing.load_prices()
    updated, report = price_refresh.refresh(prices, price_refresh.url_fetcher(url))
    assert updated["prices"]["ec2:t3.micro"] == prices["prices"]["ec2:t3.micro"]
    (line,) = [x for x in report if x.startswith("ec2:t3.micro: ")]
    assert line.startswith("ec2:t3.micro: kept 0.013 ("), line
    # (no double negative for a missing price: "no USD price is not a finite number")
    assert line.endswith(
        "(no USD price in AmazonEC2 2026-11-01)" if price == "null"
        else "is not a decimal number >= 0 in AmazonEC2 2026-11-01)"
    ), line
    # The rest of the file is still read: the NAT gateway's price is confirmed and re-dated.
    assert "nat-gateway: unchanged (AmazonEC2 2026-11-01)" in report


def test_the_kept_line_shows_the_offending_price(tmp_path):
    url = _offer_with_t3_price(tmp_path, '"nan"')
    _, report = price_refresh.refresh(pricing.load_prices(), price_refresh.url_fetcher(url))
    assert (
        'ec2:t3.micro: kept 0.013 (price "nan" is not a decimal number >= 0 in AmazonEC2 '
        "2026-11-01)"
    ) in report


def test_a_zero_price_is_a_price(tmp_path):
    url = _offer_with_t3_price(tmp_path, '"0.0000000000"')
    updated, report = price_refresh.refresh(pricing.load_prices(), price_refresh.url_fetcher(url))
    assert updated["prices"]["ec2:t3.micro"]["usd"] == 0.0
    assert "ec2:t3.micro: 0.013 -> 0.0 (AmazonEC2 2026-11-01)" in report


def test_the_cli_writes_the_old_figure_and_says_it_was_kept(tmp_path, monkeypatch, capsys):
    """Not a dry run: the written table is strict JSON and keeps t3.micro's 0.013."""
    url = _offer_with_t3_price(tmp_path, '"nan"')
    target = tmp_path / "prices.json"
    write = price_refresh.write_prices
    monkeypatch.setattr(price_refresh, "write_prices", lambda table: write(table, target))
    assert main(["prices", "refresh", "--offer-url", url]) == 0
    out = capsys.readouterr().out
    assert '  ec2:t3.micro: kept 0.013 (price "nan" is not a decimal number >= 0' in out

    def no_constant(name):
        raise AssertionError(f"{name} written to prices.json")

    table = json.loads(target.read_text(), parse_constant=no_constant)
    assert table["prices"]["ec2:t3.micro"]["usd"] == 0.013


@pytest.mark.parametrize("figure", [math.nan, math.inf, -math.inf])
def test_the_table_writer_never_writes_nan(figure, tmp_path):
    prices = pricing.load_prices()
    prices["prices"]["ec2:t3.micro"]["usd"] = figure
    target = tmp_path / "prices.json"
    target.write_text("the table before\n")
    with pytest.raises(ValueError):
        price_refresh.write_prices(prices, target)
    assert target.read_text() == "the table before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prices.json"]  # no partial file


def test_a_very_long_offer_url_is_shown_cut(tmp_path, capsys):
    """A 10,000-character --offer-url was printed whole, twice (a 20 KB error line)."""
    url = f"file://{tmp_path}/{'x' * 10000}/{{service}}.json"
    assert main(["prices", "refresh", "--dry-run", "--offer-url", url]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(len(line) < 800 for line in err), [len(x) for x in err]
    assert err[1].startswith("week5: --offer-url 'file://")


@pytest.mark.parametrize("date", ["2026-99-99xyz", "2026-13-01", "2026-11-01 later"])
def test_a_publication_date_that_is_no_date_is_the_wrong_shape(date):
    """A re-trial: "2026-99-99xyz" passed a prefix match and was recorded as 2026-99-99."""
    offer = copy.deepcopy(OFFER)
    offer["publicationDate"] = date
    with pytest.raises(price_refresh.OfferError, match="is not a date"):
        price_refresh.check_offer(offer, "the offer")


def test_each_offer_file_read_is_checked_once(tmp_path, monkeypatch):
    """EC2's offer file is hundreds of MB: the shape walk ran twice on it (in the URL fetcher
    and in refresh); once now, still naming the file's URL."""
    walks = []
    real = price_refresh.check_offer
    monkeypatch.setattr(price_refresh, "check_offer", lambda o, w: (walks.append(w), real(o, w)))
    url = _offer_folder(tmp_path, lambda offer: None)  # AmazonEC2 only: the rest unreachable
    price_refresh.refresh(pricing.load_prices(), price_refresh.url_fetcher(url))
    assert walks == [url.format(service="AmazonEC2")]
