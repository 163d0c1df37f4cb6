"""Finding one row by a unique column, or saying plainly that there is none."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFoundError

__all__ = ["one_by"]


def one_by(session: Session, column: Any, value: Any, what: str, *options: Any) -> Any:
    """The row whose ``column`` is ``value`` (``options``: loader options); :class:`NotFoundError` naming
    ``what`` when there is none, e.g. ``one_by(session, House.code, "huis-a", "house")``."""
    row = session.scalar(select(column.class_).where(column == value).options(*options))
    if row is None:
        raise NotFoundError(f"no {what} {value!r}.")
    return row
