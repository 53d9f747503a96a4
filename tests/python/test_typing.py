"""The installed package carries type stubs (theon/_core.pyi, theon/tensor/__init__.pyi,
py.typed): mypy accepts a typed user program and reports the mistakes it should."""

import pathlib
import re
import subprocess
import sys

import pytest

import theon

CHECKS = pathlib.Path(__file__).parent / "typing_checks"
PACKAGE = pathlib.Path(theon.__file__).parent


def _mypy(path, tmp_path):
    pytest.importorskip("mypy")
    if not (PACKAGE / "_core.pyi").exists():
        pytest.skip("this build made no stubs (THEON_PYTHON_STUBS=OFF, the sanitized build)")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--show-error-codes",
         "--cache-dir", str(tmp_path / "mypy-cache"), str(path)],
        capture_output=True, text=True, cwd=tmp_path)
    return result.returncode, result.stdout + result.stderr


def test_the_package_is_marked_typed_and_has_stubs():
    assert (PACKAGE / "py.typed").exists()
    stub = (PACKAGE / "_core.pyi").read_text() if (PACKAGE / "_core.pyi").exists() else ""
    if not stub:
        pytest.skip("this build made no stubs (THEON_PYTHON_STUBS=OFF, the sanitized build)")
    assert "class Variable:" in stub and "def __add__(self, other: Any) -> Variable" in stub
    tensor_stub = (PACKAGE / "tensor" / "__init__.pyi").read_text()
    assert "def matrix(name: Any = ..., dtype: Any = ...) -> Variable" in tensor_stub


def test_mypy_accepts_a_typed_user_program(tmp_path):
    code, out = _mypy(CHECKS / "user_program.py", tmp_path)
    assert code == 0, out


def test_mypy_reports_misuse(tmp_path):
    code, out = _mypy(CHECKS / "misuse.py", tmp_path)
    assert code == 1, out
    expected = {i + 1 for i, line in enumerate((CHECKS / "misuse.py").read_text().splitlines())
                if "# error:" in line}
    reported = {int(m.group(1)) for m in re.finditer(r"misuse\.py:(\d+): error", out)}
    assert reported == expected, out
