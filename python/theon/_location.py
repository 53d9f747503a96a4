"""Finds the user's file:line that is building a node (the first frame outside theon)."""

import os
import sys

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def user_location():
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR):
            return f"{filename}:{frame.f_lineno}"
        frame = frame.f_back
    return ""
