"""Pure: the few CEL device selectors that can be evaluated without a CEL engine.

DeviceClasses and claims select devices with CEL expressions. The common ones compare
the driver or one attribute with a literal, joined by ``&&``::

    device.driver == "gpu.example.com"
    device.attributes["gpu.example.com"].model == "H100"

Those are evaluated here, as the API server's CEL would; any other expression gives
None (not evaluated), never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_STRING = r'"((?:[^"\\]|\\.)*)"'
_LITERAL = rf"(?:{_STRING}|(-?\d+)|(true|false))"
_DRIVER = re.compile(rf"^device\.driver\s*(==|!=)\s*{_LITERAL}$")
_ATTRIBUTE = re.compile(
    rf'^device\.attributes\["([^"]+)"\]\.([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=)\s*{_LITERAL}$'
)
Value = str | int | bool


@dataclass(frozen=True, slots=True)
class SelectedDevice:
    """What a selector reads of a device: its driver and its attributes, qualified."""

    driver: str
    attributes: Mapping[tuple[str, str], Value]  # (domain, name) -> value


def _literal(groups: tuple[str | None, ...]) -> Value:
    text, number, flag = groups
    if text is not None:
        return bytes(text, "utf-8").decode("unicode_escape")
    if number is not None:
        return int(number)
    return flag == "true"


def _compare(found: Value | None, operator: str, wanted: Value) -> bool:
    # an attribute the device lacks is an error in CEL: the device is not selected
    if found is None or type(found) is not type(wanted):
        return False
    return (found == wanted) if operator == "==" else (found != wanted)


def _term(term: str, device: SelectedDevice) -> bool | None:
    term = term.strip()
    while term.startswith("(") and term.endswith(")"):
        term = term[1:-1].strip()
    driver = _DRIVER.match(term)
    if driver:
        return _compare(device.driver, driver[1], _literal(driver.groups()[1:]))
    attribute = _ATTRIBUTE.match(term)
    if attribute:
        found = device.attributes.get((attribute[1], attribute[2]))
        return _compare(found, attribute[3], _literal(attribute.groups()[3:]))
    return None


def evaluate(expression: str, device: SelectedDevice) -> bool | None:
    """Return whether ``expression`` selects ``device``, or None when it cannot be evaluated.

    Only comparisons of ``device.driver`` or ``device.attributes["domain"].name`` with a
    string, integer or boolean literal, joined by ``&&``, are evaluated.
    """
    if "||" in expression or not expression.strip():
        return None
    results = [_term(term, device) for term in expression.split("&&")]
    if any(r is None for r in results):
        return None
    return all(results)


def evaluable(expression: str) -> bool:
    """Return True when ``expression`` is of a form ``evaluate`` reads."""
    return evaluate(expression, SelectedDevice("", {})) is not None
