"""Headless Chromium (the Debian package) driven through its chromedriver by Selenium.

`open_browser()` starts one browser at a fixed viewport width; `inspect(driver, url)` loads a
page and measures what a person would see: console errors, charts with their size and axis
text, and whether anything sticks out past the viewport.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WIDTH = 800

_MEASURE = """
const charts = [...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  return {label: svg.getAttribute('aria-label'), width: box.width, height: box.height,
          right: box.right, texts: [...svg.querySelectorAll('text')].map(t => t.textContent)};
});
const wide = [...document.querySelectorAll('body *')]
  .filter(e => !e.closest('.tablewrap') || e.classList.contains('tablewrap'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => e.tagName + (e.className && e.className.baseVal === undefined ?
                         '.' + e.className : ''));
return {title: document.title, charts: charts, overflowing: wide,
        scroll_width: document.documentElement.scrollWidth, viewport: window.innerWidth,
        height: document.documentElement.scrollHeight,
        links: [...document.querySelectorAll('a[href]')].map(a => a.href)};
"""


@dataclass(frozen=True)
class PageView:
    """What the browser showed: title, console errors, charts, elements past the viewport."""

    title: str
    errors: list[str]
    charts: list[dict[str, Any]]
    overflowing: list[str]
    scroll_width: int
    viewport: int
    height: int
    links: list[str]

    def chart(self, label_start: str) -> dict[str, Any]:
        """The chart whose aria-label starts with `label_start`."""
        found = [c for c in self.charts if (c["label"] or "").startswith(label_start)]
        assert found, f"no chart {label_start!r} among {[c['label'] for c in self.charts]}"
        return found[0]


def programs() -> tuple[str, str]:
    """The Chromium and chromedriver of the Debian packages (ci/test-env installs them)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    assert browser and driver, (
        "chromium and chromedriver are needed (Debian packages chromium, chromium-driver; "
        "`make test-env` installs them)"
    )
    return browser, driver


@contextmanager
def open_browser(width: int = WIDTH, height: int = 1000) -> Iterator[Any]:
    """A headless Chromium with a `width` px wide window, closed afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver_path = programs()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--hide-scrollbars", f"--window-size={width},{height}"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        yield driver
    finally:
        driver.quit()


def _url(page: Path | str) -> str:
    """A file's URL; KFP names an HTML artifact `report_html` without a suffix, and Chromium
    shows such a file as text, so it is read through a `.html` copy beside it."""
    if not isinstance(page, Path):
        return page
    if page.suffix != ".html":
        copy = page.with_name(page.name + ".view.html")
        shutil.copyfile(page, copy)
        page = copy
    return page.resolve().as_uri()


def inspect(driver: Any, page: Path | str) -> PageView:
    """Load `page` (a file or URL) and measure it."""
    driver.get(_url(page))
    measured = driver.execute_script(_MEASURE)
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    return PageView(errors=errors, **measured)


def screenshot(driver: Any, page: Path, out: Path, max_height: int = 1800) -> Path:
    """A PNG of `page` as wide as the window and as tall as the page (at most `max_height`)."""
    view = inspect(driver, page)
    width = driver.get_window_size()["width"]
    driver.set_window_size(width, min(view.height, max_height) + 10)
    out.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(out))
    return out
