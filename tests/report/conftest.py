"""The web app's fixtures (the sample mission in a real SQLite file, a coordinator, a fixed clock)."""

from tests.web.conftest import _template_db, web

__all__ = ["_template_db", "web"]
