"""Expected scores: what a fully performing person at each level shows, on any scale.

The rules (also in the README, "How expectations are derived"), for a track of ``count`` levels
on a scale from ``lo`` to ``hi``:

- **IC competencies** rise in even steps from the bottom of the scale at the first level to the
  top at the last level when the competency is *central* (the more important half of the
  family's competencies by O*NET importance), or to one below the top otherwise: the top of the
  scale is kept for what the top level is known for. A competency the family's occupations need
  at a high O*NET level (LV 4.5 or more, above O*NET's "intermediate" anchor) in jobs that need
  a degree and years of preparation (Job Zone 4-5) starts one point up: new hires bring it. On a
  scale with no more points than the track has levels, every competency reaches the top.
- **People-leadership core**: a new manager starts at the middle of the scale and reaches the
  top by the second-to-last manager level (the last, on a track of three levels or fewer).
- **Family management competencies** (and IC competencies carried onto the manager track) start
  one below the middle (lower where the scale has too few points for the track), never below
  what the branch level expected, and reach the top at the last manager level.
- Values are rounded half up onto the scale, so they never go down a track. At most a quarter of
  the steps of a track are flat (or the fewest the scale allows when it has fewer points than the
  track has levels): where start bumps would exceed that, the least important competencies lose
  theirs.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

HIGH_LEVEL = 4.5  # O*NET LV at or above which new hires bring the competency (Job Zone 4-5)
SENIOR_JOB_ZONE = 3.5
FLAT_SHARE = 0.25

ROLE_IC = "ic"
ROLE_PEOPLE = "people"
ROLE_MANAGER = "manager"


@dataclass(frozen=True, slots=True)
class Shape:
    """What decides one competency's curve on one track."""

    role: str  # ROLE_IC | ROLE_PEOPLE | ROLE_MANAGER
    central: bool = True
    bump: bool = False  # IC only: starts one point up
    floor: int | None = None  # never below this (the branch level's expectation)


def middle(lo: int, hi: int) -> int:
    return lo + math.ceil((hi - lo) / 2)


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def _line(start: float, end: float, steps: int) -> list[float]:
    if steps <= 0:
        return [end]
    return [start + (end - start) * i / steps for i in range(steps + 1)]


def values(shape: Shape, count: int, lo: int, hi: int) -> list[int]:
    """The expected score at each of ``count`` levels, lowest level first."""
    if count <= 0:
        return []
    steps = count - 1
    if shape.role == ROLE_PEOPLE:
        top_at = count - 2 if count >= 4 else steps
        curve = _line(middle(lo, hi), hi, top_at) + [float(hi)] * (steps - top_at)
    elif shape.role == ROLE_MANAGER:
        # one below the middle, lower where the scale has too few points for the track
        start = max(lo, min(middle(lo, hi) - 1, hi - steps))
        if shape.floor is not None:
            start = max(start, shape.floor)
        curve = _line(min(start, hi), hi, steps)
    else:
        room = hi - lo >= steps  # a scale with a point to spare keeps its top for the central
        end = hi if shape.central or not room else hi - 1
        start = min(end, lo + (1 if shape.bump else 0))
        curve = _line(start, end, steps)
    result = [min(hi, max(lo, _round_half_up(v))) for v in curve]
    if shape.floor is not None:
        result = [max(v, min(hi, shape.floor)) for v in result]
    return result


def flat_steps(series: Sequence[Sequence[int]]) -> int:
    return sum(1 for v in series for a, b in itertools.pairwise(v) if a == b)


def allowed_flat_steps(
    roles: Sequence[str],
    count: int,
    lo: int,
    hi: int,
    floors: Sequence[int | None] | None = None,
) -> float:
    """A quarter of a track's steps, or the flat steps its scale and rules force if more.

    A competency is forced flat where its scale has fewer points above its lowest allowed start
    (the bottom; the middle for the people-leadership core; the branch level's expectation for a
    competency on both tracks) than the track has steps.
    """
    steps = max(0, count - 1)
    floors = floors or [None] * len(roles)
    forced = 0
    for role, floor in zip(roles, floors, strict=True):
        start = middle(lo, hi) if role == ROLE_PEOPLE else lo
        if floor is not None:
            start = max(start, floor)
        forced += max(0, steps - (hi - start))
    return max(FLAT_SHARE * steps * len(roles), forced)


def track_values(shapes: Sequence[Shape], count: int, lo: int, hi: int) -> list[list[int]]:
    """Every competency's values on one track (shapes in importance order, most important first).

    Start bumps are dropped from the least important competency up while the track has more
    flat steps than ``allowed_flat_steps``.
    """
    shapes = list(shapes)
    allowed = allowed_flat_steps([s.role for s in shapes], count, lo, hi, [s.floor for s in shapes])
    for index in reversed(range(len(shapes))):
        if flat_steps([values(s, count, lo, hi) for s in shapes]) <= allowed:
            break
        if shapes[index].bump:
            s = shapes[index]
            shapes[index] = Shape(s.role, s.central, False, s.floor)
    return [values(s, count, lo, hi) for s in shapes]
