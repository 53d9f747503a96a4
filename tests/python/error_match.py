"""The check error tests share: a call raises `cls` and its message matches every pattern."""

import re

import pytest


def raises_matching(cls, fn, *patterns):
    with pytest.raises(cls) as info:
        fn()
    msg = str(info.value)
    for p in patterns:
        assert re.search(p, msg, re.S), f"{p!r} not in:\n{msg}"
    return msg
