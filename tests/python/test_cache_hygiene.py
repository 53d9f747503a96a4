"""Kernel cache hygiene: a process that exits during its background compile still fills the
cache, temporaries of dead processes are removed, at most config.compile_jobs compilers run at
once across processes, an entry whose library does not load is rebuilt, and an unusable
compiledir says so once."""

import contextlib
import os
import socket
import subprocess
import sys
import time

import pytest

from cache_util import (BUILT, CACHED, CHILD, CXX, FALLBACK, entries, flags, manifest_for,
                        run_child, run_python, temporaries)

import theon

EXIT_AT_ONCE = """
import theon, theon.tensor as T
x = T.vector('x')
f = theon.function([x], T.exp(x) * 2 + T.sin(x) * 7)
print(f.kernels["state"])
"""


def slow_compiler(tmp_path, seconds):
    """A compiler that takes `seconds` longer than the real one."""
    slow = tmp_path / "slowcxx.sh"
    slow.write_text(f'#!/bin/sh\n[ "$1" = --version ] || sleep {seconds}\nexec {CXX} "$@"\n')
    slow.chmod(0o755)
    return str(slow)


def test_a_process_that_exits_during_its_compile_still_fills_the_cache(tmp_path):
    cache = tmp_path / "cache"
    env = flags(cache, cxx=slow_compiler(tmp_path, 1), compile_wait=False, compile_exit_wait=60)
    for _ in range(2):
        r = run_python(EXIT_AT_ONCE, env)
        assert r.returncode == 0, r.stderr
    # The first run exited while compiling, so it waited; the second loaded its entry.
    assert r.stdout.split() == ["installed"]
    assert len(entries(cache)) == 1 and temporaries(cache) == []


def test_compile_exit_wait_zero_exits_without_waiting(tmp_path):
    cache = tmp_path / "cache"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path),
               **flags(cache, cxx=slow_compiler(tmp_path, 20), compile_wait=False,
                       compile_exit_wait=0))
    start = time.monotonic()
    p = subprocess.Popen([sys.executable, "-c", EXIT_AT_ONCE], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env, start_new_session=True)
    _, err = p.communicate(timeout=60)
    elapsed = time.monotonic() - start
    with contextlib.suppress(ProcessLookupError):
        os.killpg(p.pid, 9)  # the compiler it left running
    assert p.returncode == 0, err
    assert elapsed < 15 and entries(cache) == []


def test_a_forked_child_does_not_wait_for_its_parents_compiles(tmp_path):
    cache = tmp_path / "cache"
    code = EXIT_AT_ONCE + """
import os, time
start = time.monotonic()
pid = os.fork()
if pid == 0:
    raise SystemExit(0)  # exits through the interpreter and the exit handlers
os.waitpid(pid, 0)
print(round(time.monotonic() - start, 1))
"""
    env = flags(cache, cxx=slow_compiler(tmp_path, 6), compile_wait=False, compile_exit_wait=60)
    r = run_python(code, env)
    assert r.returncode == 0, r.stderr
    assert float(r.stdout.split()[-1]) < 4  # the child did not wait for the 6 s compile
    assert len(entries(cache)) == 1  # the parent did


def test_a_killed_process_leaves_a_temporary_the_next_run_removes(tmp_path):
    cache = tmp_path / "cache"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path),
               **flags(cache, cxx=slow_compiler(tmp_path, 30)))
    p = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env, start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline and not (cache.exists() and temporaries(cache)):
        time.sleep(0.05)
    os.killpg(p.pid, 9)
    p.wait()
    (left,) = temporaries(cache)
    assert f"-{p.pid}-" in left.name  # named by its process, which is dead now
    # A temporary of a live process, and one from an older theon not a day old, are kept.
    live = cache / left.name.replace(f"-{p.pid}-", f"-{os.getpid()}-")
    unknown = cache / "tmp-Ab12Cd"
    old_unknown = cache / "tmp-Ef34Gh"
    for d in (live, unknown, old_unknown):
        d.mkdir()
    old = time.time() - 120
    for d in (left, live, unknown):
        os.utime(d, (old, old))
    os.utime(old_unknown, (old - 2 * 86400, old - 2 * 86400))
    assert run_child(cache)[0] == BUILT
    assert temporaries(cache) == sorted([live, unknown])


def test_a_fresh_temporary_of_a_dead_process_is_left_alone(tmp_path):
    cache = tmp_path / "cache"
    assert run_child(cache)[0] == BUILT
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    # Named as this host's temporaries are: its age, not its owner, keeps it.
    host = "".join(c for c in socket.gethostname() if c.isalnum() or c == ".")[:40]
    fresh = cache / f"tmp-{host}-{dead}-Zz9Yy8"
    fresh.mkdir()
    assert run_child(cache)[0] == CACHED
    assert temporaries(cache) == [fresh]
    env = flags(cache)
    r = run_python("from theon.compiledir import main; main(['clear'])", env)
    assert r.returncode == 0 and temporaries(cache) == []  # clear does not wait for the age


def test_a_library_that_does_not_load_is_rebuilt(tmp_path):
    cache = tmp_path / "cache"
    assert run_child(cache)[0] == BUILT
    for entry in entries(cache):
        garbage = os.urandom((entry / "module.so").stat().st_size)
        (entry / "module.so").write_bytes(garbage)
        (entry / "manifest").write_text(manifest_for(garbage))  # a valid manifest
    assert run_child(cache)[0] == BUILT
    assert run_child(cache)[0] == CACHED


COUNTING_COMPILER = """#!{python}
import fcntl, os, subprocess, sys, time
log = {log!r}
if sys.argv[1:] == ["--version"]:
    os.execvp({cxx!r}, [{cxx!r}, "--version"])
def running(change):
    with open(log + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        n = (int(open(log + ".now").read()) if os.path.exists(log + ".now") else 0) + change
        open(log + ".now", "w").write(str(n))
        if change > 0:
            open(log, "a").write(f"{{n}}\\n")
running(1)
try:
    time.sleep(0.5)
    status = subprocess.call([{cxx!r}] + sys.argv[1:])
finally:
    running(-1)
sys.exit(status)
"""

# Two modules, made of the theon.tensor functions named in `ops`.
TWO_MODULES = """
import theon, theon.tensor as T
x = T.vector('x')
fs = [theon.function([x], getattr(T, op)(x) * 3 + T.sin(x)) for op in {ops!r}]
print(all(f.wait_for_kernels() for f in fs))
"""


def test_at_most_compile_jobs_compilers_run_at_once_across_processes(tmp_path):
    cache = tmp_path / "cache"
    log = tmp_path / "running"
    cxx = tmp_path / "countcxx.py"
    cxx.write_text(COUNTING_COMPILER.format(python=sys.executable, log=str(log), cxx=CXX))
    cxx.chmod(0o755)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path),
               **flags(cache, cxx=str(cxx), compile_wait=False, compile_jobs=2))
    # Three processes, two modules each, all compiling in the background at once.
    procs = [subprocess.Popen([sys.executable, "-c", TWO_MODULES.format(ops=ops)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for ops in (["exp", "cos"], ["tanh", "cosh"], ["sinh", "arctan"])]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0 and out.split() == ["True"], err
    counts = [int(n) for n in log.read_text().split()]
    assert len(counts) == 6 and max(counts) <= 2
    assert len(entries(cache)) == 6


def test_an_unusable_compiledir_says_so_once(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result, err = run_child(blocker / "cache")
    assert result == FALLBACK
    assert err.count("theon:") == 1 and "cannot create" in err and str(blocker) in err


def test_the_new_settings_are_checked():
    with pytest.raises(ValueError, match="compile_jobs"):
        theon.config.compile_jobs = "-1"
    with pytest.raises(ValueError, match="compile_exit_wait"):
        theon.config.compile_exit_wait = "soon"
    with theon.config.change_flags(compile_exit_wait="2.5", compile_jobs="3"):
        assert str(theon.config.compile_exit_wait) == "2.5"
        assert str(theon.config.compile_jobs) == "3"
