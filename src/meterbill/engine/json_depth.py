"""How deep JSON text nests, found before it is parsed.

Python's json module recurses once per nested array or object: text of thousands
of brackets raises RecursionError, which names no line. A reader of rule, scenario
or tariff JSON checks the depth first and refuses the text with a position.
"""

from __future__ import annotations


def too_deep(text: str, limit: int) -> str | None:
    """None, or "line L column C: nested deeper than N levels" at the first bracket
    past ``limit`` (brackets inside strings do not count)."""
    depth, in_string, escaped = 0, False, False
    line, column = 1, 0
    for char in text:
        column += 1
        if char == "\n":
            line, column = line + 1, 0
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return f"line {line} column {column}: nested deeper than {limit} levels"
        elif char in "]}":
            depth -= 1
    return None
