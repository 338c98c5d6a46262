"""The OAI-PMH 2.0 request: verbs and their arguments, dates, identifiers, and the protocol's error codes.

Whatever a client sends, the answer is a protocol response: a request that breaks a rule of the protocol is one
of its error codes (``badVerb``, ``badArgument``, ``badResumptionToken``, ``cannotDisseminateFormat``,
``idDoesNotExist``, ``noRecordsMatch``), with a Russian message naming the argument and the rule.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = [
    "VERBS",
    "OAIError",
    "Window",
    "format_identifier",
    "parse_arguments",
    "parse_identifier",
    "parse_window",
]

MAX_ARGUMENT_LENGTH = 4000


@dataclass(frozen=True)
class Verb:
    """A verb's arguments: required, optional, and the exclusive one (``resumptionToken``)."""

    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    exclusive: str | None = None


_LIST = Verb(frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), "resumptionToken")
VERBS = {
    "Identify": Verb(),
    "ListMetadataFormats": Verb(optional=frozenset({"identifier"})),
    "ListSets": Verb(exclusive="resumptionToken"),
    "GetRecord": Verb(frozenset({"identifier", "metadataPrefix"})),
    "ListIdentifiers": _LIST,
    "ListRecords": _LIST,
}
# metadataPrefixType of the OAI-PMH schema; another value is an illegal argument, not an unknown format.
_PREFIX = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+$")
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class OAIError(Exception):
    """A protocol error: its code (from the OAI-PMH 2.0 list) and a message for the client."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def parse_arguments(pairs: Iterable[tuple[str, list[str]]]) -> tuple[str, dict[str, str]]:
    """The verb and its arguments from the query (or form) pairs, checked against the verb's rules."""
    values = dict(pairs)
    verbs = values.pop("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        shown = ", ".join(repr(v[:40]) for v in verbs) or "не указан"
        raise OAIError("badVerb", f"глагол {shown}; допустимы: {', '.join(VERBS)}")
    verb, rules = verbs[0], VERBS[verbs[0]]
    arguments: dict[str, str] = {}
    for name, given in values.items():
        if name not in rules.required | rules.optional | ({rules.exclusive} - {None}):
            raise OAIError("badArgument", f"{verb} не принимает аргумент {name[:40]!r}")
        if len(given) != 1:
            raise OAIError("badArgument", f"аргумент {name!r} повторён {len(given)} раз")
        if _FORBIDDEN.search(given[0]) or len(given[0]) > MAX_ARGUMENT_LENGTH or not given[0]:
            raise OAIError("badArgument", f"аргумент {name!r}: пустое значение, управляющие символы или длина")
        if name == "metadataPrefix" and not _PREFIX.match(given[0]):
            raise OAIError("badArgument", f"metadataPrefix={given[0][:40]!r}: недопустимые символы")
        arguments[name] = given[0]
    if rules.exclusive and rules.exclusive in arguments:
        if len(arguments) > 1:
            raise OAIError("badArgument", f"{rules.exclusive} не сочетается с другими аргументами")
        return verb, arguments
    missing = sorted(rules.required - set(arguments))
    if missing:
        raise OAIError("badArgument", f"{verb}: не хватает аргумента {', '.join(missing)}")
    return verb, arguments


@dataclass(frozen=True)
class Window:
    """``from``/``until`` as UTC bounds: records with ``start <= datestamp < end``."""

    start: datetime | None = None
    end: datetime | None = None


def _moment(name: str, value: str) -> tuple[datetime, timedelta]:
    """A datestamp argument and its granularity (a day or a second)."""
    if _DAY.match(value):
        pattern, step = "%Y-%m-%d", timedelta(days=1)
    elif _SECOND.match(value):
        pattern, step = "%Y-%m-%dT%H:%M:%SZ", timedelta(seconds=1)
    else:
        raise OAIError("badArgument", f"{name}={value[:40]!r}: ожидается ГГГГ-ММ-ДД или ГГГГ-ММ-ДДTчч:мм:ссZ (UTC)")
    try:
        return datetime.strptime(value, pattern).replace(tzinfo=UTC), step
    except ValueError as error:
        raise OAIError("badArgument", f"{name}={value!r}: такой даты нет") from error


def parse_window(arguments: dict[str, str]) -> Window:
    """``from`` and ``until`` (inclusive, either granularity, the same for both) as a half-open window."""
    start = end = None
    granularity = set()
    if "from" in arguments:
        start, step = _moment("from", arguments["from"])
        granularity.add(step)
    if "until" in arguments:
        until, step = _moment("until", arguments["until"])
        granularity.add(step)
        # «until» is inclusive at its granularity: until=2026-01-01 takes the whole day.
        end = until + step if until < datetime.max.replace(tzinfo=UTC) - step else None
    if len(granularity) > 1:
        raise OAIError("badArgument", "from и until заданы с разной точностью (день и секунда)")
    if start is not None and end is not None and start >= end:
        raise OAIError("badArgument", "from позже until")
    return Window(start, end)


def format_identifier(repository_id: str, resource_id: uuid.UUID | str) -> str:
    return f"oai:{repository_id}:{resource_id}"


def parse_identifier(repository_id: str, identifier: str) -> uuid.UUID:
    """The resource an identifier names, or ``idDoesNotExist`` for anything that is not ours."""
    prefix = f"oai:{repository_id}:"
    if identifier.startswith(prefix):
        rest = identifier[len(prefix) :]
        try:
            resource_id = uuid.UUID(rest)
        except ValueError:
            resource_id = None
        if resource_id is not None and str(resource_id) == rest:  # only the form we hand out
            return resource_id
    raise OAIError("idDoesNotExist", f"нет записи {identifier[:200]!r}; идентификаторы имеют вид {prefix}<uuid>")
