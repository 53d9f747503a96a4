"""The data tables behind dtype handling, reductions and index keys, checked against NumPy."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import _core

DTYPE_ROWS = _core.dtype_table()


def test_dtype_table_has_every_dtype_in_order():
    names = [row["name"] for row in DTYPE_ROWS]
    assert names == ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                     "uint64", "float32", "float64"]


@pytest.mark.parametrize("row", DTYPE_ROWS, ids=lambda r: r["name"])
def test_dtype_row_agrees_with_numpy(row):
    d = np.dtype(row["name"])
    assert (row["itemsize"], row["kind"], row["char"], row["num"]) == (
        d.itemsize, d.kind, d.char, d.num)
    assert np.dtype(row["char"]) == d


@pytest.mark.parametrize("row", DTYPE_ROWS, ids=lambda r: r["name"])
def test_dtype_row_round_trips_through_a_function(row):
    x = T.tensor(row["name"], shape=(None,))
    f = theon.function([x], x * 1 if row["name"] != "bool" else ~x)
    value = np.arange(5).astype(row["name"])
    out = f(value)
    assert out.dtype == value.dtype
    # Byte-swapped input is converted through the row's NumPy number.
    swapped = value.astype(value.dtype.newbyteorder())
    np.testing.assert_array_equal(f(swapped), out)
