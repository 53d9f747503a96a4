"""Test-wide settings: generated kernels are off unless a test turns them on (each function
would otherwise start a C++ compiler in the background), their cache lives in a private
directory, and fusion is off unless a test turns it on, so that golden graphs show the rewrites
they are about (tests/python/test_codegen.py covers fusion)."""

import os

import pytest

import theon


@pytest.fixture(scope="session", autouse=True)
def _no_generated_kernels(tmp_path_factory):
    theon.config.compiledir = str(tmp_path_factory.mktemp("compiledir"))
    theon.config.cxx = ""
    theon.config.optimizer_excluding = "fusion"


@pytest.fixture
def codegen(tmp_path):
    """Generated kernels and fusion on, with a private cache; function() waits for kernels."""
    cxx = os.environ.get("CXX") or "g++"
    with theon.config.change_flags(cxx=cxx, optimizer_excluding="", compile_wait=True,
                                   compiledir=str(tmp_path / "cache")):
        yield tmp_path
