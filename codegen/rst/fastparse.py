"""A faster docutils RST parser for reference pages: the same doctree, less work.

`FastParser` is a `docutils.parsers.rst.Parser` subclass whose trees are those of the
plain parser, node for node, line numbers included. It saves:

1. **State machines.** docutils builds a new nested state machine, and with it an
   instance of each of its ~15 state classes and their transition tables, for every
   bullet list, field list... (`RSTState.nested_list_parse`). Here the state classes
   are private subclasses (same names, so transitions still find them) that take list
   machines from a pool, keyed by initial state, and put them back after the run:
   everything a run reads is set again by the next run (see `_Fast.nested_list_parse`).
   The page's own machine is kept from page to page too.

2. **Repeated items.** boto3 documents a shared structure again wherever it is used,
   so the same bullet item (same text once dedented) comes back many times in a
   service. The nested parse of a list item is cached by its text (`NodeCache`): when
   the text comes back, the item's nodes are rebuilt from the cached ones with `line`
   moved by the offset between the two places and `source` set to the new page. An
   item is cached only when its parse could not have depended on, or left a trace in,
   anything but its own nodes: no system message reported, no document registration
   (ids, names, refnames, footnotes, substitutions, pending transforms, roles), no
   default role, lines from one source, in order.

3. **Simple blocks.** A detached node's block of nothing but paragraphs, literal
   blocks, bullet lists and field lists (most list items, field bodies and the
   method's content) is built without a state machine at all (`fastblocks`).

4. **Plain text.** The inline parser searches every paragraph with its start-string
   pattern, then every run of text between markup with its URI pattern. Text without
   a character that either can start with (`*`, `` ` ``, `_`, `|`, backslash; `:`, `@`)
   goes straight to a Text node, as those searches would have found nothing.

5. **Iterating lines.** `"\\n".join(block)`, which docutils does for every list item,
   field and literal block, goes through a plain StringList one `__getitem__` at a
   time; the page's lines are a StringList subclass that iterates its list directly.
   And the state machines report each line to the document (`notify_observers`) with
   one call less.

All rely on docutils internals (state classes, `nested_list_parse`, `Inliner.parse`,
the steps of `Parser.parse`), so they are on only for the docutils versions they were
checked against (`SUPPORTED`); otherwise `FastParser` is the plain parser.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from itertools import repeat
from typing import Any

import docutils
import docutils.statemachine
from docutils import nodes
from docutils.parsers.rst import Parser, roles, states
from docutils.statemachine import StringList

from codegen.rst import fastblocks

# docutils versions whose internals this module was checked against (0.23.x).
SUPPORTED = ((0, 23),)
AVAILABLE = tuple(docutils.__version_info__[:2]) in SUPPORTED

# The roles registered so far (docutils' `roles._roles`: the same dict all along).
_LOCAL_ROLES: dict[str, Any] = vars(roles).get("_roles", {})

# --- what a parse may have left behind ---------------------------------------------

# Nodes that are registered with the document or the transformer, or are messages.
_UNCACHEABLE = (
    nodes.system_message,
    nodes.problematic,
    nodes.pending,
    nodes.target,
    nodes.footnote,
    nodes.citation,
    nodes.footnote_reference,
    nodes.citation_reference,
    nodes.substitution_definition,
    nodes.substitution_reference,
    nodes.section,
)
_DOC_LISTS = (
    "indirect_targets",
    "autofootnotes",
    "autofootnote_refs",
    "symbol_footnotes",
    "symbol_footnote_refs",
    "footnotes",
    "citations",
    "parse_messages",
    "transform_messages",
    "include_log",
)
_DOC_DICTS = ("substitution_defs", "substitution_names", "names", "ids", "nameids", "nametypes")
_DOC_DICTS_OF_LISTS = ("refnames", "refids", "footnote_refs", "citation_refs")
_DOC_LISTS_AND_DICTS = _DOC_LISTS + _DOC_DICTS


def _fingerprint(document: nodes.document) -> tuple[int, ...]:
    """Sizes of everything the document (and the role registry) records while parsing;
    equal before and after a parse means the parse recorded nothing."""
    d = document.__dict__
    return (
        *[len(d.get(name, ())) for name in _DOC_LISTS_AND_DICTS],
        *[sum(map(len, d.get(name, {}).values())) for name in _DOC_DICTS_OF_LISTS],
        sum(document.id_counter.values()),
        document.autofootnote_start,
        document.symbol_footnote_start,
        len(document.transformer.transforms),
        len(_LOCAL_ROLES),
    )


class _Uncacheable(Exception):
    pass


_ATOMS = (str, int, float, bool, type(None))
_PLAIN_INLINE = (nodes.strong, nodes.emphasis, nodes.literal)
_PLAIN_INLINE_KEYS = {"rawsource", "children", "attributes", "tagname", "parent"}
_NO_ATTRIBUTES = nodes.strong().attributes
_PARENT = {"parent"}
_SKIPPED = frozenset({"parent", "children", "attributes", "line", "source"})
_MAX_SEEN = 500_000

# A cached node is a template of tuples, strings and numbers only (tuples of atoms the
# cycle collector stops tracking once it has seen them, so a large cache costs it little;
# kept marshalled instead, each hit would pay for marshal.loads, each entry for dumps):
# - a Text node holding nothing but its text: the text (str);
# - a Text node with more: (text, ((key, value), ...));
# - else (class index,
#         ((key, value), ...): its __dict__ but parent/children/attributes/line/source,
#         ((name, value, is_list), ...): its attributes,
#         (child template, ...),
#         where the children's lines count from, relative to the node's,
#         its line relative to the cached text's first line, or None,
#         whether it has a source).
Template = Any


class NodeCache:
    """Parsed list items by their text, bounded by the total length of the texts kept
    (least recently used out first): 4M characters by default, about 45 MB of cache,
    as much as helps the largest service (ec2).

    An item is cached the second time it is met (most never come back). An entry is
    the templates of the item's nodes and the machine's end offset relative to the
    item's first line. Templates are never changed once made: an enclosing item's
    template shares those of the items within it.
    """

    def __init__(self, max_chars: int = 4_000_000) -> None:
        self.max_chars = max_chars
        self.items: OrderedDict[str, tuple[tuple[Template, ...], int]] = OrderedDict()
        self.chars = 0
        self._seen: set[int] = set()  # hashes of the texts met once
        self._classes: list[type[nodes.Node]] = []
        self._class_index: dict[type[nodes.Node], int] = {}
        # Items of the current page made into templates (or built from them):
        # id(list_item) → (list_item, templates of its children, its first line offset),
        # for an enclosing item to reuse.
        self._done: dict[int, tuple[nodes.Element, tuple[Template, ...], int]] = {}
        self.messages = 0  # system messages reported so far (see FastParser._parse)
        # Inline nodes by text (see keep_inline), up to max_chars characters of text.
        self.inline: dict[str, tuple[Any, ...]] = {}
        self.inline_chars = 0
        self.inline_hits = 0
        self.hits = 0
        self.misses = 0

    def clear(self) -> None:
        self.items.clear()
        self.chars = 0
        self._seen.clear()
        self.inline.clear()
        self.inline_chars = 0

    def end_page(self) -> None:
        self._done.clear()

    def on_message(self, message: nodes.system_message) -> None:
        self.messages += 1

    def _first_time(self, key: str) -> bool:
        h = hash(key)
        if h in self._seen:
            return False
        if len(self._seen) >= _MAX_SEEN:
            self._seen.clear()
        self._seen.add(h)
        return True

    def _keep(self, key: str, value: tuple[tuple[Template, ...], int]) -> None:
        self.items[key] = value
        self.chars += len(key)
        while self.chars > self.max_chars and self.items:
            old, _ = self.items.popitem(last=False)
            self.chars -= len(old)

    # --- list items -------------------------------------------------------------------

    def parse_item(self, state: _Fast, block: StringList, input_offset: int,
                   node: nodes.Element) -> int:
        """`state.nested_parse(block, input_offset, node)` for a new, detached list item."""
        parse = super(_Fast, state).nested_parse
        items = block.items
        n = len(items)
        if not n or "" in _LOCAL_ROLES:  # (a default role set by the page)
            return int(parse(block, input_offset, node))
        source, first = items[0]
        key = "\n".join(block.data)
        entry = self.items.get(key)
        if entry is None and self._first_time(key):
            self.misses += 1
            return self._parse_new(state, block, input_offset, node)
        # Lines in order from one source, and the machine's offsets in step with them:
        # then every line number in the item's nodes moves with the item.
        if input_offset != first or items != list(zip(repeat(source), range(first, first + n))):
            return int(parse(block, input_offset, node))
        if entry is not None:
            self.hits += 1
            self.items.move_to_end(key)
            templates, end = entry
            build = self._build
            node.children.extend([build(t, node, first, source) for t in templates])
            self._done[id(node)] = (node, templates, first)
            return first + end
        self.misses += 1
        document = state.document
        before = _fingerprint(document)
        messages = self.messages
        offset = self._parse_new(state, block, input_offset, node)
        if (
            len(block) == n
            and self.messages == messages
            and "" not in _LOCAL_ROLES
            and _fingerprint(document) == before
        ):
            try:
                templates = tuple([self._template(c, source, first) for c in node.children])
            except _Uncacheable:
                return offset
            self._keep(key, (templates, offset - first))
            self._done[id(node)] = (node, templates, first)
        return offset

    def _parse_new(self, state: _Fast, block: StringList, input_offset: int,
                   node: nodes.Element) -> int:
        """An item not rebuilt from the cache: without a state machine if fastblocks
        can, else by docutils."""
        offset = fastblocks.parse_block(state, block, input_offset, node, state.nested_parse)
        if offset is None:
            offset = super(_Fast, state).nested_parse(block, input_offset, node)
        return int(offset)

    # --- inline text ------------------------------------------------------------------

    def keep_inline(self, text: str, result: list[nodes.Node]) -> None:
        """Keep what the Inliner made of a text if it is plain text, strong, emphasis
        and inline literals only: nodes that nothing registers and that no role, page
        setting or position could have made otherwise. (A text with a single backquote
        could be interpreted text, whose role a page may define: never kept.)"""
        if "`" in text.replace("``", ""):
            return
        template: list[str | tuple[type[nodes.Node], str, str]] = []
        for node in result:
            cls = type(node)
            if cls is nodes.Text:
                if node.__dict__.keys() - _PARENT:  # (not a plain one)
                    return
                template.append(str(node))
            elif (
                cls in _PLAIN_INLINE
                and isinstance(node, nodes.Element)
                and node.__dict__.keys() <= _PLAIN_INLINE_KEYS
                and node.attributes == _NO_ATTRIBUTES
                and len(node.children) == 1
                and type(node.children[0]) is nodes.Text
                and not node.children[0].__dict__.keys() - _PARENT
            ):
                template.append((cls, node.rawsource, str(node.children[0])))
            else:
                return
        if self.inline_chars > self.max_chars:
            self.inline.clear()
            self.inline_chars = 0
        self.inline[text] = tuple(template)
        self.inline_chars += len(text)

    @staticmethod
    def build_inline(template: tuple[Any, ...]) -> list[nodes.Node]:
        text, element = fastblocks.text_node, fastblocks.element
        return [text(t) if type(t) is str else element(t[0], t[1], [text(t[2])] if t[2] else ())
                for t in template]

    # --- templates --------------------------------------------------------------------

    def _template(self, node: nodes.Node, source: Any, base: int) -> Template:
        """The template of a node just parsed, lines relative to `base`; _Uncacheable
        for a node that must not be replayed (registered with the document, a message,
        from another source...)."""
        cls = type(node)
        d = node.__dict__
        if cls is nodes.Text:
            if len(d) == 1:  # its parent only
                return str(node)
            extra = []
            for k, v in d.items():
                if k == "parent":
                    continue
                if k == "line" or k == "source" or type(v) not in _ATOMS:
                    raise _Uncacheable
                extra.append((k, v))
            return (str(node), tuple(extra))
        if isinstance(node, _UNCACHEABLE) or not isinstance(node, nodes.Element):
            raise _Uncacheable
        index = self._class_index.get(cls)
        if index is None:
            index = self._class_index[cls] = len(self._classes)
            self._classes.append(cls)
        fields: list[tuple[str, Any]] = []
        line = None
        has_source = False
        for k, v in d.items():
            if k in _SKIPPED:
                if k == "line" and v is not None:
                    if type(v) is not int:
                        raise _Uncacheable
                    line = v - base
                elif k == "source" and v is not None:
                    if source is None or v != source:
                        raise _Uncacheable
                    has_source = True
                continue
            if type(v) not in _ATOMS:  # e.g. `_document`, set on registered nodes
                raise _Uncacheable
            fields.append((k, v))
        a = node.attributes
        if a.get("ids") or a.get("names") or "refname" in a or "refid" in a:
            raise _Uncacheable
        attributes: list[tuple[str, Any, bool]] = []
        for k, v in a.items():
            if type(v) is list:
                if v and not all(type(x) in _ATOMS for x in v):
                    raise _Uncacheable
                attributes.append((k, tuple(v), True))
            elif type(v) in _ATOMS:
                attributes.append((k, v, False))
            else:
                raise _Uncacheable
        done = self._done.get(id(node))
        if done is not None and done[0] is node:  # an item within the item
            _, children, first = done
            shift = first - base
        else:
            children = tuple([self._template(c, source, base) for c in node.children])
            shift = 0
        return (index, tuple(fields), tuple(attributes), children, shift, line, has_source)

    def _build(self, t: Template, parent: nodes.Element | None, base: int,
               source: Any) -> nodes.Node:
        """A new node from a template under `parent`: lines from `base`, this source."""
        if type(t) is str:
            text = str.__new__(nodes.Text, t)
            text.parent = parent
            return text
        if len(t) == 2:  # Text with more attributes (`rawsource`)
            text = str.__new__(nodes.Text, t[0])
            text.__dict__.update(t[1])
            text.parent = parent
            return text
        index, fields, attributes, children, shift, line, has_source = t
        node = object.__new__(self._classes[index])
        d = node.__dict__
        d.update(fields)
        d["parent"] = parent
        if line is not None:
            d["line"] = line + base
        if has_source:
            d["source"] = source
        d["attributes"] = {k: list(v) if is_list else v for k, v, is_list in attributes}
        if children:
            base += shift
            build = self._build
            d["children"] = [build(c, node, base, source) for c in children]
        else:
            d["children"] = []
        return node  # type: ignore[no-any-return]


# --- docutils classes --------------------------------------------------------------------


# What inline markup needs: a start-string or reference end (Inliner.patterns.initial)
# or a backslash escape; what a standalone URI needs (Inliner.patterns.uri).
_MAYBE_MARKUP = re.compile(r"[*`_|\\]")
_MAYBE_URI = re.compile(r"[:@]")


def _inliner(cache: NodeCache | None) -> states.Inliner:
    """A docutils Inliner (a new one for each page, as docutils makes: the page's
    `init_customizations` adds to its `implicit_dispatch`) that skips its pattern
    searches on text that none of them can match, and takes the nodes of text met
    before from the cache (`NodeCache.keep_inline`). (The methods are replaced on the
    instance: a subclass would not do, as `init_customizations` reads its patterns from
    `vars(self.__class__)`.)"""
    inliner = states.Inliner()
    parse = inliner.parse
    implicit_inline = inliner.implicit_inline

    def fast_parse(text: str, lineno: int, memo: Any,
                   parent: nodes.Element) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        if _MAYBE_MARKUP.search(text):
            dispatch = inliner.implicit_dispatch
            if (cache is None or "" in _LOCAL_ROLES or len(dispatch) != 1
                    or dispatch[0][0] is not inliner.patterns.uri):
                return parse(text, lineno, memo, parent)
            known = cache.inline.get(text)
            if known is not None:  # what Inliner.parse sets, then its nodes
                cache.inline_hits += 1
                inliner.document = memo.document
                inliner.language = memo.language
                inliner.reporter = inliner.document.reporter
                inliner.parent = parent
                return cache.build_inline(known), []
            result, messages = parse(text, lineno, memo, parent)
            if not messages:
                cache.keep_inline(text, result)
            return result, messages
        # Inliner.parse when its `initial` pattern finds nothing: escape2null(text)
        # is the text itself (no backslash).
        inliner.document = memo.document
        inliner.language = memo.language
        inliner.reporter = inliner.document.reporter
        inliner.parent = parent
        return list[nodes.Node](inliner.implicit_inline(text, lineno)), []

    def fast_implicit_inline(text: str, lineno: int) -> list[nodes.Text]:
        dispatch = inliner.implicit_dispatch
        if (
            text
            and len(dispatch) == 1
            and dispatch[0][0] is inliner.patterns.uri
            and not _MAYBE_URI.search(text)
        ):
            return [nodes.Text(text)]
        return implicit_inline(text, lineno)

    inliner.parse = fast_parse  # type: ignore[method-assign]
    inliner.implicit_inline = fast_implicit_inline  # type: ignore[method-assign]
    return inliner


class _Lines(StringList):
    """The page's lines (and, sliced, every block of them), iterated over their list
    directly rather than one `__getitem__` at a time."""

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def get_indented(self, start: int = 0, until_blank: bool = False,
                     strip_indent: bool = True, block_indent: int | None = None,
                     first_indent: int | None = None) -> tuple[StringList, int, bool]:
        # StringList.get_indented (0.23) with its loop's lookups hoisted.
        indent = block_indent
        end = start
        if block_indent is not None and first_indent is None:
            first_indent = block_indent
        if first_indent is not None:
            end += 1
        data = self.data
        last = len(data)
        blank_finish = True  # (the block ends at the end of the lines)
        if block_indent and not until_blank:
            # The loop below when nothing but its ending is to be found; a line
            # starting with `block_indent` spaces is one it would go past.
            pad = " " * block_indent
            while end < last:
                line = data[end]
                if line and not line.startswith(pad) and (
                        line[0] != " " or line[:block_indent].strip()):
                    blank_finish = (end > start) and not data[end - 1].strip()
                    break
                end += 1
            last = end
        while end < last:
            line = data[end]
            if line and (line[0] != " "
                         or (block_indent is not None and line[:block_indent].strip())):
                # Line not indented or insufficiently indented.
                # Block finished properly iff the last indented line blank:
                blank_finish = (end > start) and not data[end - 1].strip()
                break
            stripped = line.lstrip()
            if not stripped:  # blank line
                if until_blank:
                    blank_finish = True
                    break
            elif block_indent is None:
                line_indent = len(line) - len(stripped)
                if indent is None or line_indent < indent:
                    indent = line_indent
            end += 1
        block = self[start:end]
        if first_indent is not None and block:
            block.data[0] = block.data[0][first_indent:]
        if indent and strip_indent:
            block.trim_left(indent, start=(first_indent is not None))
        return block, indent or 0, blank_finish


class _Machine:
    """StateMachine methods run on every line, tightened (same behaviour, docutils
    0.23): `next_line` and `notify_observers` with ViewList.__getitem__ and .info
    inlined, `check_line` with its lookups hoisted out of the loop."""

    observers: list[Callable[..., None]]
    input_lines: Any
    line_offset: int
    line: str | None
    debug: bool

    def next_line(self, n: int = 1) -> str:
        self.line_offset += n
        try:
            line: str = self.input_lines.data[self.line_offset]
            self.line = line
        except IndexError:
            self.line = None
            self.notify_observers()
            raise EOFError from None
        self.notify_observers()
        return line

    def notify_observers(self) -> None:
        i = self.line_offset
        lines = self.input_lines
        info: tuple[Any, Any]
        try:
            info = lines.items[i]
        except IndexError:
            try:
                info = (lines.items[i - 1][0], None) if i == len(lines.data) else (None, None)
            except IndexError:
                info = (None, None)
        for observer in self.observers:
            observer(*info)

    def check_line(self, context: Any, state: Any, transitions: Any = None) -> Any:
        if self.debug:
            return super().check_line(context, state, transitions)  # type: ignore[misc]
        if transitions is None:
            transitions = state.transition_order
        table = state.transitions
        line = self.line
        for name in transitions:
            pattern, method, next_state = table[name]
            match = pattern.match(line)
            if match:
                return method(match, context, next_state)
        return state.no_match(context, transitions)


class _TopStateMachine(_Machine, states.RSTStateMachine):
    pass


class _NestedStateMachine(_Machine, states.NestedStateMachine):
    """Also runs `runtime_init` of its states once per document, not once per run (it
    only copies the document's memo into them)."""

    _memo_seen: Any = None

    def runtime_init(self) -> None:
        if self._memo_seen is not self.memo:
            super().runtime_init()
            self._memo_seen = self.memo


class _Fast(states.RSTState):
    """Mixed into each RST state class (see `_state_classes`)."""

    nested_sm = _NestedStateMachine
    _state_classes: tuple[type[states.RSTState], ...] = ()
    _list_pool: dict[str, list[states.NestedStateMachine]] = {}
    _node_cache: NodeCache | None = None

    def __init__(self, state_machine: states.RSTStateMachine, debug: bool = False) -> None:
        super().__init__(state_machine, debug)
        # RSTState.__init__ points nested parses at docutils' own state classes.
        self.nested_sm_kwargs = {"state_classes": self._state_classes, "initial_state": "Body"}
        self.indent_sm_kwargs = self.known_indent_sm_kwargs = self.nested_sm_kwargs

    def nested_parse(self, block: StringList, input_offset: int,
                     node: nodes.Element | None = None, match_titles: bool = False,
                     state_machine_class: Any = None, state_machine_kwargs: Any = None) -> int:
        if (
            node is not None
            and not match_titles
            and state_machine_class is None
            and state_machine_kwargs is None
        ):
            cache = self._node_cache
            if (cache is not None and type(node) is nodes.list_item and not node.children
                    and node.parent is None):
                return cache.parse_item(self, block, input_offset, node)
            if node.document is None:  # a detached node: a list item, a field body...
                offset = fastblocks.parse_block(self, block, input_offset, node, self.nested_parse)
                if offset is not None:
                    return offset
        return int(super().nested_parse(block, input_offset, node, match_titles,
                                        state_machine_class, state_machine_kwargs))

    def nested_list_parse(self, block: StringList, input_offset: int,
                          node: nodes.Element, initial_state: str, blank_finish: bool,
                          blank_finish_state: str | None = None,
                          extra_settings: dict[str, Any] = {},  # noqa: B006 (as docutils)
                          match_titles: bool = False, state_machine_class: Any = None,
                          state_machine_kwargs: Any = None) -> tuple[int, bool]:
        if match_titles or state_machine_class is not None or state_machine_kwargs is not None:
            result: tuple[int, bool] = super().nested_list_parse(
                block, input_offset, node, initial_state, blank_finish, blank_finish_state,
                extra_settings, match_titles, state_machine_class, state_machine_kwargs)
            return result
        # RSTState.nested_list_parse with a machine from the pool. A run sets the
        # machine's input, position, current state, node and memo; the states keep only
        # `blank_finish` (set here before the run) and the `extra_settings` (its caller,
        # `Body.enumerator`, always passes the same keys).
        pool = self._list_pool.setdefault(initial_state, [])
        if pool:
            machine = pool.pop()
        else:
            kwargs = dict(self.nested_sm_kwargs, initial_state=initial_state)
            machine = self.nested_sm(debug=self.debug, parent_state_machine=self.state_machine,
                                     **kwargs)
        machine.parent_state_machine = self.state_machine
        if blank_finish_state is None:
            blank_finish_state = initial_state
        machine_states: dict[str, Any] = machine.states
        machine_states[blank_finish_state].blank_finish = blank_finish
        for key, value in extra_settings.items():
            setattr(machine_states[initial_state], key, value)
        machine.run(block, input_offset, memo=self.memo, node=node, match_titles=match_titles)
        blank_finish = machine_states[blank_finish_state].blank_finish
        offset = machine.abs_line_offset()
        pool.append(machine)  # (not if the run raised: a half-run machine is dropped)
        return offset, blank_finish


def _state_classes(cache: NodeCache | None) -> tuple[type[states.RSTState], ...]:
    """Private subclasses of docutils' RST state classes (same names), sharing one
    machine pool and node cache."""
    shared: dict[str, Any] = {
        "_list_pool": {},
        "nested_sm_cache": [],  # RSTState.nested_parse's cache, private to this parser
        "_node_cache": cache,
    }
    classes = tuple(
        type(base.__name__, (_Fast, base), dict(shared, __module__=__name__))
        for base in states.state_classes
    )
    for cls in classes:
        cls._state_classes = classes  # type: ignore[attr-defined]
    return classes


class FastParser(Parser):
    """The RST parser with reused state machines and (optionally) cached nodes of
    repeated text. With `fast=False`, or on a docutils version not in SUPPORTED, it is
    the plain docutils parser.

    `serious_messages` counts the level >= 3 system messages reported by the last parse
    (none: no need to look for them in the tree).
    """

    def __init__(self, fast: bool = True, cache: bool = True,
                 max_cache_chars: int = 4_000_000) -> None:
        super().__init__()
        self.fast = fast and AVAILABLE
        self.cache = NodeCache(max_cache_chars) if self.fast and cache else None
        if self.fast:
            self.state_classes = _state_classes(self.cache)
        self._machine: states.RSTStateMachine | None = None
        self._busy = False
        self.serious_messages = 0

    def _count_serious(self, message: nodes.system_message) -> None:
        if message["level"] >= 3:
            self.serious_messages += 1

    def parse(self, inputstring: str, document: nodes.document) -> None:
        self.serious_messages = 0
        document.reporter.attach_observer(self._count_serious)
        try:
            if self.fast:
                self._parse(inputstring, document)
            else:
                super().parse(inputstring, document)
        finally:
            document.reporter.detach_observer(self._count_serious)


    def _parse(self, inputstring: str, document: nodes.document) -> None:
        # docutils.parsers.rst.Parser.parse (0.23), with the page's machine reused, the
        # lines in a _Lines and the messages counted for the cache.
        cache = self.cache
        if cache is not None:
            document.reporter.attach_observer(cache.on_message)
        self.setup_parse(inputstring, document)
        self.document.settings.setdefault("tab_width", 8)
        self.document.settings.setdefault("syntax_highlight", "long")
        reuse = not self._busy  # (a new machine if parse is re-entered)
        machine = self._machine if reuse else None
        if machine is None or machine.debug != document.reporter.debug_flag:
            machine = _TopStateMachine(
                state_classes=self.state_classes,
                initial_state=self.initial_state,
                debug=document.reporter.debug_flag,
            )
            if reuse:
                self._machine = machine
        self.statemachine = machine
        inputlines = docutils.statemachine.string2lines(
            inputstring, tab_width=document.settings.tab_width, convert_whitespace=True
        )
        self._busy = True
        try:
            for i, line in enumerate(inputlines):
                if len(line) > self.document.settings.line_length_limit:
                    error = self.document.reporter.error(
                        "Line %d exceeds the line-length-limit." % (i + 1)
                    )
                    self.document.append(error)
                    break
            else:
                lines = _Lines(inputlines, source=document["source"])
                machine.run(lines, document, inliner=_inliner(cache))
        finally:
            if reuse:
                self._busy = False
            if cache is not None:
                document.reporter.detach_observer(cache.on_message)
                cache.end_page()
        if "" in _LOCAL_ROLES:
            del _LOCAL_ROLES[""]
        self.finish_parse()
