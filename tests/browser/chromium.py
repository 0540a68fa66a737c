"""Headless Chromium for the browser tests: Debian's ``chromium`` driven by Debian's ``chromedriver``.

Selenium is given both paths explicitly, so Selenium Manager never runs and nothing is downloaded (its
offline switch is set too). Where either binary is missing, :func:`browser` skips with the one apt-get line
that installs them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

INSTALL = "apt-get install -y chromium chromium-driver"


def binaries() -> tuple[str, str] | None:
    """Paths of chromium and chromedriver, or None when either is absent."""
    chrome = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (chrome, driver) if chrome and driver else None


@contextmanager
def browser(width: int = 1400, height: int = 900) -> Iterator[object]:
    """A headless Chromium WebDriver (``selenium.webdriver.Chrome``), quit on exit; skips without Chromium."""
    found = binaries()
    if found is None:
        pytest.skip(f"Chromium or chromedriver is not installed (Debian: {INSTALL})")
    os.environ["SE_OFFLINE"] = "true"  # belt and braces: Selenium Manager must never reach the network
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(service=Service(executable_path=found[1]), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: object, path: Path) -> None:
    """Save a PNG of the current page (the docs' screenshots are made this way)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))  # type: ignore[attr-defined]


# Text as a person sees it, shadow DOM included (TensorBoard's HParams tab is built of Polymer elements whose
# tables live in shadow roots, which ``innerText`` of the document does not reach).
_DEEP_TEXT = """
const parts = [];
const walk = (node) => {
  if (node.nodeType === Node.TEXT_NODE) {
    const text = node.textContent.trim();
    if (text && node.parentElement && node.parentElement.offsetParent !== null) parts.push(text);
    return;
  }
  if (node.shadowRoot) walk(node.shadowRoot);
  for (const child of node.childNodes) walk(child);
};
walk(document.body);
return parts;
"""


def visible_texts(driver: object) -> list[str]:
    """Every visible text node of the page in document order, shadow roots included."""
    texts: list[str] = driver.execute_script(_DEEP_TEXT)  # type: ignore[attr-defined]
    return texts
