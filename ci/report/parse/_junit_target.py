"""The fast reader of :func:`.junit.parse_junit`: an lxml parser target, so no tree at all.

libxml2 parses and calls :class:`CaseTarget` back for each start and end tag, with the
attributes as a dict; text goes, at C speed, onto a list. A ``<testcase>`` without
children (nearly all of them) is counted from that dict alone: no element is built, none
is cleared, nothing is pruned. The events inside a case with children are recorded and,
when the case ends, either counted as a plain skip (a lone ``<skipped>``) or built into
a :class:`._junit_case.Node` for :func:`._junit_case.read_case`, the reading the tree
readers do. As the parser does not resolve entities, it passes an ``&`` in an attribute
value as ``&#38;`` (a tree builder would decode it): once the file has shown an ``&``,
attribute values are decoded here.

Some files stop this reader (:class:`TreeNeededError`) to be read again as a tree, where
they behave differently: a ``<testcase>`` inside another one (the tree reader's clearing
and pruning decide what the outer case holds); elements nested more than
:data:`MAX_DEPTH` deep (libxml2 refuses a tree deeper than 2048); a file of
:data:`TREE_BYTES` or more (libxml2 refuses a text node in a tree beyond 1 GB).
"""

from __future__ import annotations

from pathlib import Path

from ci.report.parse._junit_case import Key, Node
from ci.report.parse._junit_input import CHUNK_BYTES, target_parser
from ci.report.parse._junit_tally import BATCH, Tally

__all__ = ["MAX_DEPTH", "TREE_BYTES", "CaseTarget", "TreeNeededError", "build_case", "read_fast"]

#: Elements nested deeper than this are left to the tree reader.
MAX_DEPTH = 1024
#: Files this big are left to the tree reader.
TREE_BYTES = 1_000_000_000

#: A case's only child that it can be counted from without being built.
_LONE = {"skipped": 3, "failure": 1, "error": 2}

#: Inside a case: a start tag and its attributes, an end tag (no attributes), or text.
_Event = tuple[str, dict[str, str] | None] | str


class TreeNeededError(Exception):
    """The file must be read as a tree: a case in a case, or very deep nesting."""


class CaseTarget(Tally):
    """A :class:`Tally` that is its own parser target: libxml2 hands it each tag."""

    def __init__(self, *, ids: bool = False) -> None:
        super().__init__(ids=ids)
        self._texts: list[str] = []
        self.data = self._texts.append  # the parser passes each piece of text here
        self._clear = self._texts.clear
        self._pass = self.pass_attributes
        self._case: dict[str, str] | None = None  # the attributes of the open case
        self._inner: list[_Event] | None = None  # the events inside it, once it has a child
        self._outer = 0  # how many elements (suites) are open around the case
        self._depth = 0  # of the open element below the case
        self._children = 0  # of the open case
        self.escaped = False  # whether attribute values may hold "&#38;" for "&"

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """A start tag: a case opens, or an element inside the open one."""
        if self._case is None:
            if tag == "testcase":
                self._case = attrib
                return
            self._outer += 1
            if self._outer > MAX_DEPTH:
                raise TreeNeededError
            return
        if tag == "testcase" or self._outer + self._depth >= MAX_DEPTH:
            raise TreeNeededError
        inner = self._inner
        if inner is None:  # the first child (the case's own text is not read: dropped)
            self._inner = [(tag, attrib)]
            self._clear()
            self._depth = self._children = 1
            return
        texts = self._texts
        if texts:
            inner.append("".join(texts))
            texts.clear()
        if not self._depth:
            self._children += 1
        self._depth += 1
        inner.append((tag, attrib))

    def end(self, tag: str) -> None:
        """An end tag: of an element inside the open case, of the case, or of a suite."""
        attrib = self._case
        if attrib is None:
            self._outer -= 1
            return
        if self._inner is not None:
            self._end_inner(tag, attrib, self._inner)
            return
        self._case = None
        if self.statuses is not False:
            self._finish(attrib, [])
            return
        # A plain pass, the bulk of any file: queued as its attributes, counted by batch.
        self._pass(attrib)
        self.seen += 1
        if not self.seen % BATCH:
            self._next_batch()

    def _next_batch(self) -> None:
        """Also drop the text seen between cases (whitespace, mostly)."""
        super()._next_batch()
        self._clear()

    def pass_keys(self, passes: list[dict[str, str]]) -> tuple[list[Key], list[str | None]]:
        """As :meth:`Tally.pass_keys`, the values as a tree holds them."""
        keys, times = super().pass_keys(passes)
        if self.escaped:
            return list(map(_unescape_key, keys)), list(map(_unescape, times))
        return keys, times

    def _end_inner(self, tag: str, attrib: dict[str, str], inner: list[_Event]) -> None:
        """The end of an element inside the open case, or of a case with children."""
        texts = self._texts
        if texts:
            inner.append("".join(texts))
            texts.clear()
        if self._depth:
            self._depth -= 1
            inner.append((tag, None))
            return
        self._case = self._inner = None
        self._finish(attrib, inner)

    def _finish(self, attrib: dict[str, str], inner: list[_Event]) -> None:
        """Count a case with children, or any case while ``statuses`` is undecided or true.

        A lone ``<skipped>`` is a plain skip; a lone ``<failure>`` or ``<error>``, once the
        failures read in full are enough (:meth:`Tally.detailed`), is counted from its
        ``message`` alone, as :func:`._junit_case.read_case` would then read it.
        """
        if self.statuses is None:
            self.statuses = "status" in attrib
        children, self._children = self._children, 0
        first = inner[0][0] if children == 1 else None
        failing = first is not None and first != "skipped"
        if self.statuses or (children and first not in _LONE) or (failing and self.detailed()):
            self.read(build_case(attrib, inner, escaped=self.escaped))
            return
        get = attrib.get
        key = (get("file", ""), get("classname", ""), get("name", ""))
        time = get("time")
        if self.escaped:
            key, time = _unescape_key(key), _unescape(time)
        if first is None or not failing:
            self.plain(key, time, skipped=first is not None)
            return
        line, message = get("line"), inner[0][1].get("message", "")  # type: ignore[union-attr]
        if self.escaped:
            line, message = _unescape(line), message.replace("&#38;", "&")
        self.failed(key, time, line=line, outcome=_LONE[first], message=message)

    def close(self) -> None:
        """The parser is done (or failed): nothing to return."""


def read_fast(path: Path, *, ids: bool = False) -> CaseTarget:
    """Count every case of a file (raises :class:`TreeNeededError` for some files)."""
    target = CaseTarget(ids=ids)
    parser = target_parser(path, target)
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            target.escaped = target.escaped or b"&" in chunk  # in any encoding check_head lets in
            parser.feed(chunk)
    parser.close()
    return target


def _unescape(value: str | None) -> str | None:
    """An attribute value as a tree holds it."""
    return value.replace("&#38;", "&") if value else value


def _unescape_key(key: Key) -> Key:
    """An id as a tree holds it."""
    file, classname, name = key
    return (file.replace("&#38;", "&"), classname.replace("&#38;", "&"), name.replace("&#38;", "&"))


def _new(tag: str, attrib: dict[str, str], *, escaped: bool) -> Node:
    """A node, its attribute values as a tree holds them."""
    if escaped:
        attrib = {name: value.replace("&#38;", "&") for name, value in attrib.items()}
    return Node(tag, attrib)


def build_case(attrib: dict[str, str], inner: list[_Event], *, escaped: bool = False) -> Node:
    """The ``<testcase>`` of ``attrib`` with the recorded events as its content."""
    case = _new("testcase", attrib, escaped=escaped)
    stack = [case]
    for event in inner:
        if isinstance(event, str):
            node = stack[-1]
            if not node.children:  # else a tail, which read_case does not use
                node.text = event
        elif event[1] is None:
            stack.pop()
        else:
            child = _new(event[0], event[1], escaped=escaped)
            stack[-1].children.append(child)
            stack.append(child)
    return case
