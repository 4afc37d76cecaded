"""Sphinx configuration of the numba-rnn documentation (``make docs``, warnings are errors)."""

import pathlib
import sys
from importlib import metadata

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))

project = "numba-rnn"
author = "numba-rnn developers"
copyright = "2026, numba-rnn developers"
release = metadata.version("numba-rnn")  # the one source: pyproject.toml

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build"]
templates_path = ["_templates"]
html_theme = "alabaster"
html_static_path = []

autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": False}
# The methods are documented by the class template (fit, predict, ...), not numpydoc's table.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# A docstring that does not document every parameter of its signature (or documents one that
# is not there, or leaves one without a description) fails the build: renamed parameters
# cannot leave the reference stale.
numpydoc_validation_checks = {"PR01", "PR02", "PR07", "GL08"}
numpydoc_validation_exclude = {r"\.__init__$", r"\.__call__$"}
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]


def _figures(app):
    """Draw the figures the pages show from the code in the repository (docs/figures.py)."""
    import figures

    figures.main(pathlib.Path(app.srcdir) / "img")


def setup(app):
    app.connect("builder-inited", _figures)
