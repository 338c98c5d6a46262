"""Resumption tokens: where a list stopped, signed, valid for ``OAI_TOKEN_TTL`` seconds, across restarts.

A token carries the list's arguments and a *position* (the last record's ``position``), never an offset: the
next page starts with an index range scan at that position, so its cost does not grow with the depth, and a
record that changes while a harvester walks the list moves to the end of it instead of shifting every page.
The token is the list's state, signed with ``SECRET_KEY`` (``django.core.signing``): nothing is kept on the
server, so it survives a restart and works on any instance that shares the key. A token that was altered,
signed with another key or is older than its time to live is ``badResumptionToken``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from django.core import signing
from django.utils import timezone

__all__ = ["InvalidToken", "ListState", "read_token", "write_token"]

_SALT = "content_repo.exchange.oai.resumption"
_VERSION = 1


class InvalidToken(ValueError):
    """The token cannot be used; the message says why (in Russian, for the error element)."""


@dataclass(frozen=True)
class ListState:
    """A list's arguments and how far it got: records with ``position`` in ``(after, upper]``."""

    verb: str
    prefix: str
    spec: str | None
    after: int
    upper: int | None
    cursor: int
    total: int

    def advanced(self, after: int, returned: int) -> ListState:
        return replace(self, after=after, cursor=self.cursor + returned)


def write_token(state: ListState) -> str:
    return signing.dumps({"v": _VERSION, **asdict(state)}, salt=_SALT, compress=True)


def expiration(ttl: int) -> datetime:
    return timezone.now().replace(microsecond=0) + timedelta(seconds=ttl)


def read_token(token: str, verb: str, ttl: int) -> ListState:
    """The state a token carries, or :class:`InvalidToken`."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=ttl)
    except signing.SignatureExpired as error:
        raise InvalidToken("срок действия маркера истёк; начните список заново") from error
    except (signing.BadSignature, ValueError, UnicodeError) as error:
        raise InvalidToken("маркер не выдан этим сервером или изменён") from error
    if not isinstance(data, dict) or data.pop("v", None) != _VERSION:
        raise InvalidToken("маркер другой версии; начните список заново")
    try:
        state = ListState(**data)
    except TypeError as error:
        raise InvalidToken("маркер не читается") from error
    if state.verb != verb:
        raise InvalidToken(f"маркер выдан для {state.verb}, а не для {verb}")
    return state
