#!/usr/bin/env python3
"""The CDK app: one stack per lab of the Week 5 course (see stacks/catalog.py)."""

import sys

import aws_cdk as cdk

from stacks.catalog import CATALOG
from week5.core.errors import CourseInputError
from week5.synth.app_builder import build_labs

app = cdk.App()
try:
    build_labs(app, CATALOG)
except CourseInputError as error:
    sys.exit(f"week5: {error}")
app.synth()
