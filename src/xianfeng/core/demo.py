"""Domain-free tools of the demo builders (`xianfeng demo`, see `xianfeng.demo`).

The bulk `Inserter` (COPY on PostgreSQL, executemany on SQLite, one "+" history row per
tracked row), `DemoError`, the scales and their `Profile`, small pure helpers (dates,
money, text width) and `DemoContext`: what every app's demo builder shares — the scale,
seed and as-of date, the one random stream of the members and seats with its Faker
instance, named side streams (`stream("support")` …), the inserter. `DemoPart` is the base
of the app builders (`orgs.demo`, `members.demo`, `orglife.demo`, …). Nothing here imports
a domain app.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import random
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter, itemgetter
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone
from faker import Faker

from xianfeng.core.history import current_via, history_user
from xianfeng.lib.cipher import get_cipher
from xianfeng.lib.pinyin import initials, person_initials

SCALES = ("town", "county", "city")
SCALE_LABELS = {"town": "乡镇", "county": "县", "city": "市"}
EARLIEST_AS_OF = dt.date(2010, 1, 1)

Progress = Callable[[int, int, str], None]


class DemoError(Exception):
    """A demo that cannot be built; the message is Chinese, for the command line."""


def text_width(text: str) -> int:
    """Columns `text` takes in a terminal (wide CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - text_width(text))


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


@dataclass(frozen=True)
class Profile:
    """How big a scale is: counts per county and town, sizes in full members."""

    counties: int
    towns: tuple[int, int]
    streets: int
    villages: tuple[int, int]
    communities: tuple[int, int]
    street_communities: tuple[int, int]
    enterprises: tuple[int, int]
    village_full: tuple[int, int, int]  # low, high, mode
    departments: int
    institutions: int
    general_share: float  # share of departments with a general branch
    county_enterprises: tuple[int, int]


PROFILES = {
    "town": Profile(
        counties=0, towns=(1, 1), streets=0, villages=(10, 11), communities=(2, 2),
        street_communities=(0, 0), enterprises=(2, 2), village_full=(6, 36, 22),
        departments=0, institutions=0, general_share=0, county_enterprises=(0, 0),
    ),
    "county": Profile(
        counties=0, towns=(15, 15), streets=2, villages=(7, 8), communities=(1, 2),
        street_communities=(4, 5), enterprises=(1, 2), village_full=(10, 46, 32),
        departments=16, institutions=4, general_share=0.1, county_enterprises=(3, 4),
    ),
    "city": Profile(
        counties=10, towns=(14, 16), streets=3, villages=(37, 43), communities=(3, 4),
        street_communities=(6, 9), enterprises=(4, 6), village_full=(18, 50, 42),
        departments=38, institutions=14, general_share=0.25, county_enterprises=(18, 24),
    ),
}  # fmt: skip


@functools.cache
def cumulative(weights: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(itertools.accumulate(weights))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28) + dt.timedelta(days=1)


def month_end(day: dt.date) -> dt.date:
    following = day.replace(day=28) + dt.timedelta(days=4)
    return following - dt.timedelta(days=following.day)


def yuan(value: float) -> Decimal:
    """An amount of money rounded to half a yuan, with two decimal places."""
    return (Decimal(round(value * 2)) / 2).quantize(Decimal("0.01"))


# --- loading ----------------------------------------------------------------------------


class Inserter:
    """Fast inserts for the bulk load: COPY on PostgreSQL, executemany on SQLite.

    `bulk_create` spends most of a city load compiling values one by one; here a row is
    read from an instance with one attrgetter (or given as a tuple: `rows`) and only
    datetimes and JSON are adapted. The columns still come from the model, so a field
    added later gets its default. Tracked models get their ids here (dependants and
    history rows need them; `reserve` for tuples) and one "+" history row each, like
    `bulk_create_with_history`.
    """

    def __init__(self, via: str, now: dt.datetime):
        self.via, self.now = via, now
        self.next_ids: dict[type[models.Model], int] = {}
        user = history_user()
        self.user_id = user.pk if user is not None else None

    def _adapter(self, field: models.Field) -> Callable[[Any], Any] | None:  # type: ignore[type-arg]
        """How a value of `field` is prepared for the driver, or None: dates and decimals
        go as they are (psycopg takes them natively; on SQLite the adapters Django
        registers with sqlite3 write them as the field would), millions of calls saved."""
        kind = field.get_internal_type()
        if kind == "DateTimeField":  # nearly always self.now: adapt each value once
            adapted: dict[Any, Any] = {}

            def adapt(value: Any) -> Any:
                if value not in adapted:
                    adapted[value] = field.get_db_prep_save(value, connection)
                return adapted[value]

            return adapt
        if kind == "JSONField":  # member flags: a few distinct lists
            encoded: dict[Any, Any] = {}

            def encode(value: Any) -> Any:
                key = repr(value)  # lists of dicts too (milestones)
                if key not in encoded:
                    encoded[key] = field.get_db_prep_save(value, connection)
                return encoded[key]

            return encode
        if kind in {"TimeField", "UUIDField"}:
            return lambda value: field.get_db_prep_save(value, connection)
        return None

    def _execute(self, model: type[models.Model], fields: list[Any], rows: list[Any]) -> None:
        """Write `rows` (tuples in the order of `fields`): COPY on PostgreSQL, else executemany."""
        adapters = [(i, a) for i, f in enumerate(fields) if (a := self._adapter(f))]

        def adapted() -> Iterator[Any]:
            if not adapters:  # attendance: millions of rows of plain values
                yield from rows
                return
            for row in rows:
                values = list(row)
                for i, adapt in adapters:
                    values[i] = adapt(values[i])
                yield values

        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        columns = ", ".join(quote(f.column) for f in fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for values in adapted():
                        copy.write_row(values)
            else:
                placeholders = ", ".join(["%s"] * len(fields))
                sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
                cursor.executemany(sql, adapted())  # type: ignore[arg-type]  # any iterable

    def rows(
        self,
        model: type[models.Model],
        names: list[str],
        rows: list[tuple[Any, ...]],
        *,
        history: bool = False,
    ) -> None:
        """Insert plain tuples (values of `names`); the other fields get their defaults.
        With `history` (a tracked model; `names` starts with "id", taken from `reserve`),
        each row gets its "+" history row too, without building an instance per row."""
        given = [model._meta.get_field(name) for name in names]
        rest = [f for f in model._meta.concrete_fields if not f.primary_key and f not in given]
        defaults = tuple(self.now if _is_auto_time(f) else f.get_default() for f in rest)
        fields: list[Any] = [*given, *rest]
        full = rows if not rest else [row + defaults for row in rows]
        self._execute(model, fields, full)
        if history and full:
            position = {f.attname: i for i, f in enumerate(fields)}
            self._history(model, full, lambda f: position[f.attname])

    def reserve(self, model: type[models.Model], count: int) -> int:
        """The first of `count` ids kept for rows of `model` written with `rows` (the
        sequences continue after them: `reset_sequences`)."""
        if model not in self.next_ids:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT MAX({connection.ops.quote_name(model._meta.pk.column)}) "
                    f"FROM {connection.ops.quote_name(model._meta.db_table)}"
                )
                self.next_ids[model] = (cursor.fetchone()[0] or 0) + 1
        first = self.next_ids[model]
        self.next_ids[model] += count
        return first

    def objects(self, model: type[models.Model], objs: list[Any]) -> None:
        """Insert unsaved instances with ids assigned here, and their history rows."""
        if not objs:
            return
        auto = [f.attname for f in model._meta.concrete_fields if _is_auto_time(f)]
        for number, obj in enumerate(objs, start=self.reserve(model, len(objs))):
            obj.pk = number
            for name in auto:
                setattr(obj, name, self.now)
        fields = list(model._meta.concrete_fields)
        read = attrgetter(*(f.attname for f in fields))
        self._execute(model, fields, [read(obj) for obj in objs])
        if hasattr(model, "history"):
            self._history(model, objs, lambda f: f.attname)

    def _history(
        self, model: type[models.Model], rows: list[Any], key: Callable[[Any], Any]
    ) -> None:
        """The "+" history rows of `rows` (instances read by attname, or tuples by the
        position `key` gives each copied field)."""
        history = model.history.model  # type: ignore[attr-defined]
        constants = {
            "history_date": self.now,
            "history_change_reason": self.via,
            "history_type": "+",
            "history_user_id": self.user_id,
        }
        fields = [f for f in history._meta.concrete_fields if not f.primary_key]
        copied = [f for f in fields if f.attname not in constants]
        tail = tuple(constants[f.attname] for f in fields if f.attname in constants)
        keys = [key(f) for f in copied]
        read = attrgetter(*keys) if isinstance(keys[0], str) else itemgetter(*keys)
        self._execute(
            history,
            copied + [f for f in fields if f.attname in constants],
            [read(row) + tail for row in rows],
        )

    def reset_sequences(self) -> None:
        """Let the database's own id sequences continue after the ids assigned here."""
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(self.next_ids)):
                cursor.execute(sql)


def _is_auto_time(field: Any) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


# --- what the app builders share --------------------------------------------------------


class DemoContext:
    """The arguments and the shared state of one demo run.

    All randomness comes from `rng` with the Faker instance (the members and seats, drawn
    in a fixed order) and from named streams of their own (`stream`), all seeded with the
    seed, so the same seed and as-of date give the same data.
    """

    def __init__(self, scale: str, seed: int, as_of: dt.date, progress: Progress | None):
        self.scale, self.as_of = scale, as_of
        self.profile = PROFILES[scale]
        self.seed = seed
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.progress: Progress = progress or (lambda done, total, message: None)
        self.cipher = get_cipher()
        self.via = current_via()[:100]
        self.now = timezone.now()
        self.insert = Inserter(self.via, self.now)
        self.streams: dict[str, random.Random] = {}
        self.initials: dict[str, str] = {}

    def stream(self, name: str) -> random.Random:
        """The random stream `name` (one per name and run): records drawn from it leave
        the members and seats of a seed as they were."""
        if name not in self.streams:
            self.streams[name] = random.Random(f"{self.seed}:{name}")
        return self.streams[name]


class DemoPart:
    """Base of an app's demo builder: the context's values as attributes, and helpers
    drawing from the shared `rng`."""

    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.scale, self.seed, self.as_of = ctx.scale, ctx.seed, ctx.as_of
        self.profile = ctx.profile
        self.rng, self.fake = ctx.rng, ctx.fake
        self.insert, self.now, self.cipher = ctx.insert, ctx.now, ctx.cipher

    def day(self, low: dt.date, high: dt.date) -> dt.date:
        return low + dt.timedelta(days=self.rng.randint(0, max(0, (high - low).days)))

    def ago(self, low_days: int, high_days: int) -> dt.date:
        return self.as_of - dt.timedelta(days=self.rng.randint(low_days, high_days))

    def year_day(self, first: int, last: int) -> dt.date:
        return self.day(dt.date(first, 1, 1), dt.date(last, 12, 31))

    def tri(self, low: int, high: int, mode: int) -> int:
        return round(self.rng.triangular(low, high, mode))

    def initials_of(self, name: str, person: bool = False) -> str:
        key = ("p" if person else "o") + name
        cache = self.ctx.initials
        if key not in cache:
            cache[key] = person_initials(name) if person else initials(name)
        return cache[key]
