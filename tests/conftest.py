import datetime as dt
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from tests.factories import Tree, build_tree, reloaded

TEST_ID_KEY = "bLrZ8tOm5qY1cCqkVbS2Zt0o6d4B0yJm1rUu2kqk6Dk="
FAST_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "AXES_ENABLED": False,
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
    "ID_NUMBER_KEYS": TEST_ID_KEY,
    "ID_NUMBER_HMAC_KEY": "test-hmac-key",
}


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    for name, value in FAST_SETTINGS.items():
        setattr(settings, name, value)
    settings.MEDIA_ROOT = tmp_path / "media"


def shared_demo(scale: str, *, seed: int, as_of: dt.date) -> Callable[..., Any]:
    """A module-scoped fixture: the demo of `scale` built once for all the tests of the
    module that ask for it (each test still runs in its own savepoint, so what a test
    writes is undone after it), rolled back when the module ends.

    Give such a module only tests that read the demo (a test that needs an empty database
    belongs elsewhere: the demo is there from the first test that asks for it to the end of
    the module), and mark it `pytest.mark.xdist_group(<name>)` so that one worker builds it
    (`make test` distributes with --dist loadgroup)."""

    @pytest.fixture(scope="module")
    def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Any]:
        from xianfeng.demo.builder import build_demo

        media = tmp_path_factory.mktemp(f"{scale}-demo-media")
        with django_db_blocker.unblock(), override_settings(**FAST_SETTINGS, MEDIA_ROOT=media):
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                built = build_demo(scale=scale, seed=seed, as_of=as_of)
                settle_deferred_constraints()
                yield built
            finally:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)

    return demo


def settle_deferred_constraints() -> None:
    """Check the deferred foreign keys of what a shared fixture wrote, once: PostgreSQL
    otherwise re-checks all of them at the end of every test that shares it (Django's
    TestCase checks the constraints at each teardown), seconds each for a demo. SQLite
    checks nothing at teardown, so nothing to settle there."""
    from django.db import connection

    if connection.features.can_defer_constraint_checks:
        connection.check_constraints()


@pytest.fixture
def tree(request) -> Tree:
    """The small jurisdiction of tests.factories: built once per module (`shared_tree`)
    where every database test of the module asks for it and none is transactional (see
    `pytest_collection_modifyitems`), else built for each test as before, so that a test
    wanting an empty database or committing for real never finds a module's tree."""
    if request.module.__name__ in TREE_SHARED_BY:
        return request.getfixturevalue("shared_tree")
    request.getfixturevalue("db")
    return build_tree()


@pytest.fixture(scope="module")
def module_tree(django_db_setup, django_db_blocker) -> Iterator[Tree]:
    """The tree built once for a module, inside a transaction rolled back when the module
    ends (as `shared_demo`); see `shared_tree`."""
    with django_db_blocker.unblock(), override_settings(**FAST_SETTINGS):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_tree()
            settle_deferred_constraints()
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def shared_tree(module_tree, db) -> Tree:
    """The module's tree as fresh objects (built once instead of once per test; each test
    still runs in its own savepoint, so what it writes is undone after it)."""
    return reloaded(module_tree)


@pytest.fixture
def client_for(client):
    """Log a test client in as one of the tree's named users."""

    def login(user):
        client.force_login(user)
        return client

    return login


# Fixtures through which a test reaches a database (pytest-django's).
DATABASE_FIXTURES = frozenset({"db", "transactional_db", "live_server", "_django_db_helper"})


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Note the modules that may share one tree (`tree`); with
    XIANFENG_DATABASE_TESTS_ONLY=1 (`make test`'s PostgreSQL run), keep only the tests
    that reach a database: the pure-Python ones (spreadsheet cells, ID numbers, pinyin,
    dates, PDF layout …) have just run on SQLite in the same `make test`, and do not
    depend on the database."""
    TREE_SHARED_BY.update(_modules_sharing_a_tree(items))
    for item in items:  # the module's tree first, outside the test's transaction
        module = getattr(item, "module", None)
        if module is not None and module.__name__ in TREE_SHARED_BY and "tree" in item.fixturenames:
            item.fixturenames.insert(0, "module_tree")
    if os.environ.get("XIANFENG_DATABASE_TESTS_ONLY") != "1":
        return
    keep, drop = [], []
    for item in items:
        (keep if _uses_database(item) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


# Modules whose database tests all ask for `tree` and none commits for real.
TREE_SHARED_BY: set[str] = set()


def _uses_database(item: Any) -> bool:
    return bool(item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(item.fixturenames))


def _transactional(item: Any) -> bool:
    marker = item.get_closest_marker("django_db")
    committing = {"transactional_db", "live_server"} & set(item.fixturenames)
    return bool(committing or (marker is not None and marker.kwargs.get("transaction")))


def _opens_the_database_itself(item: Any) -> bool:
    """A fixture of the suite shared beyond one test that opens the database itself (a
    module's demo or world, the committed county of the parallel tests): the module's
    tree must not hold a transaction open around it."""
    for name in item.fixturenames:
        for fixturedef in item._fixtureinfo.name2fixturedefs.get(name, ()):
            ours = fixturedef.baseid.startswith("tests")
            opens = {"django_db_setup", "django_db_blocker"} & set(fixturedef.argnames)
            if ours and fixturedef.scope != "function" and opens:
                return True
    return False


def _modules_sharing_a_tree(items: list[Any]) -> set[str]:
    sharing: dict[str, bool] = {}
    for item in items:
        if getattr(item, "module", None) is None:
            continue
        if not _uses_database(item) and not _opens_the_database_itself(item):
            continue
        name = item.module.__name__
        own_tree = hasattr(item.module, "tree")  # a module's own `tree` (authorization)
        fits = (
            "tree" in item.fixturenames
            and not own_tree
            and not _transactional(item)
            and not _opens_the_database_itself(item)
        )
        sharing[name] = sharing.get(name, True) and fits
    return {name for name, fits in sharing.items() if fits}
