"""The formula language: safe, exact expressions for tariff components, taxes,
penalties and distribution keys.

A formula is text such as ``tier(consumption, [10, 1.50], [None, 2.10]) * 1.05``.
``compile_formula`` parses it once with an LALR grammar (lark), checks every name,
function, argument count and type, and turns it into one Python function (see
``_Compiler``); ``Formula.evaluate`` runs it many times over different variables,
which must be finite Decimals.

What the language has, and nothing more:

* numbers, read from their text straight into ``Decimal`` (``12``, ``0.075``);
* ``+ - * /`` and unary minus, in exact decimal arithmetic (34 significant digits,
  the IEEE 754 decimal128 precision; division by zero is an error, never infinity);
* comparisons ``< <= > >= == !=`` (one per comparison, no chains) and
  ``and``, ``or``, ``not`` on their results;
* the functions ``if(cond, a, b)`` (only the chosen branch is evaluated), ``min``,
  ``max``, ``abs``, ``round(x, places)`` (half away from zero, ROUND_HALF_UP),
  ``tier(q, [limit1, price1], ..., [None, priceN])`` and ``lookup("table", key)``;
* named variables that the caller declares (``consumption``, ``days``, ``area``...).

There is no attribute access, no indexing, no import, no loop and no call to anything
but the functions above, so a formula always ends and touches nothing but its inputs.
Its text is at most ``MAX_LENGTH`` characters and its tree at most ``MAX_DEPTH``
levels deep.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from enum import Enum
from itertools import repeat
from typing import Any, NoReturn, cast

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput

MAX_LENGTH = 2000
MAX_DEPTH = 40
# round(x, places): enough for prices quoted to the 1/10,000 of a cent and more.
MAX_ROUND_PLACES = 12
MIN_ROUND_PLACES = -6
# A formula gives an amount or a unit price; invoice lines store prices with 12
# digits before the point, so a result is below 10^12 in size.
MAX_RESULT = Decimal(10) ** 12

# decimal128: 34 significant digits; every operation that would lose a digit of an
# integer part or divide by zero stops the formula instead of giving a wrong number.
FORMULA_CONTEXT = Context(
    prec=34,
    rounding=ROUND_HALF_EVEN,
    Emax=999_999,
    Emin=-999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

FUNCTIONS = ("abs", "if", "lookup", "max", "min", "round", "tier")

_GRAMMAR = r"""
?start: or_expr

?or_expr: and_expr
        | or_expr "or" and_expr -> or_op
?and_expr: not_expr
         | and_expr "and" not_expr -> and_op
?not_expr: comparison
         | "not" not_expr -> not_op
?comparison: sum
           | sum COMP_OP sum -> compare
?sum: product
    | sum ADD_OP product -> binop
?product: unary
        | product MUL_OP unary -> binop
?unary: atom
      | "-" unary -> neg
      | "+" unary
?atom: NUMBER -> number
     | STRING -> string
     | "None" -> none
     | NAME -> var
     | NAME "(" [arg ("," arg)*] ")" -> call
     | "[" arg ("," arg)* "]" -> pair
     | "(" or_expr ")"
?arg: or_expr

COMP_OP: "<=" | ">=" | "==" | "!=" | "<" | ">"
ADD_OP: "+" | "-"
MUL_OP: "*" | "/"
NUMBER: /[0-9]+(\.[0-9]*)?|\.[0-9]+/
STRING: /"[^"\\\n]{0,200}"/ | /'[^'\\\n]{0,200}'/
NAME: /[A-Za-z_][A-Za-z0-9_]*/

%ignore /[ \t\r\n]+/
"""

_PARSER = Lark(
    _GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False
)

# What the parser's terminal names mean to a person reading an error, in the order
# an error lists them; keywords and signs quoted as they are typed.
_TERMINAL_WORDS = {
    "NUMBER": "a number",
    "NAME": "a name",
    "STRING": "a quoted text",
    "NONE": "'None'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "MINUS": "'-'",
    "PLUS": "'+'",
    "ADD_OP": "'+' or '-'",
    "MUL_OP": "'*' or '/'",
    "COMP_OP": "a comparison",
    "NOT": "'not'",
    "AND": "'and'",
    "OR": "'or'",
    "$END": "the end of the formula",
}
_TERMINAL_ORDER = {name: index for index, name in enumerate(_TERMINAL_WORDS)}


def _expected_words(terminals: Iterable[str]) -> list[str]:
    """The terminals a parser expected, in words, each once, in _TERMINAL_WORDS'
    order; a terminal without a word (none today) by its name, quoted, last."""
    words: list[str] = []
    for name in sorted(
        set(terminals), key=lambda t: (_TERMINAL_ORDER.get(t, len(_TERMINAL_ORDER)), t)
    ):
        word = _TERMINAL_WORDS.get(name) or repr(name.lower())
        if word not in words:
            words.append(word)
    return words


class FormulaError(ValueError):
    """A formula that cannot be compiled or evaluated; the message names the place."""

    def __init__(
        self,
        message: str,
        *,
        formula: str = "",
        line: int = 0,
        column: int = 0,
        owner: str = "",
    ) -> None:
        self.formula = formula
        self.line = line
        self.column = column
        where = f" at line {line}, column {column}" if line else ""
        if owner:
            text = f"formula {_shorten(formula)!r} of {owner}: {message}{where}"
        else:
            text = f"{message}{where} in formula {_shorten(formula)!r}"
        super().__init__(text)
        self.reason = message


class Kind(Enum):
    """What a sub-expression yields, checked once at compile time."""

    NUMBER = "a number"
    BOOLEAN = "a condition"
    TEXT = "a quoted text"
    PAIR = "a [limit, price] pair"
    NONE = "None"


Tables = Mapping[str, Mapping[str, Decimal]]
# a function call's (source text, value) in a trace
Step = tuple[str, Decimal]
_finite = Decimal.is_finite


@dataclass(slots=True)
class Trace:
    """How a value came about: the variables read and the value of every function
    call, in evaluation order, as ``(source text of the call, value)``."""

    variables: dict[str, Decimal]
    steps: list[Step] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "variables": {k: str(v) for k, v in self.variables.items()},
            "steps": [[text, str(value)] for text, value in self.steps],
        }


# A compiled node: (variables, tables, steps) -> value.
_Eval = Callable[[dict[str, Decimal], Tables, list[Step]], Any]


@dataclass(frozen=True, slots=True)
class Formula:
    """A checked formula, ready to be evaluated many times."""

    text: str
    names: tuple[str, ...]  # the variables it reads, in order of first use
    tables: tuple[str, ...]  # the lookup tables it reads
    _run: _Eval = field(repr=False, compare=False)
    # What the formula belongs to ("component X1"), named by evaluation errors.
    owner: str = ""

    def evaluate(
        self, env: Mapping[str, Decimal], tables: Tables | None = None
    ) -> tuple[Decimal, Trace]:
        """The formula's value for the variables in ``env`` (and the lookup
        ``tables``), with its trace. Raises FormulaError, never anything else."""
        used: dict[str, Decimal] = {}
        for name in self.names:
            value = env.get(name)
            if type(value) is not Decimal:
                raise self._error(
                    f"variable {name!r} has no value"
                    if value is None
                    else f"variable {name!r} is {type(value).__name__}, not a Decimal"
                )
            if not value.is_finite():
                raise self._error(f"variable {name!r} is {value}, not a finite number")
            used[name] = value
        steps: list[Step] = []
        try:
            result = self._run(used, tables or {}, steps)
        except FormulaError:
            raise
        except DecimalException as exc:
            raise self._error(
                f"result out of range (a value needs more than {FORMULA_CONTEXT.prec} "
                f"digits: {type(exc).__name__})"
            ) from None
        if not -MAX_RESULT < result < MAX_RESULT:
            raise self._error(
                f"result out of range ({_shorten(_plain(result), 40)} is not below "
                f"10^{MAX_RESULT.adjusted()} in size, the largest price or amount "
                f"an invoice line stores)"
            )
        return result, Trace(used, steps)

    def evaluate_many(
        self, envs: Sequence[Mapping[str, Decimal]], tables: Tables | None = None
    ) -> tuple[list[Decimal], list[dict[str, Decimal]], list[list[Step]]]:
        """``evaluate`` for each of ``envs``, as three columns: the values, the
        variables each read and the steps each took (``Trace(variables[i],
        steps[i])`` is the trace ``evaluate(envs[i])`` gives). The checks of the
        variables and of the results are made a column at a time. When one of
        the envs fails, raises the FormulaError ``evaluate`` raises for the first
        that does."""
        names, run = self.names, self._run
        values = [[env.get(name) for env in envs] for name in names]
        if not all(set(map(type, column)) <= {Decimal} for column in values):
            self._first_failure(envs, tables)
        columns = cast("list[list[Decimal]]", values)
        if not all(all(map(_finite, column)) for column in columns):
            self._first_failure(envs, tables)
        if not columns:
            used: list[dict[str, Decimal]] = [{} for _ in envs]
        elif len(columns) == 1:
            (name,), (column,) = names, columns
            used = [{name: value} for value in column]
        elif len(columns) == 2:
            (first, second), (one, two) = names, columns
            used = [{first: a, second: b} for a, b in zip(one, two, strict=True)]
        else:
            used = [
                dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)
            ]
        steps: list[list[Step]] = [[] for _ in used]
        try:
            results = list(map(run, used, repeat(tables or {}), steps))
        except (FormulaError, DecimalException):
            # an earlier set may fail its range check: find the first failure
            self._first_failure(envs, tables)
        if results and not (-MAX_RESULT < min(results) and max(results) < MAX_RESULT):
            self._first_failure(envs, tables)
        return results, used, steps

    def _first_failure(
        self, envs: Sequence[Mapping[str, Decimal]], tables: Tables | None
    ) -> NoReturn:
        for env in envs:
            self.evaluate(env, tables)
        raise AssertionError("evaluate_many found a failure evaluate does not")

    def _error(self, message: str) -> FormulaError:
        return FormulaError(message, formula=self.text, owner=self.owner)


def compile_formula(
    text: str,
    known_names: Iterable[str],
    known_tables: Iterable[str] | None = None,
    *,
    owner: str = "",
) -> Formula:
    """Parse and check ``text`` once. ``known_names`` are the variables the caller
    will supply; ``known_tables``, if given, the lookup tables that exist;
    ``owner`` what the formula belongs to, named by errors when it is evaluated.
    Every mistake raises FormulaError naming line, column and what is wrong."""
    if not isinstance(text, str):
        raise FormulaError("a formula must be text")
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"the formula has {len(text)} characters; at most {MAX_LENGTH} are allowed",
            formula=text,
        )
    if not text.strip():
        raise FormulaError("the formula is empty", formula=text)
    tree = _parse(text)
    _check_depth(tree, text)
    compiler = _Compiler(
        text,
        frozenset(known_names),
        None if known_tables is None else set(known_tables),
    )
    run = compiler.build(tree)
    return Formula(
        text, tuple(compiler.names), tuple(compiler.tables), run, owner=owner
    )


def _parse(text: str) -> Tree[Token]:
    try:
        return _PARSER.parse(text)
    except UnexpectedCharacters as exc:
        raise FormulaError(
            f"unexpected character {text[exc.pos_in_stream or 0]!r}",
            formula=text,
            line=exc.line,
            column=exc.column,
        ) from None
    except UnexpectedInput as exc:
        token = getattr(exc, "token", None)
        expected = ", ".join(_expected_words(getattr(exc, "expected", ())))
        at_end = token is None or token.type == "$END"
        found = "the formula ends too early" if at_end else f"unexpected {str(token)!r}"
        line, column = exc.line, exc.column
        if at_end or line is None or line < 1:
            line, column = _end_position(text)
        raise FormulaError(
            f"{found}; expected {expected or 'something else'}",
            formula=text,
            line=line,
            column=column,
        ) from None
    except LarkError as exc:  # any other parser complaint, still a formula error
        raise FormulaError(f"cannot read the formula ({exc})", formula=text) from None


def _check_depth(tree: Tree[Token], text: str) -> None:
    """Reject trees deeper than MAX_DEPTH, walking iteratively (no recursion)."""
    stack: list[tuple[Tree[Token] | Token, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            line, column = _position(node)
            raise FormulaError(
                f"the formula is nested more than {MAX_DEPTH} levels deep",
                formula=text,
                line=line,
                column=column,
            )
        if isinstance(node, Tree):
            stack.extend((child, depth + 1) for child in node.children)


class _Compiler:
    """Turns a parse tree into the source of one Python function, checking names,
    functions and kinds on the way.

    Each node becomes an expression over ``v`` (the variables), ``t`` (the lookup
    tables) and ``s`` (the trace steps). The text of the formula never reaches the
    source: numbers, texts, labels and errors are objects in the function's
    namespace under generated names (``k3``, ``f5``), and variables are read as
    ``v['name']`` with a name the grammar allows only letters, digits and ``_`` in.
    Decimal arithmetic calls the methods of ``EVAL_CONTEXT``, so no context is
    switched per evaluation; comparisons, ``min`` and ``max`` of finite numbers do
    not depend on a context. Evaluation order is the tree's, left to right, except
    that a division reads its divisor first (and stops on zero) and ``round``
    its places first, and only the chosen branch of ``if`` is evaluated.
    """

    def __init__(self, text: str, known: frozenset[str], tables: set[str] | None):
        self.text = text
        self.known = known
        self.known_tables = tables
        self.names: list[str] = []
        self.tables: list[str] = []
        self.namespace: dict[str, Any] = dict(_RUNTIME)
        self.helpers: list[str] = []
        self.counter = 0

    def error(self, message: str, node: Tree[Token] | Token) -> FormulaError:
        line, column = _position(node)
        return FormulaError(message, formula=self.text, line=line, column=column)

    def build(self, tree: Tree[Token]) -> _Eval:
        """The evaluation function of the whole tree, which must give a number."""
        code, kind = self.node(tree)
        if kind is not Kind.NUMBER:
            raise self.error(f"the formula gives {kind.value}, not a number", tree)
        source = "\n".join([*self.helpers, f"def run(v, t, s):\n    return {code}"])
        # The source holds generated names only (see the class docstring); this is
        # the "compile once" of the formula, not an evaluation of the user's text.
        exec(compile(source, "<formula>", "exec"), self.namespace)  # noqa: S102
        run: _Eval = self.namespace["run"]
        return run

    def constant(self, value: object, prefix: str = "k") -> str:
        self.counter += 1
        name = f"{prefix}{self.counter}"
        self.namespace[name] = value
        return name

    def local(self) -> str:
        self.counter += 1
        return f"w{self.counter}"

    def hoisted(self, code: str) -> str:
        """``code`` as the body of a helper function, so that no expression nests
        deeper than Python's parser allows (a formula may be 40 levels deep)."""
        self.counter += 1
        name = f"h{self.counter}"
        self.helpers.append(f"def {name}(v, t, s):\n    return {code}")
        return f"{name}(v, t, s)"

    def node(self, node: Tree[Token] | Token) -> tuple[str, Kind]:
        if isinstance(node, Token):  # a bare "+" unary keeps its operand's token
            raise self.error(f"unexpected {node!s}", node)
        handler = getattr(self, "_" + str(node.data), None)
        if handler is None:
            raise self.error(f"unexpected {node.data}", node)
        code, kind = handler(node)
        if code.count("(") > _HOIST_AT:
            code = self.hoisted(code)
        return code, kind

    def number(self, node: Tree[Token] | Token) -> str:
        code, kind = self.node(node)
        if kind is not Kind.NUMBER:
            raise self.error(f"expected a number here, not {kind.value}", node)
        return code

    def condition(self, node: Tree[Token] | Token) -> str:
        code, kind = self.node(node)
        if kind is not Kind.BOOLEAN:
            raise self.error(f"expected a condition here, not {kind.value}", node)
        return code

    def _number(self, node: Tree[Token]) -> tuple[str, Kind]:
        return self.constant(Decimal(str(node.children[0]))), Kind.NUMBER

    def _string(self, node: Tree[Token]) -> tuple[str, Kind]:
        return self.constant(str(node.children[0])[1:-1]), Kind.TEXT

    def _none(self, node: Tree[Token]) -> tuple[str, Kind]:
        return "None", Kind.NONE

    def _var(self, node: Tree[Token]) -> tuple[str, Kind]:
        name = str(node.children[0])
        if name not in self.known:
            hint = (
                f"; known names: {', '.join(sorted(self.known))}" if self.known else ""
            )
            raise self.error(f"unknown name {name!r}{hint}", node)
        if name not in self.names:
            self.names.append(name)
        if not _NAME.fullmatch(name):  # the grammar's NAME; kept true here as well
            raise self.error(f"unexpected name {name!r}", node)
        return f"v[{name!r}]", Kind.NUMBER

    def _neg(self, node: Tree[Token]) -> tuple[str, Kind]:
        return f"_minus({self.number(node.children[0])})", Kind.NUMBER

    def _binop(self, node: Tree[Token]) -> tuple[str, Kind]:
        left_node, op, right_node = node.children
        left, right = self.number(left_node), self.number(right_node)
        if op in _ARITHMETIC:
            return f"{_ARITHMETIC[str(op)]}({left}, {right})", Kind.NUMBER
        line, column = _position(op)
        fail = self.constant(
            FormulaError(
                "division by zero", formula=self.text, line=line, column=column
            ),
            "f",
        )
        divisor = self.local()
        # the divisor first; the dividend only when the divisor is not zero
        return (
            f"(_divide({left}, {divisor}) if ({divisor} := {right}) else _fail({fail}))"
        ), Kind.NUMBER

    def _compare(self, node: Tree[Token]) -> tuple[str, Kind]:
        left_node, op, right_node = node.children
        left, right = self.number(left_node), self.number(right_node)
        operator = str(op)
        if operator not in _COMPARISONS:
            raise self.error(f"unexpected {operator}", op)
        return f"({left} {operator} {right})", Kind.BOOLEAN

    def _and_op(self, node: Tree[Token]) -> tuple[str, Kind]:
        left, right = (self.condition(c) for c in node.children)
        return f"({left} and {right})", Kind.BOOLEAN

    def _or_op(self, node: Tree[Token]) -> tuple[str, Kind]:
        left, right = (self.condition(c) for c in node.children)
        return f"({left} or {right})", Kind.BOOLEAN

    def _not_op(self, node: Tree[Token]) -> tuple[str, Kind]:
        return f"(not {self.condition(node.children[0])})", Kind.BOOLEAN

    def _pair(self, node: Tree[Token]) -> tuple[str, Kind]:
        raise self.error("a [limit, price] pair may only be a tier() block", node)

    def _call(self, node: Tree[Token]) -> tuple[str, Kind]:
        name = str(node.children[0])
        args = [c for c in node.children[1:] if c is not None]
        build = _FUNCTIONS.get(name)
        if build is None:
            raise self.error(
                f"unknown function {name!r}; allowed: {', '.join(FUNCTIONS)}", node
            )
        code, kind = build(self, node, args)
        if kind is not Kind.NUMBER:
            return code, kind
        # a number-valued call records (its source text, its value) once evaluated
        label = self.constant(self.text[node.meta.start_pos : node.meta.end_pos], "l")
        value = self.local()
        return f"(s.append(({label}, ({value} := {code}))) or {value})", kind

    def arity(
        self, node: Tree[Token], args: list[Any], least: int, most: int | None
    ) -> None:
        name = str(node.children[0])
        if len(args) < least or (most is not None and len(args) > most):
            wanted = (
                str(least)
                if least == most
                else f"{least} or more"
                if most is None
                else f"{least} to {most}"
            )
            raise self.error(
                f"{name}() takes {wanted} arguments, not {len(args)}", node
            )

    def fn_if(self, node: Tree[Token], args: list[Any]) -> tuple[str, Kind]:
        self.arity(node, args, 3, 3)
        cond = self.condition(args[0])
        (yes, yes_kind), (no, no_kind) = self.node(args[1]), self.node(args[2])
        if yes_kind is not no_kind or yes_kind not in (Kind.NUMBER, Kind.BOOLEAN):
            raise self.error("if() needs two numbers or two conditions", node)
        return f"({yes} if {cond} else {no})", yes_kind

    def fn_min(self, node: Tree[Token], args: list[Any]) -> tuple[str, Kind]:
        self.arity(node, args, 1, None)
        parts = [self.number(a) for a in args]
        return (parts[0] if len(parts) == 1 else f"min({', '.join(parts)})"), (
            Kind.NUMBER
        )

    def fn_max(self, node: Tree[Token], args: list[Any]) -> tuple[str, Kind]:
        self.arity(node, args, 1, None)
        parts = [self.number(a) for a in args]
        return (parts[0] if len(parts) == 1 else f"max({', '.join(parts)})"), (
            Kind.NUMBER
        )

    def fn_abs(self, node: Tree[Token], args: list[Any]) -> tuple[str, Kind]:
        self.arity(node, args, 1, 1)
        return f"_abs({self.number(args[0])})", Kind.NUMBER

    def fn_round(self, node: Tree[Token], args: list[Any]) -> tuple[str, Kind]:
        """round(x, places): half away from zero (ROUND_HALF_UP), whatever the
        context; places is a whole number from MIN_ROUND_PLACES to MAX_ROUND_PLACES."""
        self.arity(node, args, 2, 2)
        value, places = self.number(args[0]), self.number(args[1])
        fail = self.constant(
            self.error(
                f"round() places must be a whole number from {MIN_ROUND_PLACES} "
                f"to {MAX_ROUND_PLACES}",
                args[1],
            ),
            "f",
        )
        step = self.local()
        # the places first; the value only when they are allowed
        return (
            f"(({value}).quantize({step}, _HALF_UP, _CONTEXT) "
            f"if ({step} := _steps_get({places})) "
            f"is not None else _fail({fail}))"
        ), Kind.NUMBER

    def fn_tier(self, node: Tree[Token], args: list[Any]) -> tuple[str, Kind]:
        """Inclining (or declining) blocks: each block's limit counts from zero;
        the quantity within each block is priced at the block's price and the
        products are summed. The last block's limit must be None (no limit)."""
        self.arity(node, args, 2, None)
        quantity = self.number(args[0])
        blocks: list[tuple[str | None, str]] = []
        for index, block in enumerate(args[1:]):
            last = index == len(args) - 2
            if not (isinstance(block, Tree) and block.data == "pair"):
                raise self.error("expected a [limit, price] block", block)
            if len(block.children) != 2:
                raise self.error("a tier block is [limit, price]", block)
            limit_node, price_node = block.children
            is_none = isinstance(limit_node, Tree) and limit_node.data == "none"
            if last != is_none:
                raise self.error(
                    "only the last tier block, and it always, has the limit None",
                    block,
                )
            limit = None if is_none else self.number(limit_node)
            blocks.append((limit, self.number(price_node)))
        fail = self.constant(
            self.error("tier limits must increase and the quantity be >= 0", node),
            "f",
        )
        # One helper function per tier(), its loop over the blocks unrolled; the
        # limits in order, each price only for a block the quantity reaches.
        body = [
            f"left = {quantity}",
            "if left < 0:",
            f"    _fail({fail})",
            "total = lower = _ZERO",
        ]
        for limit, price in blocks:
            if limit is None:
                body.append(f"return _add(total, _multiply(left, {price}))")
                break
            body += [
                f"limit = {limit}",
                "if limit < lower:",
                f"    _fail({fail})",
                "in_block = min(left, _subtract(limit, lower))",
                "if in_block:",
                f"    total = _add(total, _multiply(in_block, {price}))",
                "left = _subtract(left, in_block)",
                "lower = limit",
            ]
        self.counter += 1
        name = f"tier{self.counter}"
        self.helpers.append(
            f"def {name}(v, t, s):\n" + "\n".join(f"    {line}" for line in body)
        )
        return f"{name}(v, t, s)", Kind.NUMBER

    def fn_lookup(self, node: Tree[Token], args: list[Any]) -> tuple[str, Kind]:
        """lookup("table", key): a price-list value; key is a quoted text or a
        number (looked up by its plain text, 2.50 as "2.5")."""
        self.arity(node, args, 2, 2)
        table_node, key_node = args
        _table_code, table_kind = self.node(table_node)
        if table_kind is not Kind.TEXT:
            raise self.error(
                'lookup() needs a quoted table name ("prices")', table_node
            )
        table = self.namespace[_table_code]
        if self.known_tables is not None and table not in self.known_tables:
            raise self.error(f"unknown lookup table {table!r}", table_node)
        if table not in self.tables:
            self.tables.append(table)
        key_code, key_kind = self.node(key_node)
        if key_kind not in (Kind.TEXT, Kind.NUMBER):
            raise self.error("lookup() keys are quoted texts or numbers", key_node)
        if key_kind is Kind.TEXT:
            # A quoted key as a table stores it (tariffs.compile.table_key): spaces
            # around it dropped, a number by its plain text ("01", "+1" as "1").
            quoted = self.namespace[key_code].strip()
            if re.fullmatch(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", quoted):
                plain = _plain(Decimal(quoted))
                if Decimal(plain) != Decimal(quoted):
                    raise self.error("a number key has at most 34 digits", key_node)
                quoted = plain
            key_code = self.constant(quoted)
        line, column = _position(node)
        text = self.text

        def look(key: str | Decimal, t: Tables) -> Decimal:
            if not isinstance(key, str):
                key = _plain(key)
            rows = t.get(table)
            if rows is None:
                raise FormulaError(
                    f"lookup table {table!r} was not supplied",
                    formula=text,
                    line=line,
                    column=column,
                )
            value = rows.get(key)
            if type(value) is not Decimal or not value.is_finite():
                raise FormulaError(
                    f"lookup table {table!r} has no number for key {key!r}",
                    formula=text,
                    line=line,
                    column=column,
                )
            return value

        return f"{self.constant(look, 'lookup')}({key_code}, t)", Kind.NUMBER


def _fail(error: FormulaError) -> Any:
    raise error


# The context every formula computes in, used through its methods. It is a copy of
# FORMULA_CONTEXT so that the signals' flags it keeps are its own.
EVAL_CONTEXT = FORMULA_CONTEXT.copy()
_ZERO = Decimal(0)
_STEPS = {
    Decimal(n): Decimal(1).scaleb(-n)
    for n in range(MIN_ROUND_PLACES, MAX_ROUND_PLACES + 1)
}
_ARITHMETIC = {"+": "_add", "-": "_subtract", "*": "_multiply"}
_COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# an expression with more parentheses than this becomes a helper function
_HOIST_AT = 40
_RUNTIME: dict[str, Any] = {
    "__builtins__": {"min": min, "max": max},
    "_add": EVAL_CONTEXT.add,
    "_subtract": EVAL_CONTEXT.subtract,
    "_multiply": EVAL_CONTEXT.multiply,
    "_divide": EVAL_CONTEXT.divide,
    "_minus": EVAL_CONTEXT.minus,
    "_abs": EVAL_CONTEXT.abs,
    "_HALF_UP": ROUND_HALF_UP,
    "_CONTEXT": EVAL_CONTEXT,
    "_steps_get": _STEPS.get,
    "_fail": _fail,
    "_ZERO": _ZERO,
}
_Builder = Callable[[_Compiler, Tree[Token], list[Any]], tuple[str, Kind]]
_FUNCTIONS: dict[str, _Builder] = {
    "abs": _Compiler.fn_abs,
    "if": _Compiler.fn_if,
    "lookup": _Compiler.fn_lookup,
    "max": _Compiler.fn_max,
    "min": _Compiler.fn_min,
    "round": _Compiler.fn_round,
    "tier": _Compiler.fn_tier,
}


def _plain(value: Decimal) -> str:
    """A number's plain text without exponent or trailing zeros: 2.50 -> '2.5'."""
    text = format(EVAL_CONTEXT.normalize(value), "f")
    return "0" if text in ("-0", "0") else text


def _position(node: Tree[Token] | Token) -> tuple[int, int]:
    if isinstance(node, Token):
        return node.line or 0, node.column or 0
    meta = node.meta
    if getattr(meta, "empty", True):
        return 0, 0
    return meta.line, meta.column


def _end_position(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
