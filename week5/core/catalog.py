"""The lab catalog: one entry per lab and customer case, each knowing how to build its stack.

The entries themselves live with the stacks (``stacks/catalog.py``); this module holds only the
types, so the library never imports a stack.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Optional, Sequence, Tuple, Union

from week5.core.errors import CourseInputError, shown

#: Template metadata key under which a stack carries its catalog entry, so tools that read the
#: synthesized cloud assembly (``week5 check``) know each lab without importing the stacks.
LAB_METADATA_KEY = "Week5::Lab"

#: The course's ``Lab`` tag values: two labs a day, a Session 4 customer case, a challenge.
LAB_KINDS: Tuple[str, ...] = ("Lab1", "Lab2", "Case", "Challenge")
COURSE_DAYS = range(1, 6)

LAB_ID_RE = re.compile(r"^Day(?P<day>[1-5])(?P<kind>Lab1|Lab2|Case|Challenge)\Z")


class LazyBuild:
    """A lab's ``build`` that imports its stack module only when the lab is built.

    ``LazyBuild("stacks.day1", "Day1Lab1Stack")``: with context ``labs`` (``scripts/cdk deploy
    Day1Lab1``), the app then imports Day 1's constructs only, not every AWS module the course
    uses (about a second of ``cdk synth``; ``bench/synth_time.py`` measures it).
    """

    def __init__(self, module: str, attribute: str) -> None:
        self.module = module
        self.attribute = attribute

    def __call__(self, scope, lab: "Lab", settings):
        return getattr(importlib.import_module(self.module), self.attribute)(scope, lab, settings)

    def __repr__(self) -> str:
        return f"LazyBuild({self.module!r}, {self.attribute!r})"


class UnknownLabError(CourseInputError):
    """A lab id that is not in the catalog; the message lists the ones that are."""


@dataclass(frozen=True)
class Lab:
    """One lab of the course, as the catalog lists it.

    :param lab_id: ``Day<N><Kind>``, e.g. ``Day1Lab1``; also the stack's construct id, so
        ``cdk deploy Day1Lab1`` selects it. Never change it once deployed.
    :param title_ko: the lab's title as the course plan writes it.
    :param title_en: the same in English.
    :param course_cost_usd: the course's own cost figure for one lab hour ("비용: $0.10"),
        ``None`` where the course gives none (the Session 4 customer cases).
    :param build: ``build(scope, lab, settings) -> Stack``.
    """

    lab_id: str
    title_ko: str
    title_en: str
    course_cost_usd: Optional[float]
    build: Callable

    def __post_init__(self) -> None:
        match = LAB_ID_RE.match(self.lab_id)
        if not match:
            raise CourseInputError(
                f"lab id {shown(self.lab_id)} must read Day<1-5><{'|'.join(LAB_KINDS)}>, "
                "e.g. Day1Lab1 or Day4Challenge"
            )
        if self.course_cost_usd is not None and self.course_cost_usd <= 0:
            raise CourseInputError(f"{self.lab_id}: course_cost_usd must be positive or None")

    @property
    def day(self) -> int:
        return int(LAB_ID_RE.match(self.lab_id).group("day"))

    @property
    def kind(self) -> str:
        """The ``Lab`` tag value: ``Lab1``, ``Lab2``, ``Case`` or ``Challenge``."""
        return LAB_ID_RE.match(self.lab_id).group("kind")

    @property
    def day_tag(self) -> str:
        """The ``Day`` tag value: ``Day1`` .. ``Day5``."""
        return f"Day{self.day}"


class Catalog:
    """An ordered, duplicate-free set of labs with a lookup that explains a wrong id."""

    def __init__(self, labs: Iterable[Lab]) -> None:
        self._labs = tuple(labs)
        seen = set()
        for lab in self._labs:
            if lab.lab_id in seen:
                raise CourseInputError(f"lab id {lab.lab_id} is in the catalog twice")
            seen.add(lab.lab_id)

    def __iter__(self) -> Iterator[Lab]:
        return iter(self._labs)

    def __len__(self) -> int:
        return len(self._labs)

    @property
    def ids(self) -> Tuple[str, ...]:
        return tuple(lab.lab_id for lab in self._labs)

    def get(self, lab_id: str) -> Lab:
        for lab in self._labs:
            if lab.lab_id == lab_id:
                return lab
        raise UnknownLabError(unknown_lab_message(lab_id, self.ids))

    def select(self, wanted: Union[None, str, Sequence[str]]) -> "Catalog":
        """The labs named in ``wanted`` (context ``labs``), in catalog order; all when empty.

        ``wanted`` is a comma-separated string (``-c labs=Day1Lab1,Day1Lab2``) or a list.
        An unknown id raises :class:`UnknownLabError` naming the valid ones.
        """
        if wanted is None or wanted == "" or wanted == []:
            return self
        if isinstance(wanted, str):
            ids = [part.strip() for part in wanted.split(",")]
        elif isinstance(wanted, (list, tuple)):
            ids = [str(part).strip() for part in wanted]
        else:
            raise CourseInputError(
                f"context labs must be lab ids separated by commas, e.g. "
                f"-c labs=Day1Lab1,Day1Lab2; got {shown(wanted)}"
            )
        chosen = {self.get(lab_id).lab_id for lab_id in ids if lab_id}
        if not chosen:
            raise CourseInputError(
                f"context labs names no lab ({shown(wanted)}); pass e.g. -c labs=Day1Lab1, "
                "or leave it out to build every lab"
            )
        return Catalog(lab for lab in self._labs if lab.lab_id in chosen)


def unknown_lab_message(lab_id: str, valid: Iterable[str]) -> str:
    valid = list(valid)
    hint = ""
    close = [v for v in valid if v.lower() == str(lab_id).lower()]
    if close:
        hint = f" (did you mean {close[0]}? lab ids are case-sensitive)"
    return f"unknown lab {shown(lab_id)}{hint}; valid labs: {', '.join(valid)}"
