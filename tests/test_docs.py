"""The docs cannot go stale: every Python code block of the README and docs/ runs (on the sizes
written there), every docstring example runs, and the API reference lists every public name."""

import doctest
import importlib
import pathlib
import pkgutil
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
PACKAGES = ["reservoir", "rtrl", "lstm", "experiments"]
#: Packages of optional extras that a page's examples may import: the page is skipped without them.
EXTRAS = {"matplotlib": "plot", "dask": "distributed", "distributed": "distributed",
          "experiments.archives": "archives", "experiments.real_series": "series"}
#: Modules whose docstring examples need an optional extra: module -> (package, extra).
MODULE_EXTRAS = {"experiments.archives": ("sktime", "archives"),
                 "experiments.real_series": ("statsmodels", "series")}


@pytest.mark.parametrize("page", [p for p in PAGES if BLOCK.search(p.read_text())],
                         ids=lambda p: p.name)
def test_code_blocks_run(page):
    blocks = BLOCK.findall(page.read_text())
    for module, extra in EXTRAS.items():
        if re.search(rf"^\s*(from|import) {re.escape(module)}\b", "\n".join(blocks), re.M):
            package = MODULE_EXTRAS.get(module, (module,))[0]
            pytest.importorskip(package, reason=f"{page.name}'s examples need the {extra} extra")
    namespace = {}
    for block in blocks:
        exec(compile(block, str(page), "exec"), namespace)


def _modules():
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, name + "."):
            if not info.name.endswith("__main__"):
                yield importlib.import_module(info.name)


@pytest.mark.parametrize("module", list(_modules()), ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    if module.__name__ in MODULE_EXTRAS:
        package, extra = MODULE_EXTRAS[module.__name__]
        pytest.importorskip(package, reason=f"its examples need the {extra} extra")
    failed, _ = doctest.testmod(module, verbose=False, optionflags=doctest.ELLIPSIS)
    assert failed == 0


def test_api_reference_lists_every_public_name():
    api = (ROOT / "docs" / "api.rst").read_text()
    listed = set(re.findall(r"^   (\w+)$", api, re.M))
    for name in ["reservoir", "rtrl", "lstm"]:
        missing = set(importlib.import_module(name).__all__) - listed
        assert not missing, f"add {sorted(missing)} of {name} to docs/api.rst"
    experiments = importlib.import_module("experiments")
    modules = {info.name for info in pkgutil.iter_modules(experiments.__path__)
               if not info.name.startswith("_")}
    missing = modules - listed
    assert not missing, f"add experiments modules {sorted(missing)} to docs/api.rst"


#: Pages that Sphinx writes itself: a source page of the same name would be overwritten.
GENERATED = {"search", "genindex", "py-modindex", "modindex"}


def test_no_page_collides_with_a_page_sphinx_generates():
    pages = {page.stem for page in (ROOT / "docs").glob("*.md")} | \
        {page.stem for page in (ROOT / "docs").glob("*.rst")}
    clashes = pages & GENERATED
    assert not clashes, f"rename docs/{sorted(clashes)}: Sphinx generates pages of these names"


def test_every_page_is_in_the_toctree():
    index = (ROOT / "docs" / "index.md").read_text()
    for page in (ROOT / "docs").glob("*.md"):
        if page.stem != "index":
            assert re.search(rf"^{page.stem}$", index, re.M), f"{page.name} is not in index.md"


@pytest.mark.parametrize("module", list(_modules()), ids=lambda m: m.__name__)
def test_no_docstring_keeps_an_unfilled_fragment(module):
    import inspect

    objects = [o for _, o in inspect.getmembers(module)
               if getattr(o, "__module__", None) == module.__name__]
    objects += [m for o in objects if inspect.isclass(o) for m in vars(o).values()
                if callable(m)]
    unfilled = [f"{getattr(o, '__qualname__', o)}: {line.strip()}"
                for o in objects for line in (getattr(o, "__doc__", None) or "").splitlines()
                if re.fullmatch(r"\s*\{\w+\}\s*", line)]
    assert not unfilled, f"decorate these with fill_doc: {unfilled}"
