"""End to end in a real browser: Debian's headless Chromium drives ``genreblender app``.

Needs /usr/bin/chromium, /usr/bin/chromedriver and selenium (scripts/install_browser_deps.sh,
which .ci/run calls). Skipped with the reason when they are absent on a user's machine.
"""

import os
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
        proc.terminate()
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


def _choose(driver, label, value):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = None
    for candidate in driver.find_elements(By.CSS_SELECTOR, 'div[data-testid="stSelectbox"]'):
        if candidate.text.startswith(label):
            box = candidate
            break
    assert box is not None, f"no select box labelled {label}"
    field = box.find_element(By.TAG_NAME, "input")
    field.click()
    field.send_keys(value)
    field.send_keys(Keys.ENTER)


def test_blend_in_the_browser_matches_the_api(app_url, browser):
    from fastapi.testclient import TestClient
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from genreblender.app import api

    wait = WebDriverWait(browser, 180)
    browser.get(app_url)
    wait.until(ec.element_to_be_clickable((By.XPATH, "//button[.//p[text()='Generate']]")))
    _choose(browser, "Genre A", "classical")
    _choose(browser, "Genre B", "hiphop")

    def slider(label):
        return browser.find_element(By.CSS_SELECTOR, f'input[type="range"][aria-label="{label}"]')

    # the range inputs are visually hidden: focus them from script, then use the keyboard
    browser.execute_script("arguments[0].focus()", slider("Blend"))
    browser.switch_to.active_element.send_keys(Keys.LEFT, Keys.LEFT)  # 70% → 60%
    wait.until(
        lambda d: slider("Blend").get_attribute("aria-valuetext") == "60% classical · 40% hiphop"
    )
    browser.execute_script("arguments[0].focus()", slider("Duration (s)"))
    browser.switch_to.active_element.send_keys(Keys.HOME, Keys.RIGHT, Keys.RIGHT)  # 3 s → 5 s
    wait.until(lambda d: slider("Duration (s)").get_attribute("value") == "5")
    browser.find_element(By.XPATH, "//button[.//p[text()='Generate']]").click()

    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="stMetricValue"]')))
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
