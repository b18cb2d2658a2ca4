"""Week 5 AWS course: reusable CDK constructs and course conventions (region, tags, checks)."""

__version__ = "0.1.0"
