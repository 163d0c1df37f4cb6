"""The researcher's export of the demo database, fetched from the web app as a researcher does.

``export_demo`` fills an empty database (at the newest schema) with the instrument in force and
the demo (``weegtool.store.load_demo``, its default size and history), logs in as a researcher
and writes the three CSV files of the Onderzoek page into a folder, under the names
:func:`weegtool.research.read_export` reads.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest

from weegtool.research.export import EXPORT_FILES
from weegtool.store import db, load_demo, set_password
from weegtool.store.instruments import add_instrument
from weegtool.web import create_app

from .conftest import TWENTE
from .store_factories import PASSWORD, make_user
from .web_site import Browser


def export_demo(url: str, instance: Path, folder: Path, on: _dt.date | None = None) -> Path:
    """The demo's research export in ``folder`` (created); returns ``folder``.

    ``outcomes.csv`` is as of today (the web app has no other day), so the demo's history is laid
    out backwards from today by default (``on``), as ``make run`` does.
    """
    engine = db.make_engine(url)
    with db.transaction(db.session_factory(engine)) as session:
        add_instrument(session, TWENTE.read_text(encoding="utf-8"), in_force=True)
        load_demo(session, on=on)
        set_password(make_user(session, "onderzoeker", "researcher"), PASSWORD)
    engine.dispose()
    app = create_app(
        {"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "TESTING": True, "REPORT_PDF": False}
    )
    browser = Browser(app.test_client())
    browser.login("onderzoeker")
    folder.mkdir(parents=True, exist_ok=True)
    for download, route in EXPORT_FILES.values():  # saved under the name the browser gives it
        response = browser.get(f"/research/{route}")
        assert response.status_code == 200, (route, response.status_code)
        assert f'filename="{download}"' in response.headers["Content-Disposition"]
        (folder / download).write_bytes(response.data)
    return folder


@pytest.fixture(scope="module", name="demo_export")
def demo_export_fixture(tmp_path_factory):
    """The demo database's export, made once per test module (SQLite, newest schema)."""
    base = tmp_path_factory.mktemp("demo-export")
    url = f"sqlite:///{base / 'weegtool.sqlite3'}"
    db.upgrade(url)
    return export_demo(url, base / "instance", base / "export")
