"""moto's server lists its own package's folders once, not at every request.

Written against moto 5.2.5, whose server asks, for every request, whether the request's host
names one of moto's service folders, listing the package's folder and stat-ing each of its 200
entries to answer (0.4 ms of CPU a request: half a second over the test suite's 1,400 requests
to the emulator). moto's folders do not change while its server runs: :func:`install` has it
list them once. Delete this module when moto does so itself (tests/test_moto_models.py says
when).
"""

from __future__ import annotations

import functools
from typing import Tuple

from moto import backends

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs it to tell when moto
#: no longer needs this module).
MOTO_OWN = backends.list_of_moto_modules


@functools.lru_cache(maxsize=None)
def list_of_moto_modules() -> Tuple[str, ...]:
    """moto's, listed once."""
    return tuple(MOTO_OWN())


def install() -> None:
    """Patch moto's listing as the module's docstring says (idempotent)."""
    backends.list_of_moto_modules = list_of_moto_modules
