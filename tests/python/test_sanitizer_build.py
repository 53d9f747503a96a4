"""Under scripts/sanitize.sh the smoke suite must exercise the sanitized extension, not an
installed release build that happens to be importable."""

import os

import pytest

import theon


@pytest.mark.skipif("THEON_EXPECT_SANITIZED" not in os.environ, reason="only under scripts/sanitize.sh")
def test_the_sanitized_extension_is_loaded():
    with open(theon._core.__file__, "rb") as library:
        assert b"__asan_init" in library.read()
