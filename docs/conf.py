"""Sphinx configuration for Theon's documentation (built by scripts/docs.sh)."""

import os
import sys

sys.path.insert(0, os.path.abspath("_ext"))

project = "Theon"
author = "The Theon developers"
copyright = "2026, the Theon developers"
release = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.napoleon",
    "myst_parser",
    "theon_docs",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_theme_options = {"description": "Theano's API, compiled by C++", "fixed_sidebar": True}
html_static_path = []
myst_heading_anchors = 3
suppress_warnings = ["myst.xref_missing"]

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "undoc-members": False}

# Every example in the pages runs under `sphinx-build -b doctest`; this is what each page has.
doctest_global_setup = """
import numpy as np
import theon
import theon.tensor as T
np.set_printoptions(legacy=False)
"""
