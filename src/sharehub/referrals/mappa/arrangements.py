"""The MAPPA categories and levels (``arrangements.toml``), loaded strictly, and
the level review clock.

Categories and levels are data with their citations: a further category is
enabled, or a review interval changed, by editing the file, never the code.
The file is checked as it is read (each category and level once, levels 1 to
3, an interval only with its citation), so a mistake stops the hub instead of
producing wrong dates later.
"""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import msgspec

from sharehub.calendar import is_working_day

DEFAULT_FILE = Path(__file__).with_name("arrangements.toml")
LEVELS = (1, 2, 3)


class ArrangementsFileError(RuntimeError):
    """The arrangements file is missing, malformed or inconsistent."""


class Category(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    number: Annotated[int, msgspec.Meta(ge=1, le=9)]
    name: str
    citation: str
    enabled: bool
    unsettled: bool = False
    note: str | None = None


class Level(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    number: int
    name: str
    citation: str
    # The longest a case may go between level reviews (None: no MAPP meeting review).
    review_weeks: Annotated[int, msgspec.Meta(ge=1, le=104)] | None = None
    review_citation: str | None = None


class Arrangements(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    version: str
    categories: tuple[Category, ...]
    levels: tuple[Level, ...]

    def category(self, number: int) -> Category | None:
        """An enabled category, or None."""
        return next((c for c in self.categories if c.number == number and c.enabled), None)

    def any_category(self, number: int) -> Category | None:
        """A category enabled or not (a referral made in it stays readable)."""
        return next((c for c in self.categories if c.number == number), None)

    def level(self, number: int) -> Level:
        return next(level for level in self.levels if level.number == number)

    @property
    def enabled_categories(self) -> list[int]:
        return [c.number for c in self.categories if c.enabled]


def _check(arrangements: Arrangements) -> None:
    numbers = [c.number for c in arrangements.categories]
    if len(numbers) != len(set(numbers)):
        raise ArrangementsFileError("two categories share a number")
    if not arrangements.enabled_categories:
        raise ArrangementsFileError("no category is enabled")
    if sorted(level.number for level in arrangements.levels) != list(LEVELS):
        raise ArrangementsFileError("the levels are 1, 2 and 3, each once")
    for level in arrangements.levels:
        if (level.review_weeks is None) != (level.review_citation is None):
            raise ArrangementsFileError(
                f"level {level.number}: a review interval comes with its citation, and only then"
            )


def load_arrangements(path: Path = DEFAULT_FILE) -> Arrangements:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        arrangements = msgspec.convert(raw, Arrangements)
    except (OSError, tomllib.TOMLDecodeError, msgspec.ValidationError) as exc:
        raise ArrangementsFileError(f"{path.name}: {exc}") from None
    _check(arrangements)
    return arrangements


@lru_cache(maxsize=1)
def default_arrangements() -> Arrangements:
    return load_arrangements()


def next_review(decided_on: date, level: Level) -> date | None:
    """When the level must next be reviewed, counted from the decision.

    The guidance sets the longest interval ("at least every 16 weeks"), so a
    date that falls on a weekend or bank holiday comes forward to the working
    day before it, never after. Level 1 has no MAPP meeting review: None.
    """
    if level.review_weeks is None:
        return None
    due = decided_on + timedelta(weeks=level.review_weeks)
    while not is_working_day(due):
        due -= timedelta(days=1)
    return due
