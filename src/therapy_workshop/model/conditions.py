"""A tiny expression language for scenario conditions such as ``confidence >= 2 and not warned``.

Content is data and is never executed: conditions are tokenised and parsed here into a small tree that
can only compare whole numbers held in declared variables. Names, whole numbers, ``== != < <= > >=``,
``and``, ``or``, ``not`` and parentheses are all there is; anything else (a quote, a dot, a call) is a
syntax error, so ``__import__('os')`` or ``x.y`` cannot even be parsed.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

_TOKEN = re.compile(r"\s*(?:(?P<number>\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>==|!=|<=|>=|<|>|\(|\)|-))")
KEYWORDS = frozenset({"and", "or", "not"})
COMPARISONS: dict[str, Callable[[int, int], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class ConditionError(ValueError):
    """A condition that cannot be read; the message says where and what was expected."""


@dataclass(frozen=True)
class Token:
    """One piece of a condition: a number, a name, an operator; ``position`` counts from 1."""

    kind: str
    text: str
    position: int


@dataclass(frozen=True)
class Number:
    """A whole number."""

    value: int


@dataclass(frozen=True)
class Name:
    """A scenario variable."""

    name: str


@dataclass(frozen=True)
class Compare:
    """``left <op> right``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Not:
    """``not operand``."""

    operand: Node


@dataclass(frozen=True)
class BoolOp:
    """``left and right`` or ``left or right``."""

    op: str
    left: Node
    right: Node


Node = Number | Name | Compare | Not | BoolOp


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; any character outside the language is an error."""
    tokens = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            offset = position + len(text[position:]) - len(text[position:].lstrip())
            raise ConditionError(f"unexpected character {text[offset]!r} at position {offset + 1}")
        kind = match.lastgroup or "op"
        start = match.start(kind)
        tokens.append(Token(kind, match.group(kind), start + 1))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise ConditionError("the condition ends too early")
        self.index += 1
        return token

    def is_word(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "name" and token.text == word

    def parse(self) -> Node:
        if not self.tokens:
            raise ConditionError("the condition is empty")
        node = self.or_expression()
        token = self.peek()
        if token is not None:
            raise ConditionError(f"unexpected {token.text!r} at position {token.position}")
        return node

    def or_expression(self) -> Node:
        node = self.and_expression()
        while self.is_word("or"):
            self.take()
            node = BoolOp("or", node, self.and_expression())
        return node

    def and_expression(self) -> Node:
        node = self.not_expression()
        while self.is_word("and"):
            self.take()
            node = BoolOp("and", node, self.not_expression())
        return node

    def not_expression(self) -> Node:
        if self.is_word("not"):
            self.take()
            return Not(self.not_expression())
        return self.comparison()

    def comparison(self) -> Node:
        left = self.operand()
        token = self.peek()
        if token is not None and token.kind == "op" and token.text in COMPARISONS:
            self.take()
            return Compare(token.text, left, self.operand())
        return left

    def operand(self) -> Node:
        token = self.take()
        if token.kind == "number":
            return Number(int(token.text))
        if token.text == "-":
            number = self.take()
            if number.kind != "number":
                raise ConditionError(f"expected a number after '-' at position {number.position}")
            return Number(-int(number.text))
        if token.kind == "name":
            if token.text in KEYWORDS:
                raise ConditionError(f"expected a name or number at position {token.position}, found {token.text!r}")
            return Name(token.text)
        if token.text == "(":
            node = self.or_expression()
            closing = self.take()
            if closing.text != ")":
                raise ConditionError(f"expected ')' at position {closing.position}")
            return node
        raise ConditionError(f"unexpected {token.text!r} at position {token.position}")


@dataclass(frozen=True)
class Condition:
    """A parsed condition: the names it uses and a way to evaluate it against variable values."""

    source: str
    tree: Node

    @property
    def names(self) -> frozenset[str]:
        """Variables the condition reads."""
        return _names(self.tree)

    def evaluate(self, values: Mapping[str, int]) -> bool:
        """True if the condition holds; a name without a value is an error, not a silent zero."""
        return bool(_evaluate(self.tree, values))


def parse_condition(text: str) -> Condition:
    """Parse ``text``; raise :class:`ConditionError` with a plain message if it is not a condition."""
    return Condition(text, _Parser(text).parse())


def _names(node: Node) -> frozenset[str]:
    if isinstance(node, Name):
        return frozenset({node.name})
    if isinstance(node, Number):
        return frozenset()
    if isinstance(node, Not):
        return _names(node.operand)
    return _names(node.left) | _names(node.right)


def _evaluate(node: Node, values: Mapping[str, int]) -> int | bool:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Name):
        if node.name not in values:
            raise ConditionError(f"{node.name!r} is not a declared variable")
        return values[node.name]
    if isinstance(node, Not):
        return not _evaluate(node.operand, values)
    if isinstance(node, Compare):
        return COMPARISONS[node.op](int(_evaluate(node.left, values)), int(_evaluate(node.right, values)))
    if node.op == "and":
        return bool(_evaluate(node.left, values)) and bool(_evaluate(node.right, values))
    return bool(_evaluate(node.left, values)) or bool(_evaluate(node.right, values))
