"""ElastiCache's ``DescribeServerlessCaches`` for moto's server: an empty list.

Written against moto 5.2.5, which has no ElastiCache Serverless model at all (no call creates
one), so the only true answer it can give is "none". Without the call, every ``week5 cleanup``
on the emulator, which looks for serverless caches a student made in the console, made moto's
server log a NotImplementedError traceback for the request. :func:`install` adds the call to
moto's ElastiCache responses. Delete this module when moto has the call
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

from moto.core.responses import ActionResult
from moto.elasticache.responses import ElastiCacheResponse

#: The method moto's dispatch calls for the action (its name, in snake case).
ACTION = "describe_serverless_caches"
#: moto's own method for the action, None while it lacks one (read before :func:`install`).
MOTO_OWN = vars(ElastiCacheResponse).get(ACTION)


def describe_serverless_caches(self: ElastiCacheResponse) -> ActionResult:
    return ActionResult({"ServerlessCaches": []})


def install() -> None:
    """Add the call to moto's ElastiCache responses (idempotent)."""
    setattr(ElastiCacheResponse, ACTION, describe_serverless_caches)
