#!/usr/bin/env python3
"""The CDK app: one stack per lab of the Week 5 course (see stacks/catalog.py)."""

import os
import sys

try:
    # Loading aws-cdk-lib and cdk-nag into jsii's Node takes seconds: Ctrl-C then lands here.
    import aws_cdk as cdk

    from stacks.catalog import CATALOG
    from week5.core.errors import CourseInputError
    from week5.synth.app_builder import build_labs

    app = cdk.App()
    try:
        build_labs(app, CATALOG)
        app.synth()
    except CourseInputError as error:
        sys.exit(f"week5: {error}")
except KeyboardInterrupt:
    # Ctrl-C reaches the app with the CLI: one line under `cdk`'s, not jsii's traceback.
    print("week5: interrupted (Ctrl-C); nothing was synthesized", file=sys.stderr, flush=True)
    # jsii's Node got the same Ctrl-C and is gone: its exit hook's BrokenPipeError and the
    # channel's ECONNRESET would follow this line (a trial: 6 of 25 interrupts).
    sys.stderr = open(os.devnull, "w")
    sys.exit(130)
