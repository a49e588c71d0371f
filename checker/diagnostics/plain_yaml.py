"""The fast path for the common document: plain YAML or JSON — no anchors, aliases, explicit
tags, merge keys, duplicate keys or absurd nesting — built straight from libyaml's events,
with no node graph in between (a 100,000-check manifest's graph alone is ~270 MB).

Anything else returns None, and the composer path in :mod:`checker.diagnostics.located_yaml`
builds it, reporting what is wrong exactly as before.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import yaml
from yaml.events import (
    CollectionStartEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import ScalarNode

from checker.diagnostics.located import KEY_SHIFT, LocatedDocument, Scalar, packed, with_key
from checker.diagnostics.problem import KeyPath

MAX_PLAIN_DEPTH = 64
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"


class _NotPlain(Exception):
    """The document needs the composer path."""


class _Frame:
    __slots__ = ("container", "is_mapping", "key", "key_mark", "path")

    def __init__(self, container: Any, path: KeyPath) -> None:
        self.container = container
        self.is_mapping = isinstance(container, dict)
        self.path = path
        self.key: str | None = None
        self.key_mark: Any = None


def implicit_tag(
    loader: yaml.SafeLoader, first_characters: frozenset[str], event: ScalarEvent
) -> str:
    """The tag YAML 1.1 gives a plain or quoted scalar (int, bool, null, str…)."""
    value = event.value
    if not event.implicit[0] or (value and value[0] not in first_characters):
        return _STR  # quoted, or plain but no implicit type starts with this character
    if len(value) > 5 and value[0].isalpha():
        # Of the implicit types only booleans and nulls start with a letter, and none is
        # longer than "false": an ID such as fa430add… is a string without six regexes.
        return _STR
    digits = value[:1].isdigit() and not value.isdigit()
    if digits and value.isalnum() and value[:2].lower() not in ("0b", "0x"):
        # Digits and letters, not only digits: no int (bar 0b/0x), float (a dot), timestamp
        # (a dash) or sexagesimal (a colon) is written so: an ID such as 3ee66263….
        return _STR
    tag: str = loader.resolve(  # type: ignore[no-untyped-call]
        ScalarNode, value, event.implicit
    )
    return tag


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.loader = yaml.SafeLoader("")
        self.first_characters = frozenset(
            char for char in self.loader.yaml_implicit_resolvers if char is not None
        )
        self.positions: dict[KeyPath, int] = {}
        self.scalars: dict[KeyPath, Scalar] = {}
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.done = False
        self.references = False
        self.nulls = False

    def child_path(self) -> KeyPath:
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            return (*frame.path, len(frame.container))
        assert frame.key is not None
        return (*frame.path, frame.key)

    def place(self, value: Any, path: KeyPath, position: int) -> None:
        """Puts a value at ``path`` (from :meth:`child_path`), which was written at
        ``position`` (packed), under the key the frame holds, if any."""
        if not self.stack:
            self.root, self.done = value, True
            self.positions[path] = position
            return
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            frame.container.append(value)
            self.positions[path] = position
            return
        assert frame.key is not None
        frame.container[frame.key] = value
        self.positions[path] = with_key(position, packed(frame.key_mark))
        frame.key = None

    def scalar(self, event: ScalarEvent) -> None:
        if event.anchor is not None or event.tag not in (None, "!"):
            raise _NotPlain
        frame = self.stack[-1] if self.stack else None
        if frame is not None and frame.is_mapping and frame.key is not None:
            # The common case, inlined (600,000 times in a 100,000-check manifest): a string
            # value under a key. Anything else takes the general path below.
            value = event.value
            if event.tag == "!" or self._resolve(event) == _STR:
                key_mark: Any = frame.key_mark
                mark: Any = event.start_mark
                path = (*frame.path, frame.key)
                if "$" in value:
                    self.references = True
                    self.scalars[path] = Scalar(value, event.style)
                frame.container[frame.key] = value
                self.positions[path] = ((mark.line + 1) << 32 | (mark.column + 1)) | (
                    (key_mark.line + 1) << 32 | (key_mark.column + 1)
                ) << KEY_SHIFT
                frame.key = None
                return
        if frame is not None and isinstance(frame.container, dict) and frame.key is None:
            self.key(frame, event)
            return
        path = self.child_path()
        position = packed(event.start_mark)
        tag = _STR if event.tag == "!" else self._resolve(event)
        if tag == _STR:
            if "$" in event.value:
                self.references = True
                self.scalars[path] = Scalar(event.value, event.style)
            self.place(event.value, path, position)
            return
        self.scalars[path] = Scalar(event.value, event.style)
        start: Any = event.start_mark  # libyaml's marks, read like PyYAML's
        end: Any = event.end_mark
        node = ScalarNode(tag, event.value, start, end, event.style)
        try:
            value = self.loader.construct_object(node, deep=True)
        except Exception:  # the composer path reports it, located
            raise _NotPlain from None
        self.nulls = self.nulls or value is None
        self.place(value, path, position)

    def _resolve(self, event: ScalarEvent) -> str:
        return implicit_tag(self.loader, self.first_characters, event)

    def key(self, frame: _Frame, event: ScalarEvent) -> None:
        if event.value == "<<" and self._resolve(event) == _MERGE:
            raise _NotPlain
        if event.value in frame.container:
            raise _NotPlain  # a duplicate key: reported by the composer path
        # Interned: 100,000 checks repeat the same few keys, each otherwise a string of its own.
        frame.key, frame.key_mark = sys.intern(event.value), event.start_mark

    def start(self, event: CollectionStartEvent, container: Any) -> None:
        if event.anchor is not None or not event.implicit or len(self.stack) >= MAX_PLAIN_DEPTH:
            raise _NotPlain
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.container, dict) and frame.key is None:
            raise _NotPlain  # a mapping or list as a key
        path = self.child_path()
        self.place(container, path, packed(event.start_mark))
        self.stack.append(_Frame(container, path))

    def mapping_start(self, event: MappingStartEvent) -> None:
        self.start(event, {})

    def sequence_start(self, event: SequenceStartEvent) -> None:
        self.start(event, [])

    def end(self, event: Event) -> None:
        self.stack.pop()

    def document_start(self, event: Event) -> None:
        if self.done:
            raise _NotPlain  # a second document: the composer path says so

    def framing(self, event: Event) -> None:
        pass

    def handlers(self) -> dict[type[Event], Callable[[Any], None]]:
        """What each kind of event does, by exact type: one lookup an event, where a chain of
        isinstance tests cost 0.4 s over a 100,000-check manifest's 900,000 events. Other
        kinds (aliases) are not plain."""
        return {
            ScalarEvent: self.scalar,
            MappingStartEvent: self.mapping_start,
            SequenceStartEvent: self.sequence_start,
            MappingEndEvent: self.end,
            SequenceEndEvent: self.end,
            DocumentStartEvent: self.document_start,
            StreamStartEvent: self.framing,
            StreamEndEvent: self.framing,
            DocumentEndEvent: self.framing,
        }


def _not_plain(event: Event) -> None:
    raise _NotPlain


def build_plain(text: str, file: str) -> LocatedDocument | None:
    """The document, if it is plain; None when the composer path must build it."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is None:
        return None
    builder = _Builder(file)
    handle = builder.handlers().get
    try:
        for event in yaml.parse(text, Loader=fast):
            handle(type(event), _not_plain)(event)
    except (_NotPlain, yaml.YAMLError, RecursionError):
        return None
    if not builder.done:
        return LocatedDocument(file, None)
    return LocatedDocument(
        file,
        builder.root,
        builder.positions,
        builder.scalars,
        may_reference=builder.references,
        may_hold_null=builder.nulls,
    )
