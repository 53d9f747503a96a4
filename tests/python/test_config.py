"""theon.config: code, THEON_FLAGS and the rc file; errors for unknown flags and bad values."""

import os
import subprocess
import sys

import pytest

import theon


def _run(code, env_extra):
    env = dict(os.environ, **env_extra)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)


def test_set_in_code_and_bad_values():
    assert theon.config.floatX in ("float32", "float64")
    with pytest.raises(ValueError, match="expected one of float64, float32"):
        theon.config.floatX = "float16"
    with pytest.raises(ValueError, match="unknown flag"):
        theon.config.not_a_flag = 1
    with pytest.raises(AttributeError, match="unknown flag"):
        theon.config.not_a_flag


def test_theon_flags_environment_variable():
    r = _run("import theon; print(theon.config.floatX)", {"THEON_FLAGS": "floatX=float32"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "float32"


def test_bad_theon_flags_is_a_clear_error():
    r = _run("import theon; theon.config.floatX", {"THEON_FLAGS": "floatX=float8"})
    assert r.returncode != 0
    assert "THEON_FLAGS" in r.stderr and "float8" in r.stderr


def test_rc_file(tmp_path):
    rc = tmp_path / "theonrc"
    rc.write_text("[global]\nfloatX = float32\n")
    r = _run("import theon; print(theon.config.floatX)", {"THEONRC": str(rc), "THEON_FLAGS": ""})
    assert r.stdout.strip() == "float32", r.stderr
    r = _run("import theon; print(theon.config.floatX)",
             {"THEONRC": str(rc), "THEON_FLAGS": "floatX=float64"})
    assert r.stdout.strip() == "float64", r.stderr


def test_device_flag_takes_theanos_device_names():
    for name in ("cpu", "cuda", "cuda0", "opencl0:0"):
        with theon.config.change_flags(device=name):
            assert theon.config.device == name
    with pytest.raises(ValueError, match="bad value 'tpu0' for flag 'device'"):
        theon.config.device = "tpu0"
    r = _run("import theon; print(theon.config.device)", {"THEON_FLAGS": "device=opencl0:0"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "opencl0:0"
    # theano.config.device (and THEANO_FLAGS) is the same flag.
    r = _run("import theon.theano_alias; theon.theano_alias.enable(); import theano, theon; "
             "print(theano.config.device, theon.config.device)",
             {"THEANO_FLAGS": "device=cuda0"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "cuda0 cuda0"
