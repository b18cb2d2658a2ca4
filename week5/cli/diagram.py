"""``week5 diagram LAB``: draw a lab's architecture from its synthesized template, as text in
the course's box style or as PNG and SVG with AWS icons (:mod:`week5.analysis.diagram`)."""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
from pathlib import Path
from typing import Optional

from week5.analysis.diagram import render_picture, render_text
from week5.analysis.topology import extract
from week5.cli.arguments import command_parser
from week5.cli.errors import EXIT_OK, EXIT_USAGE, CliError, has_control_character
from week5.cli.synthesis import add_synth_options, synthesized_lab
from week5.core.settings import shown


def register(commands: argparse._SubParsersAction) -> None:
    diagram = command_parser(
        commands,
        "diagram",
        help="draw a lab's architecture from its synthesized template (text, or PNG and SVG)",
    )
    diagram.add_argument(
        "lab", metavar="LAB", help="lab id, e.g. Day1Lab2 (with -c students=kim,lee, one "
        "student's copy: Day1Lab2-kim)"
    )  # fmt: skip
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
    if args.format == "picture":
        stem = picture_stem(args)  # before synthesizing: nothing spent on a picture not drawn
    elif args.output is not None:
        raise CliError(
            f"-o {shown(args.output, PATH_SHOWN)}: -o is for --format picture", EXIT_USAGE
        )
    lab = synthesized_lab(args, quiet=True)
    topology = extract(lab.template)
    title = f"{lab.lab_id}: {lab.title_ko}"
    if args.format == "text":
        print(render_text(topology, title), end="")
        return EXIT_OK
    stem = stem or Path(lab.lab_id).resolve()
    try:
        render_picture(topology, stem, title, formats=("png", "svg"))
    except OSError as error:  # a folder that takes no files (/proc), a full or read-only disk
        where = shown(str(error.filename or stem), PATH_SHOWN)
        raise CliError(
            f"cannot write {where} ({error.strerror or error}); pass -o a path in a folder "
            "you can write to, e.g. -o docs/x",
            EXIT_USAGE,
        ) from None
    print(f"Wrote {stem}.png and {stem}.svg")
    return EXIT_OK


def picture_stem(args: argparse.Namespace) -> Optional[Path]:
    """Where ``--format picture`` writes (None: the lab id, here), once what drawing needs is
    there. The student set-up installs neither the ``diagrams`` package nor Graphviz (the
    contributors' scripts/setup does): text needs neither."""
    if importlib.util.find_spec("diagrams") is None:
        raise CliError(
            "--format picture needs the diagrams package and Graphviz, which scripts/setup "
            "installs (the student set-up does not); drop --format picture for the text diagram",
            EXIT_USAGE,
        )
    if shutil.which("dot") is None:
        raise CliError(
            "--format picture needs Graphviz (no `dot` on PATH): run scripts/setup, or install "
            "the graphviz package; drop --format picture for the text diagram",
            EXIT_USAGE,
        )
    if args.output is None:
        return None
    given = shown(args.output, PATH_SHOWN)
    name = Path(args.output).name
    too_long = len(f"{name}.png".encode("utf-8")) > _NAME_MAX
    if too_long or has_control_character(args.output):
        raise CliError(f"-o {given}: not a usable file name; pass e.g. -o docs/x", EXIT_USAGE)
    try:
        blank, folder = not args.output.strip(), args.output.endswith(("/", "\\"))
        if blank or folder or Path(args.output).is_dir():
            raise CliError(
                f"-o {given}: give a file path without extension (it writes .png and .svg "
                "beside it), e.g. -o docs/x",
                EXIT_USAGE,
            )
        stem = Path(args.output).resolve()
        problem = ""
        if not stem.parent.is_dir():
            problem = "is not a folder" if stem.parent.exists() else "does not exist"
            problem += "; make it first, or pass e.g. -o docs/x"
        elif not os.access(stem.parent, os.W_OK):
            problem = "cannot be written to; pass -o a path in a folder you can write to"
    except OSError as error:  # e.g. a folder name too long for the file system
        raise CliError(f"-o {given}: not a usable path ({error.strerror})", EXIT_USAGE) from None
    if problem:
        raise CliError(
            f"-o {given}: {shown(str(stem.parent), PATH_SHOWN)} {problem}",
            EXIT_USAGE,
        )
    if stem.suffix in (".png", ".svg"):
        stem = stem.with_suffix("")
    taken = [f"{stem}.{fmt}" for fmt in ("png", "svg") if Path(f"{stem}.{fmt}").is_dir()]
    if taken:  # it wrote the PNG, then failed on the SVG with a traceback
        raise CliError(
            f"-o {given}: {shown(taken[0], PATH_SHOWN)} is a folder; pass another path",
            EXIT_USAGE,
        )
    return stem


#: The longest file name most file systems take (ext4, APFS, NTFS: 255).
_NAME_MAX = 255
#: How much of a path an error quotes.
PATH_SHOWN = 160

