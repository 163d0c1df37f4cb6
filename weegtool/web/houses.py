"""Houses and their current residents (pseudonymised), kept by the coordinator."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..errors import HouseError, InputError, NotFoundError
from ..instrument import Instrument
from ..io import parse_houses
from ..store import (
    delete_house,
    get_house,
    house_residents,
    instrument_in_force,
    load_instrument,
    save_house,
)
from ..store import houses as stored_houses
from ..store.models import House
from . import db
from .auth import roles_required, signed_in
from .forms import FormErrors, by_field, whole_number
from .language import language, say

__all__ = ["bp"]

bp = Blueprint("houses", __name__, url_prefix="/houses")
BLANK_ROWS = 2


def _instrument() -> Instrument:
    row = instrument_in_force(db.session())
    if row is None:
        abort(409, description=say("web.referral.no_instrument"))
    return load_instrument(row)


@bp.get("/")
@roles_required("coordinator", "chair")
def index() -> Any:
    session = db.session()
    row = instrument_in_force(session)
    flags = {f.id: f.text(language()) for f in load_instrument(row).flags} if row else {}
    return render_template(
        "houses.html",
        houses=stored_houses(session),
        residents=house_residents(session),
        flag_titles=flags,
    )


def _house_or_404(code: str) -> House:
    try:
        return get_house(db.session(), code)
    except NotFoundError:
        abort(404)


def _exists(code: str) -> bool:
    try:
        get_house(db.session(), code)
    except NotFoundError:
        return False
    return True


def _values(house: House | None) -> dict[str, Any]:
    if house is None:
        return {
            "code": "",
            "capacity": "",
            "staff_on_duty": "",
            "age_min": "",
            "age_max": "",
            "residents": [],
        }
    return {
        "code": house.code,
        "capacity": house.capacity,
        "staff_on_duty": _blank(house.staff_on_duty),
        "age_min": _blank(house.age_min),
        "age_max": _blank(house.age_max),
        "residents": [
            {
                "pseudonym": r.pseudonym,
                "age": _blank(r.age),
                "flags": r.flags,
                "main_problem": r.main_problem or "",
            }
            for r in house.residents
        ],
    }


def _blank(value: int | None) -> Any:
    return "" if value is None else value


def _form(
    instrument: Instrument,
    values: dict[str, Any],
    errors: FormErrors,
    status: int = 200,
    editing: bool = False,
) -> tuple[str, int]:
    rows = (
        list(values["residents"])
        + [{"pseudonym": "", "age": "", "flags": [], "main_problem": ""}] * BLANK_ROWS
    )
    return render_template(
        "house.html",
        instrument=instrument,
        values=values,
        rows=rows,
        errors=errors,
        editing=editing,
    ), status


def _posted(code: str | None) -> tuple[dict[str, Any], dict[str, Any], FormErrors]:
    """The form as shown again (text) and as a house record for :func:`weegtool.io.parse_houses`.

    ``code`` is the code of the house being edited (the edit form has no code field: the code names
    the house and is not changed), None for a new house.
    """
    form = request.form
    errors: FormErrors = {}
    values: dict[str, Any] = {
        k: form.get(k, "").strip()
        for k in ("code", "capacity", "staff_on_duty", "age_min", "age_max")
    }
    if code is not None:
        values["code"] = code
    record: dict[str, Any] = {
        "id": values["code"],
        "capacity": whole_number(form, "capacity", errors, 1, 100),
        "staff_on_duty": whole_number(form, "staff_on_duty", errors, 0, 100),
    }
    low, high = (
        whole_number(form, "age_min", errors, 0, 120),
        whole_number(form, "age_max", errors, 0, 120),
    )
    if (low is None) != (high is None):
        errors.setdefault("age_min", []).append(say("web.house.ages_both"))
    elif low is not None:
        record["age_range"] = [low, high]
    if not values["code"]:
        errors.setdefault("code", []).append(say("web.house.no_code"))
    if record["capacity"] is None and "capacity" not in errors:
        errors.setdefault("capacity", []).append(say("web.house.no_capacity"))
    residents, shown = [], []
    for k in range(whole_number(form, "rows", errors, 0, 200) or 0):
        pseudonym = form.get(f"resident-{k}-pseudonym", "").strip()
        row = {
            "pseudonym": pseudonym,
            "age": form.get(f"resident-{k}-age", "").strip(),
            "flags": form.getlist(f"resident-{k}-flags"),
            "main_problem": form.get(f"resident-{k}-main_problem", ""),
        }
        if not pseudonym:
            if row["age"] or row["flags"] or row["main_problem"]:
                errors.setdefault("residents", []).append(say("web.house.no_pseudonym", row=k + 1))
            continue
        shown.append(row)
        residents.append(
            {
                "id": pseudonym,
                "age": whole_number(form, f"resident-{k}-age", errors, 0, 120),
                "flags": row["flags"],
                "main_problem": row["main_problem"] or None,
            }
        )
    values["residents"] = shown
    record["residents"] = residents
    return values, record, errors


@bp.route("/new", methods=["GET", "POST"], defaults={"code": None})
@bp.route("/<code>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def edit(code: str | None) -> Any:
    instrument = _instrument()
    existing = _house_or_404(code) if code is not None else None
    if request.method == "GET":
        return _form(instrument, _values(existing), {}, editing=existing is not None)
    values, record, errors = _posted(existing.code if existing is not None else None)
    if existing is None and values["code"] and _exists(values["code"]):
        errors.setdefault("code", []).append(say("web.house.exists", code=repr(values["code"])))
    if not errors:
        try:
            (house,) = parse_houses([record], instrument, source="huis")
            save_house(db.session(), house, by=signed_in())
        except (HouseError, InputError) as error:
            db.session().rollback()
            errors = by_field(error.problems, ("code", "capacity"))
        else:
            db.commit()
            flash(say("web.houses.saved", code=house.id), "success")
            return redirect(url_for("houses.index"))
    return _form(instrument, values, errors, 400, editing=existing is not None)


@bp.post("/<code>/delete")
@roles_required("coordinator")
def delete(code: str) -> Response:
    _house_or_404(code)
    try:
        delete_house(db.session(), code, by=signed_in())
    except InputError as error:
        db.session().rollback()
        for problem in error.problems:
            flash(problem, "error")
        return redirect(url_for("houses.index"))
    db.commit()
    flash(say("web.houses.deleted", code=code), "success")
    return redirect(url_for("houses.index"))
