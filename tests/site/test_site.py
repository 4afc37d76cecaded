"""The built documentation site as a reader meets it: every page of ``docs/_build/html`` loaded
in headless Chromium from a local server (scripts run, as in a browser), its title checked
against its source's heading, every internal link and image resolved, the search page asked for
``grid_search``.

Runs after ``make docs`` (``make site-check``; ``.ci/run`` installs Debian's ``chromium`` where
missing). Skipped, with the reason, when the site is not built or no Chromium is installed.
"""

import concurrent.futures
import functools
import http.server
import pathlib
import re
import shutil
import subprocess
import tempfile
import threading
import urllib.parse
from html.parser import HTMLParser

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SITE = DOCS / "_build" / "html"
CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser",
                                                "google-chrome"))), None)
#: Pages Sphinx writes itself, with their titles.
GENERATED = {"genindex.html": "Index", "search.html": "Search",
             "py-modindex.html": "Python Module Index"}
#: Flags of a headless Chromium on a machine without network (no background connections).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=4000", "--dump-dom"]

pytestmark = [
    pytest.mark.skipif(not (SITE / "index.html").exists(),
                       reason="the site is not built: run `make docs` first"),
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: install Debian's `chromium` "
                       "package (.ci/run does where it can)"),
]


class Page(HTMLParser):
    """What a rendered page holds: its title, links, images, element ids and search results."""

    def __init__(self, html):
        super().__init__()
        self.title, self.links, self.images, self.ids, self.results = "", [], [], set(), []
        self._in_title, self._in_search = False, 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "title":
            self._in_title = True
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
            if self._in_search:
                self.results.append(attrs["href"])
        elif tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])
        elif tag == "ul" and "search" in attrs.get("class", "").split():
            self._in_search += 1

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "ul" and self._in_search:
            self._in_search -= 1

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def source_heading(page):
    """The heading of the source a built page comes from (None for Sphinx's own pages)."""
    if page in GENERATED:
        return GENERATED[page]
    stem = page[:-len(".html")]
    md = DOCS / f"{stem}.md"
    if md.exists():
        line = next(line for line in md.read_text().splitlines() if line.startswith("# "))
        return re.sub(r"[`*]", "", line[2:]).strip()
    lines = (DOCS / f"{stem}.rst").read_text(encoding="utf-8-sig").splitlines()
    k = next(i for i in range(1, len(lines)) if re.fullmatch(r"([=\-~^])\1+", lines[i]))
    return lines[k - 1].replace("\\", "").strip()


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SITE))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def render(url):
    """The DOM of ``url`` after its scripts ran, in a fresh headless Chromium."""
    with tempfile.TemporaryDirectory() as profile:
        out = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", url],
                             capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "</html>" in out.stdout, f"{url}: {out.stderr[-500:]}"
    return out.stdout


@pytest.fixture(scope="module")
def pages(server):
    names = sorted(str(p.relative_to(SITE)) for p in SITE.rglob("*.html")
                   if not p.relative_to(SITE).parts[0].startswith("_"))
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        dom = dict(zip(names, pool.map(lambda name: render(server + name), names)))
    return {name: Page(html) for name, html in dom.items()}


def test_every_page_has_the_title_of_its_source(pages):
    assert len(pages) > 20
    for name, page in pages.items():
        assert page.title.split(" \u2014 ")[0] == source_heading(name), name


def test_every_internal_link_and_image_resolves(pages):
    broken = []
    for name, page in pages.items():
        for href in page.links + page.images:
            target = urllib.parse.urlsplit(urllib.parse.urljoin(name, href))
            if target.scheme or target.netloc:
                continue  # another site (or mailto:)
            path = urllib.parse.unquote(target.path) or name
            if not (SITE / path).is_file():
                broken.append(f"{name}: {href} (no file {path})")
            elif target.fragment and path in pages and target.fragment not in pages[path].ids:
                broken.append(f"{name}: {href} (no element #{target.fragment} in {path})")
    assert not broken, "\n".join(broken[:20])


def test_every_guide_in_the_navigation_opens_its_own_page(pages):
    toc = re.findall(r'<li class="toctree-l1"><a class="reference internal" href="([^"#]+)">'
                     r"(.*?)</a>", (SITE / "index.html").read_text())
    assert {"forecasting.html", "classification.html", "grid-search.html",
            "online-learning.html", "devices.html"} <= {href for href, _ in toc}
    for href, text in toc:
        assert pages[href].title.split(" \u2014 ")[0] == re.sub(r"<[^>]+>", "", text), href


def test_the_search_page_finds_grid_search(server):
    page = Page(render(server + "search.html?q=grid_search"))
    assert page.results, "the search returned nothing for grid_search"
    assert any(r.startswith("grid-search.html") for r in page.results), page.results
