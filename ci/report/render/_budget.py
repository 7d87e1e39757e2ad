"""Fit a report's parts into a channel's budget, most important first.

A report is a sequence of :class:`Part` values in display order. A part is a few fixed
blocks (a heading, a paragraph) and a list of entries (failures, table rows), each entry
with an optional detail (a traceback) that is dropped before the entry itself. The
allocator fills the budget in tiers, each tier over the parts in display order:

1. every part's fixed blocks, and room for its "… and N more" note (kept even when
   nothing is cut: a few hundred characters of slack, for a packer that never overshoots);
2. the first ``lead`` entries of each part (its most important ones; a part with
   ``lead_tier=1``, such as the trend charts, takes them one tier later);
3. those entries' details;
4. every other entry, in order;
5. every other detail, in order.

A list is cut at its first entry that does not fit (never a later, shorter one), so what
is left out is always the tail, and the part says how much and where to find it. Budgets
are measured by a caller-given function: UTF-16 code units for GitHub's character limits,
UTF-8 bytes for the job summary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Budget", "Entry", "Part", "cut_note", "pack", "utf8_bytes", "utf16_units"]

#: The tiers after the lead ones: every other entry, then every other detail.
_REST_ENTRIES = 2
_REST_DETAILS = 3
_TIERS = range(_REST_DETAILS + 1)


def utf16_units(text: str) -> int:
    """Length in UTF-16 code units: never less than ``len()``, whichever way GitHub counts."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def utf8_bytes(text: str) -> int:
    """Length in UTF-8 bytes (the job summary's limit is in bytes)."""
    return len(text.encode("utf-8", "surrogatepass"))


@dataclass(frozen=True, kw_only=True, slots=True)
class Entry:
    """One line of a list or row of a table, with a detail that goes first when space is short."""

    text: str
    #: Renders the detail appended to ``text`` (a traceback block); None when there is none.
    detail: Callable[[], str] | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Part:
    """A section: fixed blocks, then entries (glued by ``prefix``/``suffix``), then a cut note."""

    #: Blocks shown whenever the part is (headings, paragraphs), separated by blank lines.
    head: tuple[str, ...] = ()
    entries: tuple[Entry, ...] = ()
    #: Text before the first entry, on the line above it (a table's header rows).
    prefix: str = ""
    #: Between two entries.
    sep: str = "\n"
    #: A block after the entries, when any is shown (a closing ``</details>``).
    suffix: str = ""
    #: How many entries count as the part's most important ones.
    lead: int = 10
    #: The tier of the lead entries: 0, or 1 for nice-to-have parts such as charts.
    lead_tier: Literal[0, 1] = 0
    #: What the entries are called in the cut note ("" for none: "… and 3 more").
    noun: str = ""
    #: What the details are called in the cut note.
    detail_noun: str = "tracebacks"


@dataclass(frozen=True, kw_only=True, slots=True)
class Budget:
    """How much a channel holds, how it is measured, and where the whole report is."""

    #: The limit, in ``measure`` units; None for no limit.
    limit: int | None = None
    #: Where a reader finds what was left out ("the job summary").
    where: str = "the full report"
    measure: Callable[[str], int] = field(default=len)


def cut_note(left: int, details: int, *, where: str, noun: str = "", detail_noun: str = "") -> str:
    """``… and 12 more, see <where>``, naming what ``noun`` left out and left-out details."""
    more = f"… and {left:,} more{' ' + noun if noun else ''}"
    if left and details:
        return f"{more} ({details:,} {detail_noun} left out), see {where}"
    if left:
        return f"{more}, see {where}"
    return f"… {details:,} {detail_noun} left out, see {where}"


@dataclass(kw_only=True, slots=True)
class _State:
    """How much of one part the packer took: always the first ``shown`` entries."""

    part: Part
    placed: bool = False
    shown: int = 0
    #: The texts of the details taken, by entry index.
    details: dict[int, str] = field(default_factory=dict)
    entries_cut: bool = False
    details_cut: bool = False

    def render(self, budget: Budget) -> str:
        """The part as it was packed, with its cut note when anything was left out."""
        part = self.part
        blocks = list(part.head)
        if self.shown:
            texts = [
                e.text + self.details.get(i, "") for i, e in enumerate(part.entries[: self.shown])
            ]
            body = part.sep.join(texts).rstrip("\n")
            blocks.append(f"{part.prefix}\n{body}" if part.prefix else body)
            blocks += [part.suffix] if part.suffix else []
        left = len(part.entries) - self.shown
        missing = sum(
            e.detail is not None and i not in self.details
            for i, e in enumerate(part.entries[: self.shown])
        )
        if left or missing:
            note = cut_note(
                left, missing, where=budget.where, noun=part.noun, detail_noun=part.detail_noun
            )
            blocks.append(note)
        return "\n\n".join(blocks)


class _Packer:
    """One packing: the running total and the state of every part."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.used = 1  # the final newline

    def take(self, cost: int) -> bool:
        """Count ``cost`` in if it fits."""
        limit = self.budget.limit
        if limit is not None and self.used + cost > limit:
            return False
        self.used += cost
        return True

    def place(self, state: _State) -> None:
        """The part's fixed blocks and room for its cut note (worst case), if they fit."""
        part = state.part
        measure = self.budget.measure
        cost = 2 + sum(2 + measure(block) for block in part.head)
        if part.entries:
            details = sum(entry.detail is not None for entry in part.entries)
            note = cut_note(
                len(part.entries),
                details,
                where=self.budget.where,
                noun=part.noun,
                detail_noun=part.detail_noun,
            )
            cost += 2 + measure(note)
        state.placed = bool(part.head or part.entries) and self.take(cost)

    def entries(self, state: _State, indices: range) -> None:
        """Take the entries at ``indices`` in order, up to the first that does not fit."""
        part, measure = state.part, self.budget.measure
        for index in indices:
            if not state.placed or state.entries_cut:
                return
            cost = measure(part.entries[index].text)
            if index == 0:
                cost += (
                    2 + measure(part.prefix) + 1 + (2 + measure(part.suffix) if part.suffix else 0)
                )
            else:
                cost += measure(part.sep)
            if self.take(cost):
                state.shown = index + 1
            else:
                state.entries_cut = True

    def details(self, state: _State, indices: range) -> None:
        """Take the details of the shown entries at ``indices``, up to the first that does not fit."""
        for index in indices:
            detail = state.part.entries[index].detail
            if index >= state.shown or state.details_cut:
                return
            if detail is None:
                continue
            text = detail()
            if self.take(self.budget.measure(text)):
                state.details[index] = text
            else:
                state.details_cut = True


def _at(part: Part, tier: int, *, lead: int, rest: int) -> range:
    """The entry indices of ``part`` handled at ``tier``: its lead, or the rest, or none."""
    count = min(part.lead, len(part.entries))
    if tier == lead:
        return range(count)
    if tier == rest:
        return range(count, len(part.entries))
    return range(0)


def pack(parts: Sequence[Part], budget: Budget) -> str:
    """The parts as one Markdown text within ``budget``, cut by priority (see the module)."""
    packer = _Packer(budget)
    states = [_State(part=part) for part in parts]
    for state in states:
        packer.place(state)
    for tier in _TIERS:
        for state in states:
            lead_tier = state.part.lead_tier
            packer.entries(state, _at(state.part, tier, lead=lead_tier, rest=_REST_ENTRIES))
            packer.details(state, _at(state.part, tier, lead=lead_tier + 1, rest=_REST_DETAILS))
    texts = [state.render(budget) for state in states if state.placed]
    return "\n\n".join(text for text in texts if text) + "\n"
