"""Shared variables and functions used from several Python threads at once: calls release the
GIL, updates are atomic (no update lost), get_value/set_value and readers see whole values, and
values borrowed from NumPy are dropped without deadlocking on the GIL."""

import threading

import numpy as np

import theon
import theon.tensor as T

N = 10000
TIMEOUT = 60  # seconds; a deadlock fails the test instead of hanging the suite


def run_threads(*bodies):
    """Starts every body on its own thread at the same moment and waits for all of them."""
    start = threading.Barrier(len(bodies))
    errors = []

    def wrap(body):
        def run():
            start.wait()
            try:
                body()
            except BaseException as e:  # reported by the main thread
                errors.append(e)
        return run

    threads = [threading.Thread(target=wrap(b), daemon=True) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "threads deadlocked"
    if errors:
        raise errors[0]


def calls(f, n):
    def body():
        for _ in range(n):
            f()
    return body


def test_two_functions_updating_one_shared_value_lose_no_update():
    s = theon.shared(np.float64(0.0), "s")
    add1 = theon.function([], [], updates=[(s, s + 1)])
    add2 = theon.function([], [], updates=[(s, s + 2)])
    run_threads(calls(add1, N), calls(add2, N))
    assert s.get_value() == 3 * N


def test_one_function_from_four_threads_loses_no_update():
    s = theon.shared(np.zeros(3, dtype="int64"), "s")
    inc = theon.function([], [], updates=[(s, s + 1)])
    run_threads(*[calls(inc, N // 4)] * 4)
    np.testing.assert_array_equal(s.get_value(), [N, N, N])


def test_updates_listed_in_opposite_orders_do_not_deadlock():
    a = theon.shared(np.float64(0.0), "a")
    b = theon.shared(np.float64(0.0), "b")
    f = theon.function([], [], updates=[(a, a + 1), (b, b + 1)])
    g = theon.function([], [], updates=[(b, b + 1), (a, a + 1)])
    run_threads(calls(f, N), calls(g, N))
    assert (a.get_value(), b.get_value()) == (2 * N, 2 * N)


def test_readers_get_value_and_set_value_see_whole_values():
    # Every update and set_value keeps all elements equal: a torn value would mix two states.
    size = 256
    s = theon.shared(np.zeros(size), "s")
    inc = theon.function([], [], updates=[(s, s + 1)])
    read = theon.function([], s * 2)
    seen = []

    def reader():
        for _ in range(N // 8):
            seen.append(read())

    def getter():
        for i in range(N // 8):
            seen.append(s.get_value(borrow=i % 2 == 0))

    def setter():
        for i in range(N // 8):
            # borrow=True: the shared value is the NumPy array itself, dropped later by
            # whichever thread replaces it (which must not hold a lock while taking the GIL).
            s.set_value(np.full(size, float(i)), borrow=i % 2 == 0)

    run_threads(calls(inc, N // 4), reader, getter, setter)
    for v in seen:
        assert v.shape == (size,)
        assert (v == v[0]).all()
    final = s.get_value()
    assert (final == final[0]).all()


def test_one_function_from_several_threads_keeps_their_values_apart():
    x = T.dvector("x")
    s = theon.shared(np.array([1.0, 2.0, 3.0]), "s")
    f = theon.function([x], x * 2 + s)
    wrong = []

    def body(t):
        def run():
            arg = np.full(3, float(t))
            for _ in range(N // 8):
                got = f(arg)
                if not np.array_equal(got, 2 * t + np.array([1.0, 2.0, 3.0])):
                    wrong.append((t, got))
        return run

    run_threads(*[body(t) for t in range(4)])
    assert not wrong


def test_a_failing_call_leaves_the_value_and_releases_the_lock():
    x = T.dvector("x")
    s = theon.shared(np.zeros(3), "s")
    f = theon.function([x], [], updates=[(s, s + x)])
    errors = []

    def bad():
        for _ in range(100):
            try:
                f(np.ones(4))
            except ValueError as e:
                errors.append(e)

    run_threads(bad, calls(lambda: f(np.ones(3)), 100))
    assert len(errors) == 100
    np.testing.assert_array_equal(s.get_value(), [100, 100, 100])
