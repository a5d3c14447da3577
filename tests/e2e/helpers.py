"""Driving the real app in Debian's headless Chromium: start a server, open a browser, pick
values in Streamlit's widgets. Used by the browser tests and by scripts/screenshots.py."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: The window the page is designed for: Generate must be visible without scrolling.
WINDOW = (1400, 1000)


def browser_available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(args: list[str], health_path: str, log: Path, ready: bytes | None = None):
    """Run ``genreblender ARGS --port P`` until the block ends; yields its base URL."""
    port = free_port()
    with open(log, "w") as handle:
        proc = subprocess.Popen(
            [sys.executable, "-m", "genreblender.cli.main", *args, "--port", str(port)],
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so the end can stop the server's whole process group
        )
    url = f"http://localhost:{port}"
    try:
        for _ in range(240):
            try:
                body = urllib.request.urlopen(f"{url}{health_path}", timeout=1).read()
                if ready is None or body == ready:
                    break
            except OSError:
                time.sleep(0.5)
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited: {log.read_text()[-2000:]}")
        else:
            raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the server and anything it started
            proc.wait(timeout=20)


def chrome(offline: bool = True):
    """Headless Chromium at :data:`WINDOW`, its console log readable with ``get_log``.

    ``offline`` makes every host but this machine unresolvable, as on a machine without
    internet: a page that needs a CDN fails here as it would there.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--autoplay-policy=no-user-gesture-required",
    ):
        options.add_argument(flag)
    if offline:
        options.add_argument(
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"
        )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    # the viewport itself (not the outer window) is WINDOW
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WINDOW[0], "height": WINDOW[1], "deviceScaleFactor": 1, "mobile": False},
    )
    return driver


def console_problems(driver) -> list[str]:
    """Console errors, and any message about a deprecation, since the last call (reading the
    log empties it). Chromium's warnings about Streamlit's own iframe attributes are not ours."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE" or "deprecat" in entry["message"].lower()
    ]


def select_box(driver, label):
    from selenium.webdriver.common.by import By

    for box in driver.find_elements(By.CSS_SELECTOR, 'div[data-testid="stSelectbox"]'):
        if box.is_displayed() and box.text.startswith(label):
            return box
    raise AssertionError(f"no select box labelled {label}")


def choose(driver, wait, label, value, attempts: int = 3):
    """Pick ``value`` in a select box and wait until the page has re-run with it.

    A key typed while Streamlit re-renders the box can be lost; the pick is then typed again
    (up to ``attempts`` times) instead of waiting out the whole ``wait``.
    """
    from selenium.webdriver.common.keys import Keys

    def taken(d):
        return (
            select_box(d, label).find_element("tag name", "input").get_attribute("value") == value
        )

    def pick():
        field = select_box(driver, label).find_element("tag name", "input")
        field.click()
        field.send_keys(value)
        field.send_keys(Keys.ENTER)

    retry(driver, wait, pick, taken, f"select box {label!r} to show {value!r}", attempts)


def slide_to(driver, wait, label, value: int, attempts: int = 3):
    """Move a slider with the keyboard, one step at a time, until its value is ``value`` and
    stays there once the app has finished re-running.

    Each step waits for the app's run to end before the next key: a run that ends after a
    later key re-sets the slider to the value it ran with (seen in a run of these tests: the page
    showed 60%, then the slider went back to 65% and the app generated at 65%)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    def current():
        element = driver.find_element(By.CSS_SELECTOR, f'input[type="range"][aria-label="{label}"]')
        return element, int(element.get_attribute("value"))

    for _ in range(100):
        now = current()[1]
        if now == value:
            wait_idle(driver, wait)
            if current()[1] == value:
                return
            continue

        def step(now=now):
            # the range inputs are visually hidden: focus from script, then use the keyboard
            element, _ = current()
            driver.execute_script("arguments[0].focus()", element)
            driver.switch_to.active_element.send_keys(Keys.LEFT if now > value else Keys.RIGHT)

        retry(
            driver,
            wait,
            step,
            lambda d, before=now: current()[1] != before,
            f"slider {label!r} to move from {now} towards {value}",
            attempts,
        )
        wait_idle(driver, wait)
    raise AssertionError(f"slider {label} did not reach {value}: {page_state(driver)}")


def page_state(driver) -> str:
    """What the page shows, for a failure message: result headings, select boxes, sliders and
    whether Streamlit is still running the script."""
    from selenium.webdriver.common.by import By

    def shown(selector, read):
        try:
            return [read(e) for e in driver.find_elements(By.CSS_SELECTOR, selector)]
        except Exception as error:  # noqa: BLE001 - a re-render mid-read; say so, don't hide it
            return [f"<unreadable: {type(error).__name__}>"]

    headings = shown("h3", lambda e: e.text)
    boxes = shown(
        'div[data-testid="stSelectbox"]',
        lambda e: (
            f"{e.text.splitlines()[0] if e.text else '?'}="
            f"{e.find_element(By.TAG_NAME, 'input').get_attribute('value')}"
        ),
    )
    sliders = shown(
        'input[type="range"]',
        lambda e: f"{e.get_attribute('aria-label')}={e.get_attribute('aria-valuetext')}",
    )
    return (
        f"headings {headings}; select boxes {boxes}; sliders {sliders}; "
        f"script {'running' if running(driver) else 'idle'}"
    )


def until(driver, wait, condition, what: str):
    """``wait.until(condition)``, failing with ``what`` was awaited and what the page shows."""
    from selenium.common.exceptions import TimeoutException

    try:
        return wait.until(condition)
    except TimeoutException:
        raise AssertionError(
            f"waited {wait._timeout:.0f} s for {what}; the page: {page_state(driver)}"
        ) from None


def retry(driver, wait, act, done, what: str, attempts: int = 3, seconds: float = 20) -> None:
    """Do ``act`` until ``done(driver)`` holds within ``seconds``, at most ``attempts`` times
    (each retry after the page's current run has ended); then fail saying ``what`` and what
    the page shows."""
    from selenium.common.exceptions import TimeoutException

    short = waiter(driver, seconds)
    for attempt in range(1, attempts + 1):
        act()
        try:
            short.until(done)
            return
        except TimeoutException:
            if attempt < attempts:
                print(f"retrying (attempt {attempt + 1}): {what}; the page: {page_state(driver)}")
                wait_idle(driver, wait)
    raise AssertionError(
        f"{attempts} attempts of {seconds:.0f} s each for {what}; the page: {page_state(driver)}"
    )


def open_tab(driver, wait, name: str) -> None:
    from selenium.webdriver.common.by import By

    tab = driver.find_element(By.XPATH, f"//*[@role='tab'][normalize-space(.)='{name}']")
    tab.click()
    wait.until(lambda d: tab.get_attribute("aria-selected") == "true")


def button(driver, text: str):
    from selenium.webdriver.common.by import By

    for element in driver.find_elements(By.XPATH, f"//button[.//p[text()='{text}']]"):
        if element.is_displayed():
            return element
    raise AssertionError(f"no visible button {text!r}")


def heading_starting(driver, prefix: str) -> str | None:
    """The text of a visible h3 that starts with ``prefix`` (a result heading), or None."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    for _ in range(5):  # the page may re-render between finding an element and reading it
        try:
            for h in driver.find_elements(By.TAG_NAME, "h3"):
                if h.is_displayed() and h.text.startswith(prefix):
                    return h.text
            return None
        except StaleElementReferenceException:
            time.sleep(0.2)
    return None


def waiter(driver, seconds: float = 180):
    """A WebDriverWait that retries through Streamlit's re-renders."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(
        driver,
        seconds,
        ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
    )


def running(driver) -> bool:
    """Whether Streamlit is running the script (its status widget shows)."""
    from selenium.webdriver.common.by import By

    return bool(driver.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]'))


def wait_idle(driver, wait) -> None:
    """Until Streamlit has finished the current run (its status widget is gone)."""
    time.sleep(0.3)
    until(driver, wait, lambda d: not running(d), "the app's run to end")
