"""`week5 cleanup`: delete what a course day left in a region, by its tags, in dependency order.

The course's cleanup script (cleanup-day.sh) lists eight steps and writes two. This is all of
them: it finds every resource tagged ``Week=Week5`` and ``Day=<day>`` (and ``Student=<name>``
when given) and deletes it, dependents first, because students click their labs together by
hand and ``cdk destroy`` cannot clean what a stack did not make. Without ``apply`` it only
lists, with what each thing costs an hour.

It never changes a resource without those tags. Where a tagged resource is tied to one
without them (an internet gateway attached to an untagged VPC, a route table associated with
an untagged subnet, an Elastic IP on an untagged instance), both are left and the pair is
reported, and so is whatever waits on the tagged one, and whatever the left one needs to keep
working (a left subnet's route table and the gateways it routes through: deleting them would
break the untagged instance in it). A tagged CloudFormation stack is deleted
as a whole, and what it created goes with it, never one by one; a stack one of whose resources
is so tied (an untagged instance in its subnet) is left whole, reported with that resource and
the other one. Every list call is paged.

A deletion that fails on a dependency (an instance still shutting down holds its security
group; a NAT gateway being deleted holds its Elastic IP) is retried in later rounds with
bounded waits; what still fails is reported with the reason.

- :mod:`.scope`: what counts as the day's (its tags), one found resource, paged reads;
- :mod:`.compute`, :mod:`.network`, :mod:`.interfaces`, :mod:`.services`, :mod:`.console`,
  :mod:`.stacks`: the finders, one per resource kind, each with its deletion and its ties;
- :mod:`.ties`: the region's EC2 network, read once, and what the finders share to tell ties;
- :mod:`.finder`: all of them, in deletion order, stacks folded in, ties followed;
- :mod:`.deleter`: the deletion rounds and their report.

``week5 cleanup`` (:mod:`week5.cli.cleanup`) prints the listing and the report.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Set

from week5.core.settings import parse_student
from week5.operations.cleanup.deleter import DEFAULT_WAITS, RETRYABLE, Report, delete_in_order
from week5.operations.cleanup.finder import DELETION_ORDER, find
from week5.operations.cleanup.scope import (
    ALL_DAYS,
    Found,
    Scope,
    course_days,
    parse_day,
    whose,
)
from week5.operations.price_table import PriceTable

__all__ = [
    "ALL_DAYS",
    "DEFAULT_WAITS",
    "DELETION_ORDER",
    "RETRYABLE",
    "Cleaner",
    "Found",
    "Report",
    "Scope",
    "parse_day",
]


class Cleaner:
    """Finds and deletes one day's course resources in one region, or every day's (``day``
    :data:`~.scope.ALL_DAYS`: each day found by its own tags, as a run of that day finds it,
    and all deleted in one run: one round of waits, one report, each resource with its day,
    ``Found.day``). A resource tied to what another day's scope found to delete (a Day1
    subnet a Day2 instance runs in) is not left for it, as a run of its day leaves it: the run
    deletes both, that one first (``Found.needs``), whatever their days' order.

    ``clients(service)`` returns a boto3 client (a session's ``client`` method). What is found
    is priced with the project's price table (``week5/analysis/data/prices.json``).
    """

    def __init__(
        self,
        clients: Callable[[str], Any],
        *,
        region: str,
        day: str,
        student: Optional[str] = None,
        waits: Iterable[float] = DEFAULT_WAITS,
        sleep: Callable[[float], None] = time.sleep,
        prices: Optional[PriceTable] = None,
    ) -> None:
        day = parse_day(day)
        student = None if student is None else parse_student(student)
        prices = prices or PriceTable()
        made: Dict[Any, Any] = {}  # the clients, made once for all the days
        self.scopes = [
            Scope(clients, region, each, student, prices, _made=made)
            for each in (course_days() if day == ALL_DAYS else [day])
        ]
        #: The day's scope (with ``--day all``, the first day's).
        self.scope = self.scopes[0]
        self.all_days = day == ALL_DAYS
        self.waits = tuple(waits)
        self.sleep = sleep

    @property
    def label(self) -> str:
        """What "ours" means, for a message: ``Day1/kim``, or ``Day1-Day5/kim`` for every day."""
        if not self.all_days:
            return self.scope.label
        days = [s.day for s in self.scopes]
        return f"{days[0]}-{days[-1]}" + (f"/{self.scope.student}" if self.scope.student else "")

    def find(self) -> List[Found]:
        """Every tagged resource of the day (and student), dependents first; those to be
        left carry the reason (``Found.held``). Reads the account afresh each time. Every day's:
        one day's after another, each day's in its order; then what needs another day's
        resource gone first is moved after it (:func:`_dependents_first`). A day with a
        resource left is found again, once the others are, with what they found to delete
        (``Scope.elsewhere``): a tie to one of those is none. Again while that frees more."""
        by_day: Dict[str, List[Found]] = {}
        for scope in self.scopes:
            scope.elsewhere = frozenset()
            scope.forget()
            by_day[scope.day] = find(scope)
        for _ in self.scopes[1:]:  # each pass frees at least one more day's, or ends
            freed = False
            for scope in self.scopes:
                elsewhere = frozenset(
                    i for s in self.scopes if s is not scope for i in _to_delete(s, by_day[s.day])
                )
                held = [item for item in by_day[scope.day] if item.held]
                if not held or elsewhere == scope.elsewhere:
                    continue
                scope.elsewhere = elsewhere
                scope.forget()
                by_day[scope.day] = find(scope)
                freed |= len([i for i in by_day[scope.day] if i.held]) < len(held)
            if not freed:
                break
        return _dependents_first([item for s in self.scopes for item in by_day[s.day]])

    @property
    def warnings(self) -> List[str]:
        """What the last :meth:`find` could not check, one line each (once, however many days
        could not check it)."""
        return list(dict.fromkeys(line for scope in self.scopes for line in scope.warnings))

    def apply(
        self, found: Optional[List[Found]] = None, say: Callable[[str], None] = print
    ) -> Report:
        """Delete ``found`` (default: what :meth:`find` finds) in order, retrying what fails on
        a dependency after each wait of ``waits``. What is left on purpose is reported in
        ``Report.left``, untouched. A run over every student's resources (no ``student``)
        begins each line ``say`` is given about one with whose it is (:func:`~.scope.whose`)."""
        return delete_in_order(
            self.find() if found is None else found,
            self.waits,
            self.sleep,
            say,
            Found.done if self.scope.student else lambda item: f"{whose(item)} {item.done()}",
        )


def _to_delete(scope: Scope, found: List[Found]) -> Set[str]:
    """The ids of what ``found`` (``scope``'s) deletes: each one not left, and each resource
    folded into a stack not left (it goes with the stack)."""
    ids = {i for item in found if not item.held for i in (item.id, *item.refs) if i}
    folded = scope.cached("folded", dict)
    return ids | {i for i, (_, stack) in folded.items() if not stack.held}


def _dependents_first(found: List[Found]) -> List[Found]:
    """``found`` in its order, but each one after what it needs gone first (``Found.needs``,
    a resource of another day's with ``--day all``); each day's own order already is so."""
    by_id = {i: item for item in found for i in (item.id, *item.refs) if i}
    placed: Set[int] = set()
    ordered: List[Found] = []

    def place(item: Found, path: Set[int]) -> None:
        if id(item) in placed or id(item) in path:
            return
        for need in item.needs:
            first = by_id.get(need)
            if first is not None and first is not item:
                place(first, path | {id(item)})
        placed.add(id(item))
        ordered.append(item)

    for item in found:
        place(item, set())
    return ordered
