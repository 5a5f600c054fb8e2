"""``ENV[VAR]`` templates: configuration values read from the environment when they are used.

A template is kept as written (so exporting a configuration writes the template again) and is
resolved each time the value is read. ``ENV[VAR]`` gives the variable's text; a suffix casts it:
``ENV[VAR]:int``, ``:float``, ``:bool`` (``true``/``false``, any case) or ``:str``.
"""

from __future__ import annotations

import os
import re
from typing import Any

from scenaria.exceptions import InconsistentEnvVariableError, MissingEnvVariableError

ENV_PATTERN = re.compile(r"^ENV\[([A-Za-z_]\w*)\](?::(bool|str|float|int))?$")


def is_template(value: object) -> bool:
    """True when ``value`` is a string of the form ``ENV[VAR]`` or ``ENV[VAR]:type``."""
    return isinstance(value, str) and ENV_PATTERN.fullmatch(value) is not None


def _cast(text: str, cast: str | None, template: str, where: str) -> Any:
    if cast in (None, "str"):
        return text
    try:
        if cast == "int":
            return int(text)
        if cast == "float":
            return float(text)
    except ValueError:
        pass
    else:  # cast == "bool"
        lowered = text.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
    raise InconsistentEnvVariableError(
        f"{where}{template}: the environment value {text!r} cannot be read as {cast}"
        + (" (use true or false)" if cast == "bool" else "")
    )


def resolve(value: Any, where: str = "") -> Any:
    """Resolve every template in ``value`` (recursively through lists, tuples and dict values).

    ``where`` prefixes error messages, e.g. ``"[JOB] key 'max_nb_of_workers': "``.
    """
    if isinstance(value, str):
        match = ENV_PATTERN.fullmatch(value)
        if match is None:
            return value
        name, cast = match.group(1), match.group(2)
        text = os.environ.get(name)
        if text is None:
            raise MissingEnvVariableError(
                f"{where}{value}: the environment variable {name} is not set; set it or replace "
                "the template with a value"
            )
        return _cast(text, cast, value, where)
    if isinstance(value, list):
        return [resolve(v, where) for v in value]
    if isinstance(value, tuple):
        return tuple(resolve(v, where) for v in value)
    if isinstance(value, dict):
        return {k: resolve(v, where) for k, v in value.items()}
    return value


class Resolved(str):
    """The text an ``ENV[VAR]`` template gave, remembering the template: an entity holding it
    uses the text and stores the template (a secret is never written in clear to the store)."""

    template: str

    def __new__(cls, text: str, template: str) -> Resolved:
        value = super().__new__(cls, text)
        value.template = template
        return value

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]  # pickles and copies keep the template
        return str(self), self.template


def resolved_keeping_template(raw: Any, where: str = "") -> Any:
    """``resolve(raw)``; a template that gives text gives a :class:`Resolved` remembering it."""
    value = resolve(raw, where)
    return Resolved(value, raw) if is_template(raw) and isinstance(value, str) else value
