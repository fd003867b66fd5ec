import datetime as dt
from decimal import Decimal

from sanctrace.store.executor import Result
from tests.conformance.compare import differences

COLUMNS = ["k", "v", "d"]


def test_order_decimal_float_and_midnight_timestamp_are_ignored() -> None:
    duck = Result(COLUMNS, [("b", Decimal("1.10"), dt.date(2023, 1, 1)), ("a", None, None)])
    spark = Result(COLUMNS, [("a", None, None), ("b", 1.1000000000001, dt.datetime(2023, 1, 1))])
    assert differences(duck, spark) == []


def test_real_differences_are_reported() -> None:
    base = Result(COLUMNS, [("a", Decimal("1.00"), dt.date(2023, 1, 1))])
    assert differences(base, Result(COLUMNS, [("a", Decimal("1.01"), dt.date(2023, 1, 1))])) != []
    assert differences(base, Result(COLUMNS, [("a", None, dt.date(2023, 1, 1))])) != []
    assert differences(base, Result(COLUMNS, [("a", 1.0, dt.datetime(2023, 1, 1, 12))])) != []
    assert differences(base, Result(COLUMNS, [("A", 1.0, dt.date(2023, 1, 1))])) != []
    assert differences(base, Result(["k", "v", "e"], base.rows)) != []
    assert differences(base, Result(COLUMNS, base.rows * 2)) != []


def test_booleans_are_not_numbers() -> None:
    assert differences(Result(["b"], [(True,)]), Result(["b"], [(1,)])) != []
