"""A committee's site for the web tests: users of every role, referrals of the committee example, houses.

Every user's password is PASSWORD and already chosen (no first-login change),
except where a test says otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from flask import Flask
from flask.testing import FlaskClient

from weegtool import load_houses
from weegtool.store import (
    db,
    instrument_in_force,
    load_instrument,
    register_referral,
    save_house,
    save_ratings,
    set_password,
    submit_ratings,
)
from weegtool.store.instruments import add_instrument
from weegtool.web import create_app

from .conftest import TWENTE
from .store_factories import COMMITTEE, PASSWORD, committee_ratings, make_user

ROOT = Path(__file__).resolve().parent.parent
HOUSES = ROOT / "examples" / "houses.yaml"
# name: (role, behavioural scientist)
USERS = {
    "beheer": ("admin", False),
    "coordinator": ("coordinator", False),
    "R3": ("chair", False),
    "R1": ("rater", False),
    "R2": ("rater", True),
    "R4": ("rater", False),
    "onderzoeker": ("researcher", False),
}
RATED = ("C1", "C2", "C3", "C5")  # rated and submitted by R1, R2 and R3; C4 and K-NEW are not rated
ROLE_USER = {
    "admin": "beheer",
    "coordinator": "coordinator",
    "chair": "R3",
    "rater": "R1",
    "researcher": "onderzoeker",
}


@dataclass
class Site:
    app: Flask
    url: str

    def client(self, name: str | None = None) -> Browser:
        browser = Browser(self.app.test_client())
        if name is not None:
            browser.login(name)
        return browser

    def query(self, statement: Any) -> list[Any]:
        engine = db.make_engine(self.url)
        try:
            with engine.connect() as connection:
                return list(connection.execute(statement))
        finally:
            engine.dispose()


class Browser:
    """A test client that keeps the page's CSRF token and sends it with every form."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token = ""

    def get(self, path: str, **options: Any) -> Any:
        response = self.client.get(path, **options)
        found = re.search(rb'name="csrf-token" content="([^"]+)"', response.data)
        if found:
            self.token = found.group(1).decode()
        return response

    def post(
        self, path: str, data: dict[str, Any] | None = None, csrf: bool = True, **options: Any
    ) -> Any:
        if not self.token:
            self.get("/login")
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.token)
        return self.client.post(path, data=form, **options)

    def post_json(self, path: str, body: Any, csrf: bool = True) -> Any:
        if not self.token:
            self.get("/login")
        headers = {"X-CSRF-Token": self.token} if csrf else {}
        return self.client.post(path, json=body, headers=headers)

    def login(self, name: str, password: str = PASSWORD) -> Any:
        self.get("/login")
        response = self.post("/login", {"name": name, "password": password})
        self.get("/", follow_redirects=True)  # a new session: a new CSRF token
        return response


def build_site(url: str, instance: Path, **config: Any) -> Site:
    """The app on ``url`` (at the newest schema, empty) with the committee example loaded."""
    engine = db.make_engine(url)
    with db.transaction(db.session_factory(engine)) as session:
        add_instrument(session, TWENTE.read_text(encoding="utf-8"), in_force=True)
        users = {}
        for name, (role, scientist) in USERS.items():
            users[name] = make_user(session, name, role, scientist)
            set_password(users[name], PASSWORD)
        instrument = load_instrument(instrument_in_force(session))
        for house in load_houses(HOUSES, instrument):
            save_house(session, house, by=users["coordinator"])
        frame = pd.read_csv(COMMITTEE, dtype=str, keep_default_na=False).drop_duplicates(
            "candidate_id"
        )
        for row in frame.itertuples():
            candidate = register_referral(
                session,
                row.candidate_id,
                by=users["coordinator"],
                age=int(row.age),
                referrer="wijkteam",
                direction=row.direction,
                consent=row.consent == "ja",
                flags=[f for f in row.flags.split(";") if f],
            )
            if row.candidate_id in RATED:
                for rater, ratings in committee_ratings(row.candidate_id).items():
                    save_ratings(session, candidate, users[rater], ratings)
                    submit_ratings(session, candidate, users[rater])
        register_referral(
            session, "K-NEW", by=users["coordinator"], age=16, direction="long_term", consent=True
        )
    engine.dispose()
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(instance),
            "TESTING": True,
            "REPORT_PDF": False,
            **config,
        }
    )
    return Site(app, url)
