"""End to end in a real browser: Debian's headless Chromium drives ``genreblender app``.

Needs /usr/bin/chromium, /usr/bin/chromedriver and selenium (scripts/install_browser_deps.sh,
which .ci/run calls). Skipped with the reason when they are absent on a user's machine.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOT_DIR = Path(os.environ.get("GENREBLENDER_SCREENSHOTS", "out/screenshots"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("app") / "streamlit.log"
    with open(log, "w") as handle:
        proc = subprocess.Popen(
            [sys.executable, "-m", "genreblender.cli.main", "app", "--port", str(port)],
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so teardown can stop the server's whole process group
        )
    url = f"http://localhost:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"the app did not start: {log.read_text()[-2000:]}")
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the server and anything it started
            proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip(
            "Debian chromium + chromium-driver not installed (scripts/install_browser_deps.sh)"
        )
    webdriver = pytest.importorskip("selenium.webdriver")
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
        "--window-size=1400,1800",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def _select_box(driver, label):
    from selenium.webdriver.common.by import By

    for box in driver.find_elements(By.CSS_SELECTOR, 'div[data-testid="stSelectbox"]'):
        if box.text.startswith(label):
            return box
    raise AssertionError(f"no select box labelled {label}")


def _choose(driver, wait, label, value):
    """Pick ``value`` in a select box and wait until the page has re-run with it."""
    from selenium.webdriver.common.keys import Keys

    field = _select_box(driver, label).find_element("tag name", "input")
    field.click()
    field.send_keys(value)
    field.send_keys(Keys.ENTER)
    wait.until(
        lambda d: (
            _select_box(d, label).find_element("tag name", "input").get_attribute("value") == value
        )
    )


def _slide_to(driver, wait, label, value: int):
    """Move a slider with the keyboard, one step at a time, until its value is ``value``."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    def current():
        element = driver.find_element(By.CSS_SELECTOR, f'input[type="range"][aria-label="{label}"]')
        return element, int(element.get_attribute("value"))

    for _ in range(100):
        element, now = current()
        if now == value:
            return
        # the range inputs are visually hidden: focus from script, then use the keyboard
        driver.execute_script("arguments[0].focus()", element)
        driver.switch_to.active_element.send_keys(Keys.LEFT if now > value else Keys.RIGHT)
        wait.until(lambda d, before=now: current()[1] != before)
    raise AssertionError(f"slider {label} did not reach {value}")


def test_blend_in_the_browser_matches_the_api(app_url, browser):
    from fastapi.testclient import TestClient
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from genreblender.app import api

    wait = WebDriverWait(browser, 180)
    browser.get(app_url)
    wait.until(ec.element_to_be_clickable((By.XPATH, "//button[.//p[text()='Generate']]")))
    try:

        def blend_text(d):
            return d.find_element(
                By.CSS_SELECTOR, 'input[type="range"][aria-label="Blend"]'
            ).get_attribute("aria-valuetext")

        # the slider's text is rendered by the server: once it names the genre, the page has
        # re-run with the new choice (typing into the next widget before that can be lost)
        _choose(browser, wait, "Genre A", "classical")
        wait.until(lambda d: blend_text(d) == "70% classical · 30% metal")
        _choose(browser, wait, "Genre B", "hiphop")
        wait.until(lambda d: blend_text(d) == "70% classical · 30% hiphop")
        # the blend slider indexes 0%, 5%, ... 100%: index 12 is 60%
        _slide_to(browser, wait, "Blend", 12)
        blend = browser.find_element(By.CSS_SELECTOR, 'input[type="range"][aria-label="Blend"]')
        assert blend.get_attribute("aria-valuetext") == "60% classical · 40% hiphop"
        _slide_to(browser, wait, "Duration (s)", 5)
        # a slider sends its value when the keyboard lets go of it; give the rerun a moment
        # (the heading checked below proves which blend the server made)
        time.sleep(1.5)
    except Exception:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOT_DIR / "failure.png"))
        raise
    browser.find_element(By.XPATH, "//button[.//p[text()='Generate']]").click()

    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="stMetricValue"]')))
    heading = browser.find_element(By.XPATH, "//h3[contains(., 'composer · seed')]").text
    assert heading.startswith("60% classical · 40% hiphop · composer · seed 1"), heading
    wait.until(
        ec.presence_of_element_located(
            (
                By.CSS_SELECTOR,
                '[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]',
            )
        )
    )
    shown = {
        m.find_element(
            By.CSS_SELECTOR, '[data-testid="stMetricLabel"]'
        ).text.strip(): m.find_element(
            By.CSS_SELECTOR, '[data-testid="stMetricValue"]'
        ).text.strip()
        for m in browser.find_elements(By.CSS_SELECTOR, '[data-testid="stMetric"]')
    }
    frame = browser.find_element(By.CSS_SELECTOR, "iframe")
    browser.switch_to.frame(frame)
    audio = browser.find_element(By.ID, "gb-audio")
    assert audio.get_attribute("src").startswith("data:audio/wav;base64,")
    browser.switch_to.default_content()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOT_DIR / "blend.png"))

    expected = (
        TestClient(api.app)
        .post(
            "/generate",
            json={
                "genre_a": "classical",
                "genre_b": "hiphop",
                "alpha": 0.6,
                "seconds": 5,
                "seed": 1,
                "include_audio": False,
            },
        )
        .json()["evaluation"]["metrics"]
    )
    assert shown["α̂ (heard)"] == f"{expected['alpha_hat']:.2f}"
    assert shown["JS divergence"] == f"{expected['js']:.3f}"
    assert shown["leakage"] == f"{expected['leakage']:.2f}"
