"""The kernel cache loads only what the user alone could have written (docs/kernel_cache.md): a
cache directory or entry that someone else owns or may write to is refused with one warning,
the functions run on the precompiled kernels, and a library planted there never runs."""

import os

import pytest

from cache_util import (BUILT, CACHED, FALLBACK, build_planted_library, entries, flags,
                        manifest_for, plant, run_child, run_python)


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")


@pytest.fixture
def planted(tmp_path):
    """(library bytes, marker path): the library writes the marker when it is loaded."""
    marker = tmp_path / "planted-ran"
    return build_planted_library(tmp_path, marker), marker


@pytest.fixture
def cache(tmp_path):
    """A cache holding the two entries of the child's functions, built by a first run."""
    cache = tmp_path / "cache"
    assert run_child(cache)[0] == BUILT
    assert len(entries(cache)) == 2
    return cache


def test_a_world_writable_compiledir_is_refused_and_functions_still_run(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o777)
    result, err = run_child(cache)
    assert result == FALLBACK
    assert err.count("theon:") == 1, err  # one warning for both functions
    assert f"compiledir = {cache}" in err and "mode 0777" in err and "others" in err
    assert list(cache.iterdir()) == []  # nothing compiled into it


def test_a_library_planted_in_a_world_writable_compiledir_never_runs(cache, planted):
    library, marker = planted
    for entry in entries(cache):
        plant(entry, library)
    cache.chmod(0o777)
    result, err = run_child(cache)
    assert result == FALLBACK and "not used" in err
    assert not marker.exists()


@pytest.mark.parametrize("writable", ["entry", "library", "manifest"])
def test_a_library_in_a_group_or_other_writable_entry_never_runs(cache, planted, writable):
    library, marker = planted
    for entry in entries(cache):
        plant(entry, library)
        {"entry": entry, "library": entry / "module.so",
         "manifest": entry / "manifest"}[writable].chmod(0o777 if writable == "entry" else 0o620)
    result, err = run_child(cache)
    assert result == FALLBACK
    assert not marker.exists()
    assert "refusing" in err and "write to it" in err
    assert all(str(entry) in err for entry in entries(cache))


def test_a_planted_library_that_fails_its_checksum_is_rebuilt_not_loaded(cache, planted):
    library, marker = planted
    for entry in entries(cache):
        plant(entry, library, valid_manifest=False)
    result, _ = run_child(cache)
    assert result == BUILT
    assert not marker.exists()
    assert run_child(cache)[0] == CACHED


def test_an_entry_that_is_a_symlink_is_refused(cache, planted, tmp_path):
    library, marker = planted
    for i, entry in enumerate(entries(cache)):
        elsewhere = tmp_path / f"elsewhere{i}"
        entry.rename(elsewhere)
        plant(elsewhere, library)
        entry.symlink_to(elsewhere)
    result, err = run_child(cache)
    assert result == FALLBACK and "symlink" in err
    assert not marker.exists()


def test_a_library_that_is_a_symlink_is_refused(cache, planted, tmp_path):
    library, marker = planted
    for entry in entries(cache):
        (entry / "module.so").unlink()
        (entry / "module.so").symlink_to(tmp_path / "planted.so")
        (entry / "manifest").write_text(manifest_for(library))
    result, err = run_child(cache)
    assert result == FALLBACK and "symlink" in err
    assert not marker.exists()


def test_a_directory_above_that_anyone_may_write_to_is_refused(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    result, err = run_child(shared / "cache")
    assert result == FALLBACK and f"{shared}, has mode 0777" in err
    shared.chmod(0o1777)  # sticky, as /tmp: others cannot rename what is not theirs
    assert run_child(shared / "cache")[0] == BUILT


@needs_root
def test_a_compiledir_owned_by_another_user_is_refused(cache, planted):
    library, marker = planted
    for entry in entries(cache):
        plant(entry, library)
    os.chown(cache, 65534, 65534)
    result, err = run_child(cache)
    assert result == FALLBACK and "owned by uid 65534" in err
    assert not marker.exists()


@needs_root
def test_an_entry_owned_by_another_user_is_refused(cache, planted):
    library, marker = planted
    for entry in entries(cache):
        plant(entry, library)
        os.chown(entry / "module.so", 65534, 65534)
    result, err = run_child(cache)
    assert result == FALLBACK and "owned by uid 65534" in err
    assert not marker.exists()


def test_the_compiledir_command_says_what_is_refused(cache):
    entry = entries(cache)[0]
    entry.chmod(0o770)
    env = flags(cache)
    r = run_python("from theon.compiledir import main; main(['list'])", env)
    assert r.returncode == 0, r.stderr
    assert "2 cached modules" in r.stdout
    assert f"{entry.name}" in r.stdout and "INVALID" in r.stdout and "mode 0770" in r.stdout
    cache.chmod(0o777)
    r = run_python("from theon.compiledir import main; main(['list'])", env)
    assert "not used" in r.stdout and "mode 0777" in r.stdout
    r = run_python("from theon.compiledir import main; main(['clear'])", env)
    assert r.returncode != 0 and "not used" in r.stderr  # no removing inside an untrusted tree
    cache.chmod(0o700)
    r = run_python("from theon.compiledir import main; main(['clear'])", env)
    assert "removed 2" in r.stdout
    assert entries(cache) == []
