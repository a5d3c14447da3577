"""End to end in a real browser: Debian's headless Chromium drives ``genreblender app`` and
``genreblender serve``, with every host but this machine unresolvable (as offline).

Needs /usr/bin/chromium, /usr/bin/chromedriver and selenium (scripts/install_browser_deps.sh,
which .ci/run calls). Skipped with the reason when they are absent on a user's machine. Every
test ends by checking the browser console (no errors) and, at the end, the app's own log (no
deprecation warning, no traceback).
"""

import io
import os
from pathlib import Path

import pytest

from genreblender import defaults
from genreblender.palette import GENRE_COLOURS

from . import helpers as h

pytestmark = pytest.mark.slow

SCREENSHOT_DIR = Path(os.environ.get("GENREBLENDER_SCREENSHOTS", "out/screenshots"))
DEFAULT_HEADING = (
    f"70% {defaults.GENRE_A} · 30% {defaults.GENRE_B} · composer · seed {defaults.SEED}"
)


@pytest.fixture(scope="module")
def app_log(tmp_path_factory):
    return tmp_path_factory.mktemp("app") / "streamlit.log"


@pytest.fixture(scope="module")
def app_url(app_log):
    if not h.browser_available():
        pytest.skip(
            "Debian chromium + chromium-driver not installed (scripts/install_browser_deps.sh)"
        )
    with h.server(["app"], "/_stcore/health", app_log, ready=b"ok") as url:
        yield url
    # the server has stopped: its whole log is written
    log = app_log.read_text()
    problems = [
        line for line in log.splitlines() if "deprecat" in line.lower() or "Traceback" in line
    ]
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def browser():
    if not h.browser_available():
        pytest.skip(
            "Debian chromium + chromium-driver not installed (scripts/install_browser_deps.sh)"
        )
    pytest.importorskip("selenium.webdriver")
    driver = h.chrome(offline=True)
    yield driver
    driver.quit()


@pytest.fixture
def page(app_url, browser, request):
    """A fresh session of the app (a page load is a new Streamlit session), checked after the
    test for console errors; a screenshot is kept when the test fails."""
    browser.get(app_url)
    wait = h.waiter(browser)
    # the example on first load
    h.until(
        browser, wait, lambda d: h.heading_starting(d, DEFAULT_HEADING), "the example's heading"
    )
    h.console_problems(browser)  # start each test with an empty console log
    yield browser, wait
    problems = h.console_problems(browser)
    report = getattr(request.node, "rep_call", None)  # set by conftest.py
    if report is not None and report.failed:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOT_DIR / f"failure_{request.node.name}.png"))
    assert not problems, problems


def _metrics(driver) -> dict[str, str]:
    from selenium.webdriver.common.by import By

    return {
        m.find_element(
            By.CSS_SELECTOR, '[data-testid="stMetricLabel"]'
        ).text.strip(): m.find_element(
            By.CSS_SELECTOR, '[data-testid="stMetricValue"]'
        ).text.strip()
        for m in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stMetric"]')
        if m.is_displayed()
    }


def _wait_for_heading(driver, wait, prefix: str) -> str:
    h.until(driver, wait, lambda d: h.heading_starting(d, prefix), f"a heading {prefix!r}")
    h.wait_idle(driver, wait)
    return h.heading_starting(driver, prefix)


def test_first_load_shows_an_example_and_generate_above_the_fold(page):
    driver, wait = page
    assert driver.execute_script("return [innerWidth, innerHeight]") == list(h.WINDOW)
    generate = h.button(driver, "Generate")
    bottom = generate.rect["y"] + generate.rect["height"]
    assert bottom <= h.WINDOW[1], f"Generate ends at y={bottom}, below the fold"
    assert h.heading_starting(driver, DEFAULT_HEADING).endswith("one take")
    verdict = driver.find_element("css selector", '[data-testid="stAlert"] strong').text
    assert verdict.startswith(("Landed:", "Did not land:")), verdict


def test_blend_in_the_browser_matches_the_api(page):
    from fastapi.testclient import TestClient

    from genreblender.app import api

    driver, wait = page

    def blend_text(d):
        return d.find_element(
            "css selector", 'input[type="range"][aria-label="Blend"]'
        ).get_attribute("aria-valuetext")

    # the slider's text is rendered by the server: once it names the genre, the page has
    # re-run with the new choice (typing into the next widget before that can be lost);
    # the blend keeps its 70% when a genre changes
    h.choose(driver, wait, "Genre A", "classical")
    h.until(
        driver,
        wait,
        lambda d: blend_text(d) == "70% classical · 30% metal",
        "the blend slider to name classical",
    )
    h.choose(driver, wait, "Genre B", "hiphop")
    h.until(
        driver,
        wait,
        lambda d: blend_text(d) == "70% classical · 30% hiphop",
        "the blend slider to name hiphop",
    )
    # the blend slider indexes 0%, 5%, ... 100%: index 12 is 60%
    h.slide_to(driver, wait, "Blend", 12)
    assert blend_text(driver) == "60% classical · 40% hiphop"
    h.slide_to(driver, wait, "Duration (s)", 5)
    h.wait_idle(driver, wait)  # the slider's value reaches the server when it re-runs
    h.button(driver, "Generate").click()
    heading = _wait_for_heading(driver, wait, "60% classical · 40% hiphop")
    assert heading == f"60% classical · 40% hiphop · composer · seed {defaults.SEED} · one take"
    shown = _metrics(driver)
    frame = driver.find_element("css selector", "iframe")
    driver.switch_to.frame(frame)
    audio = driver.find_element("id", "gb-audio")
    assert audio.get_attribute("src").startswith("data:audio/wav;base64,")
    driver.switch_to.default_content()

    expected = (
        TestClient(api.app)
        .post(
            "/generate",
            json={
                "genre_a": "classical",
                "genre_b": "hiphop",
                "alpha": 0.6,
                "seconds": 5,
                "seed": defaults.SEED,
                "include_audio": False,
            },
        )
        .json()["evaluation"]["metrics"]
    )
    assert shown["α̂ (heard)"] == f"{expected['alpha_hat']:.2f}"
    assert shown["JS divergence"] == f"{expected['js']:.3f}"
    assert shown["leakage"] == f"{expected['leakage']:.2f}"


def test_preset_runs_end_to_end(page):
    from selenium.webdriver.common.by import By

    driver, wait = page
    preset = driver.find_element(By.XPATH, "//button[.//p[text()='classical × hip-hop 50/50']]")
    preset.click()
    heading = _wait_for_heading(driver, wait, "50% classical · 50% hiphop")
    assert heading.endswith("one take")
    # the controls now show the preset, so the next Generate starts from it
    for label, value in (("Genre A", "classical"), ("Genre B", "hiphop")):
        assert (
            h.select_box(driver, label).find_element("tag name", "input").get_attribute("value")
            == value
        )
    blend = driver.find_element(By.CSS_SELECTOR, 'input[type="range"][aria-label="Blend"]')
    assert blend.get_attribute("aria-valuetext") == "50% classical · 50% hiphop"
    assert set(_metrics(driver)) >= {"α̂ (heard)", "on target", "JS divergence", "leakage"}
    verdict = driver.find_element(By.CSS_SELECTOR, '[data-testid="stAlert"]').text
    assert "classical" in verdict and "hiphop" in verdict


def test_history_keeps_both_generations(page):
    from selenium.webdriver.common.by import By

    driver, wait = page
    h.slide_to(driver, wait, "Duration (s)", 4)
    h.wait_idle(driver, wait)
    h.button(driver, "Generate").click()
    # the same heading as the example's: wait until the example's caption has gone
    wait.until(lambda d: "An example to start from" not in d.find_element(By.TAG_NAME, "body").text)
    _wait_for_heading(driver, wait, DEFAULT_HEADING)

    def titles(d):
        return sorted(
            e.text
            for e in d.find_elements(By.CSS_SELECTOR, '[data-testid="stMarkdown"] strong')
            if e.is_displayed() and e.text.startswith("#")
        )

    # the caption goes when the run starts; a widget changed before it ends would restart the
    # page and drop the run, so wait until History holds it
    h.open_tab(driver, wait, "History")
    wait.until(lambda d: len(titles(d)) == 1)
    h.open_tab(driver, wait, "Blend")
    seed = driver.find_element(By.CSS_SELECTOR, 'input[aria-label="Seed"]')
    seed.clear()
    seed.send_keys("7\n")
    h.wait_idle(driver, wait)
    h.button(driver, "Generate").click()
    _wait_for_heading(driver, wait, "70% jazz · 30% metal · composer · seed 7")
    h.open_tab(driver, wait, "History")
    wait.until(lambda d: len(titles(d)) == 2)
    assert titles(driver) == [
        f"#1 · 70% jazz · 30% metal · composer · seed {defaults.SEED}",
        "#2 · 70% jazz · 30% metal · composer · seed 7",
    ]
    players = [e for e in driver.find_elements(By.TAG_NAME, "audio") if e.is_displayed()]
    assert len(players) == 2
    charts = [
        e
        for e in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stVegaLiteChart"]')
        if e.is_displayed()
    ]
    assert len(charts) == 2
    # (that both share one y-scale is checked on their specs in tests/test_app.py)


def _pixels_of(png: bytes, colour: str) -> int:
    from PIL import Image

    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(count for count, pixel in image.getcolors(maxcolors=1 << 20) if pixel == rgb)


def test_same_genre_colour_in_two_charts(page):
    from selenium.webdriver.common.by import By

    driver, wait = page
    genre = defaults.GENRE_A
    colour = GENRE_COLOURS[genre]
    # chart 1, the player's timeline (SVG): the genre's line is drawn in its colour; the page
    # may still be re-running from the previous test, so wait for the player's frame
    frame = wait.until(lambda d: (d.find_elements(By.CSS_SELECTOR, "iframe") or [None])[0])
    driver.switch_to.frame(frame)
    line = wait.until(
        lambda d: (d.find_elements(By.CSS_SELECTOR, f'polyline[data-genre="{genre}"]') or [None])[0]
    )
    assert line.get_attribute("stroke") == colour
    timeline_png = driver.find_element(By.ID, "gb-timeline").screenshot_as_png
    driver.switch_to.default_content()
    # chart 2, the distribution bars (Vega canvas): the same colour fills the genre's bar
    chart = next(
        e
        for e in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stVegaLiteChart"]')
        if e.is_displayed()
    )
    driver.execute_script("arguments[0].scrollIntoView()", chart)
    wait.until(lambda d: _pixels_of(chart.screenshot_as_png, colour) > 50)
    assert _pixels_of(timeline_png, colour) > 20
    # and the colour is the genre's alone: no other genre's bar is drawn in it
    others = [g for g in GENRE_COLOURS if GENRE_COLOURS[g] == colour]
    assert others == [genre]


def test_mix_editor_pie_stays_in_its_column(page):
    from selenium.webdriver.common.by import By

    driver, wait = page
    option = "//label[@data-testid='stRadioOption'][.//p[text()='a mix']]"
    driver.find_element(By.XPATH, option).click()
    arcs = wait.until(
        lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="stVegaLiteChart"] .mark-arc')
    )
    # drawn wider than its column, the pie would cover the mix's label beside it
    spill = driver.execute_script(
        "const svg = arguments[0].closest('svg');"
        "const column = svg.closest('[data-testid=\"stColumn\"]');"
        "return svg.getBoundingClientRect().right - column.getBoundingClientRect().right",
        arcs[0],
    )
    assert spill <= 1, f"the pie spills {spill:.0f} px out of its column"
    h.wait_idle(driver, wait)


def test_player_timeline_legend_shows_every_genre_whole(page):
    from selenium.webdriver.common.by import By

    from genreblender.genres import GENRES

    driver, wait = page
    h.wait_idle(driver, wait)
    frame = wait.until(lambda d: (d.find_elements(By.CSS_SELECTOR, "iframe") or [None])[0])
    driver.switch_to.frame(frame)
    entries = driver.execute_script(
        "return [...document.querySelectorAll('div > span')].map(s => {"
        "  const r = s.getBoundingClientRect();"
        "  return [s.textContent, r.height < 20, r.bottom <= innerHeight && r.right <= innerWidth];"
        "})"
    )
    driver.switch_to.default_content()
    assert [e[0] for e in entries] == [f"■ {g}" for g in GENRES]
    # one line each (a swatch was left at a line's end, its name on the next), none hidden
    assert [e[0] for e in entries if not e[1]] == []
    assert [e[0] for e in entries if not e[2]] == []


@pytest.fixture(scope="module")
def upload(tmp_path_factory):
    """An 8-s composed track: several of the listener's windows, so Classify draws a timeline."""
    from genreblender.app.services import wav_bytes
    from genreblender.generation import get_generator

    result = get_generator("composer").generate("reggae", "pop", 0.6, 8, 3)
    path = tmp_path_factory.mktemp("upload") / "reggae_pop.wav"
    path.write_bytes(wav_bytes(result.audio, result.sample_rate))
    return path


def test_classify_timeline_legend_shows_every_genre(page, upload):
    from selenium.webdriver.common.by import By

    from genreblender.genres import GENRES

    driver, wait = page
    h.wait_idle(driver, wait)
    h.open_tab(driver, wait, "Classify")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, 'input[type="file"]'))
    driver.find_element(By.CSS_SELECTOR, 'input[type="file"]').send_keys(str(upload))
    wait.until(lambda d: h.heading_starting(d, "Top genre:"))
    h.wait_idle(driver, wait)
    script = (
        "const chart = [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')]"
        "  .find(c => c.offsetParent && c.querySelector('.role-legend-label'));"
        "if (!chart) return null;"
        "const box = chart.querySelector('svg').getBoundingClientRect();"
        "return [...chart.querySelectorAll('.role-legend-label text')].map(t => {"
        "  const r = t.getBoundingClientRect();"
        "  return [t.textContent, r.top >= box.top && r.bottom <= box.bottom"
        "    && r.left >= box.left && r.right <= box.right]; })"
    )
    labels = wait.until(lambda d: d.execute_script(script))
    assert [g for g, _ in labels] == list(GENRES)
    # beside a 240-px chart, the ten entries ran past its foot: metal was the last one drawn
    cut = [g for g, inside in labels if not inside]
    assert not cut, f"the legend is cut off: {cut} are outside the chart"


@pytest.fixture(scope="module")
def api_url(tmp_path_factory):
    if not h.browser_available():
        pytest.skip(
            "Debian chromium + chromium-driver not installed (scripts/install_browser_deps.sh)"
        )
    log = tmp_path_factory.mktemp("api") / "uvicorn.log"
    with h.server(["serve"], "/health", log) as url:
        yield url


REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_render_offline(api_url, browser, path):
    from selenium.webdriver.common.by import By

    h.console_problems(browser)
    browser.get(api_url + path)
    wait = h.waiter(browser, 60)
    if path == "/docs":
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) >= 5)
        ops = {e.text for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
        assert {"/generate", "/classify", "/evaluate", "/genres", "/health"} <= ops
    else:
        wait.until(lambda d: "GenreBlender API" in d.find_element(By.TAG_NAME, "body").text)
        wait.until(lambda d: "/generate" in d.find_element(By.TAG_NAME, "body").text)
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => [e.initiatorType, e.name])"
    )
    # every script, style sheet and the schema come from this server; the one exception is
    # ReDoc's own "API docs by Redocly" footer image, which it hides when it cannot load
    elsewhere = [(kind, url) for kind, url in resources if not url.startswith(api_url)]
    assert elsewhere in ([], [("img", REDOC_LOGO)]), elsewhere
    assert any(url.endswith("/openapi.json") for _, url in resources)
    problems = [p for p in h.console_problems(browser) if REDOC_LOGO not in p]
    assert not problems, problems
