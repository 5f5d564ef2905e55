"""Seeding: manual_seed, get_state / set_state, and the random factories drawing from them."""

import json

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es import random as mt_random

DRAWS = {
    "randn": lambda: mt.randn(3, 4),
    "randn64": lambda: mt.randn(5, dtype=mt.float64),
    "rand": lambda: mt.rand(2, 3),
    "randint": lambda: mt.randint(0, 100, (10,)),
    "randperm": lambda: mt.randperm(20),
}


def draw_all():
    return [DRAWS[k]().numpy().copy() for k in DRAWS]


@pytest.mark.parametrize("name", DRAWS)
def test_manual_seed_makes_each_factory_reproducible(name):
    mt.manual_seed(42)
    first = DRAWS[name]().numpy().copy()
    mt.manual_seed(42)
    second = DRAWS[name]().numpy().copy()
    np.testing.assert_array_equal(first, second)
    mt.manual_seed(43)
    assert not np.array_equal(DRAWS[name]().numpy(), first)


def test_manual_seed_reproduces_a_whole_mixed_sequence():
    mt.manual_seed(7)
    a = draw_all()
    mt.manual_seed(7)
    b = draw_all()
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_consecutive_draws_differ():
    assert not np.array_equal(mt.randn(10).numpy(), mt.randn(10).numpy())


def test_manual_seed_returns_the_shared_generator_and_records_the_seed():
    gen = mt.manual_seed(123)
    assert gen is mt.default_generator and gen.rng is mt_random.generator()
    assert mt.initial_seed() == 123
    mt.manual_seed(np.int64(5))
    assert mt.initial_seed() == 5 and isinstance(mt.initial_seed(), int)


def test_get_state_set_state_round_trip_restores_the_stream_exactly():
    mt.randn(5)  # move away from the seeded start
    state = mt_random.get_state()
    expected = draw_all()
    mt.manual_seed(999)  # disturb
    draw_all()
    mt_random.set_state(state)
    for x, y in zip(expected, draw_all()):
        np.testing.assert_array_equal(x, y)


def test_state_survives_json_and_keeps_the_seed():
    mt.manual_seed(31)
    mt.rand(3)
    state = json.loads(json.dumps(mt_random.get_state()))
    expected = mt.randn(4).numpy().copy()
    mt.manual_seed(0)
    mt_random.set_state(state)
    np.testing.assert_array_equal(mt.randn(4).numpy(), expected)
    assert mt.initial_seed() == 31


def test_state_after_an_odd_number_of_32_bit_draws_round_trips():
    # A buffered uint32 (has_uint32 / uinteger) must be part of the state.
    mt_random.generator().integers(0, 10, size=1, dtype=np.int32)
    state = json.loads(json.dumps(mt_random.get_state()))
    expected = mt_random.generator().integers(0, 2**31, size=5, dtype=np.int32)
    mt_random.set_state(state)
    np.testing.assert_array_equal(
        mt_random.generator().integers(0, 2**31, size=5, dtype=np.int32), expected
    )


def test_get_state_is_a_copy():
    state = mt_random.get_state()
    mt.randn(3)
    assert mt_random.get_state() != state


@pytest.mark.parametrize(
    "seed,error",
    [
        (1.5, TypeError),
        ("1", TypeError),
        (None, TypeError),
        (True, TypeError),
        (-1, ValueError),
    ],
)
def test_bad_seeds_raise(seed, error):
    with pytest.raises(error, match="manual_seed"):
        mt.manual_seed(seed)


@pytest.mark.parametrize(
    "state",
    [
        None,
        {},
        [1, 2],
        {"bit_generator": "MT19937", "state": {}},
        {"bit_generator": "PCG64"},
        {"bit_generator": "PCG64", "state": {}},
        {"bit_generator": "PCG64", "state": "abc"},
        {"bit_generator": "PCG64", "state": {"state": "x", "inc": 1}},
        {"bit_generator": "PCG64", "state": {"state": -1, "inc": 1}},
        {"bit_generator": "PCG64", "state": {"state": 1, "inc": 1}, "seed": "s"},
    ],
    ids=str,
)
def test_bad_states_raise_value_error_and_leave_the_stream_alone(state):
    before = mt_random.get_state()
    with pytest.raises(ValueError, match="get_state"):
        mt_random.set_state(state)
    assert mt_random.get_state() == before


def test_randint_range_shape_and_dtype():
    r = mt.randint(3, 7, (1000,))
    assert r.dtype == mt.int64 and r.shape == (1000,)
    assert r._data.min() >= 3 and r._data.max() <= 6 and set(np.unique(r._data)) == {3, 4, 5, 6}
    assert mt.randint(5, size=(2, 3))._data.max() < 5
    assert mt.randint(0, 5, (4,), dtype=mt.int32).dtype == mt.int32
    assert not mt.randint(0, 2, (2,)).requires_grad


def test_randint_accepts_pytorchs_high_size_form():
    mt.manual_seed(3)
    a = mt.randint(10, (50,))
    mt.manual_seed(3)
    b = mt.randint(0, 10, (50,))
    assert a.shape == (50,) and a._data.min() >= 0 and a._data.max() < 10
    np.testing.assert_array_equal(a._data, b._data)
    assert mt.randint(4, [2, 3]).shape == (2, 3)


def test_float16_draws_and_default():
    x, u = mt.randn(1000, dtype=mt.float16), mt.rand(1000, dtype=mt.float16)
    assert x.dtype == u.dtype == mt.float16
    assert abs(float(x._data.astype(np.float64).mean())) < 0.15
    assert u._data.min() >= 0 and u._data.max() < 1
    mt.set_default_dtype(mt.float16)
    assert mt.randn(2).dtype == mt.float16 and mt.rand(2).dtype == mt.float16


@pytest.mark.parametrize("factory", [mt.randn, mt.rand])
def test_random_floats_with_an_integer_dtype_raise(factory):
    with pytest.raises(TypeError, match="floating point dtype"):
        factory(2, dtype=mt.int64)


def test_randperm_is_a_permutation():
    p = mt.randperm(50)
    assert p.dtype == mt.int64
    np.testing.assert_array_equal(np.sort(p._data), np.arange(50))
    assert not np.array_equal(p._data, np.arange(50))
