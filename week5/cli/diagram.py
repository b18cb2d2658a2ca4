"""``week5 diagram LAB``: draw a lab's architecture from its synthesized template, as text in
the course's box style or as PNG and SVG with AWS icons (:mod:`week5.analysis.diagram`)."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from week5.analysis.diagram import render_picture, render_text
from week5.analysis.topology import extract
from week5.cli.errors import EXIT_OK, EXIT_USAGE, CliError
from week5.cli.synthesis import add_synth_options, synthesized_lab


def register(commands: argparse._SubParsersAction) -> None:
    diagram = commands.add_parser(
        "diagram",
        help="draw a lab's architecture from its synthesized template (text, or PNG and SVG)",
    )
    diagram.add_argument("lab", metavar="LAB", help="lab id, e.g. Day1Lab2")
    diagram.add_argument(
        "--format",
        choices=("text", "picture"),
        default="text",
        help="text: the course's box style (default); picture: PNG and SVG with AWS icons",
    )
    diagram.add_argument(
        "-o", "--output", help="picture: path without extension (default: the lab id, here)"
    )
    add_synth_options(diagram)
    diagram.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Draw one lab's architecture from its synthesized template: text, or PNG and SVG."""
    lab = synthesized_lab(args, quiet=True)
    topology = extract(lab.template)
    title = f"{lab.lab_id}: {lab.title_ko}"
    if args.format == "text":
        print(render_text(topology, title), end="")
        return EXIT_OK
    if shutil.which("dot") is None:
        raise CliError("Graphviz is missing (no `dot`): run scripts/setup, which installs it")
    stem = Path(args.output or lab.lab_id).resolve()
    if stem.suffix in (".png", ".svg"):
        stem = stem.with_suffix("")
    if not stem.parent.is_dir():
        raise CliError(
            f"-o {args.output}: {stem.parent} is not a folder; pass e.g. -o docs/x", EXIT_USAGE
        )
    render_picture(topology, stem, title, formats=("png", "svg"))
    print(f"Wrote {stem}.png and {stem}.svg")
    return EXIT_OK
