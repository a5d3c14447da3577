"""Screenshots of each tab of the web app for the README (docs/screenshots/*.png).

Starts ``genreblender app`` (this checkout's code), drives it in Debian's headless Chromium
(scripts/install_browser_deps.sh) at 1400x1400 (the page's 1400x1000, and more of the results
below it), and saves one small PNG per view: Blend (a preset, then one more seed with the
"Tempo, key and stems" box open and set), Classify (a composed 45-s track uploaded), Sweep (5 α
values, 2 seeds), History (those two runs), Mix (a 15-s mix of jazz 50, metal 30, reggae 20: its
pie and the weights heard against those asked) and Morph (20 s from jazz to metal: the curve
asked for against the one heard).
Needs selenium (the dev extra). Run: ``.venv/bin/python scripts/screenshots.py [--out DIR]``.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the browser helpers live with the browser tests
# the app shown is this checkout's, also from a worktree whose .venv installs another checkout
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p
)
sys.path.insert(0, str(ROOT / "src"))

from tests.e2e import helpers as h  # noqa: E402

#: Width of the saved images: readable in a README, a few hundred KB each.
WIDTH = 1000
#: The viewport shot: the page's width, and tall enough for the morph's curves and the mix's bars.
VIEWPORT = {"width": h.WINDOW[0], "height": 1400, "deviceScaleFactor": 1, "mobile": False}
#: The mix shot's weights (%), in the mix editor's order.
MIX = {"jazz": 50, "metal": 30, "reggae": 20}


def save(driver, path: Path) -> None:
    from PIL import Image

    # Streamlit scrolls its main block, not the window (a click may have scrolled it)
    driver.execute_script(
        "window.scrollTo(0, 0); document.querySelector('[data-testid=\"stMain\"]')?.scrollTo(0, 0)"
    )
    time.sleep(1.0)  # let charts finish drawing
    image = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    image = image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.LANCZOS)
    # an adaptive 256-colour palette keeps text sharp at a fraction of the size
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"wrote {path} ({path.stat().st_size // 1024} KB)")


def generate_and_save(driver, wait, heading: str, path: Path) -> None:
    """Press Generate, wait for the result whose heading starts with ``heading``, save it."""
    h.button(driver, "Generate").click()
    wait.until(lambda d: h.heading_starting(d, heading))
    h.wait_idle(driver, wait)
    save(driver, path)


def upload_track(directory: Path) -> Path:
    """A 45-s composed track (two analysis windows: the Classify tab shows its timeline)."""
    from genreblender.app.services import wav_bytes
    from genreblender.generation import get_generator

    result = get_generator("composer").generate("reggae", "pop", 0.6, 45, 3)
    path = directory / "reggae_pop.wav"
    path.write_bytes(wav_bytes(result.audio, result.sample_rate))
    return path


def pick(driver, wait, option: str) -> None:
    """Choose ``option`` in the radio of what to blend (two genres, a mix, a morph)."""
    from selenium.webdriver.common.by import By

    path = f"//label[@data-testid='stRadioOption'][.//p[text()='{option}']]"
    driver.find_element(By.XPATH, path).click()
    wait.until(lambda d: d.find_element(By.XPATH, path).get_attribute("data-selected") == "true")
    h.wait_idle(driver, wait)


def unfold(driver, wait, title: str) -> None:
    """Open the expander titled ``title``."""
    from selenium.webdriver.common.by import By

    path = f"//div[@data-testid='stExpander']//summary[.//p[text()='{title}']]"
    driver.find_element(By.XPATH, path).click()
    wait.until(
        lambda d: d.execute_script(
            "return arguments[0].parentElement.open", d.find_element(By.XPATH, path)
        )
    )
    time.sleep(0.5)  # it slides open


def tick(driver, wait, label: str) -> None:
    """Tick the checkbox whose label starts with ``label``."""
    from selenium.webdriver.common.by import By

    path = f"//div[@data-testid='stCheckbox']//label[.//p[starts-with(text(), '{label}')]]"
    driver.find_element(By.XPATH, path).click()
    wait.until(lambda d: d.find_element(By.XPATH, f"{path}//input").is_selected())
    h.wait_idle(driver, wait)


def type_into(driver, wait, label: str, text: str) -> None:
    """Replace the text of the input labelled ``label`` and submit it (Enter)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    field = driver.find_element(By.CSS_SELECTOR, f'input[aria-label="{label}"]')
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(text + "\n")
    h.wait_idle(driver, wait)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    if not h.browser_available():
        print("needs /usr/bin/chromium and chromedriver: scripts/install_browser_deps.sh")
        return 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from selenium.webdriver.common.by import By

    with tempfile.TemporaryDirectory() as tmp:
        track = upload_track(Path(tmp))
        with h.server(["app"], "/_stcore/health", Path(tmp) / "app.log", ready=b"ok") as url:
            driver = h.chrome()
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", VIEWPORT)
            wait = h.waiter(driver)
            try:
                driver.get(url)
                wait.until(lambda d: h.heading_starting(d, "70% jazz"))
                # History needs two runs of this session: the preset, then one more seed
                driver.find_element(
                    By.XPATH, "//button[.//p[text()='classical × hip-hop 50/50']]"
                ).click()
                wait.until(lambda d: h.heading_starting(d, "50% classical · 50% hiphop"))
                h.wait_idle(driver, wait)
                seed = driver.find_element(By.CSS_SELECTOR, 'input[aria-label="Seed"]')
                seed.clear()
                seed.send_keys("3\n")
                h.wait_idle(driver, wait)
                # and with the folded box open: a tempo, a key and the stems
                unfold(driver, wait, "Tempo, key and stems")
                tick(driver, wait, "Set the tempo")
                type_into(driver, wait, "BPM", "96")
                h.choose(driver, wait, "Key", "D")
                h.wait_idle(driver, wait)
                h.choose(driver, wait, "Mode", "minor")
                h.wait_idle(driver, wait)
                tick(driver, wait, "Stems")
                generate_and_save(
                    driver,
                    wait,
                    "50% classical · 50% hiphop · composer · seed 3",
                    out / "blend.png",
                )

                h.open_tab(driver, wait, "Classify")
                driver.find_element(By.CSS_SELECTOR, 'input[type="file"]').send_keys(str(track))
                wait.until(lambda d: h.heading_starting(d, "Top genre:"))
                h.wait_idle(driver, wait)
                save(driver, out / "classify.png")

                h.open_tab(driver, wait, "Sweep")
                h.slide_to(driver, wait, "Seconds per track", 5)
                h.slide_to(driver, wait, "Seeds", 2)
                h.wait_idle(driver, wait)
                h.button(driver, "Run sweep").click()
                wait.until(lambda d: "Spearman" in d.find_element(By.TAG_NAME, "body").text)
                h.wait_idle(driver, wait)
                save(driver, out / "sweep.png")

                h.open_tab(driver, wait, "History")
                h.wait_idle(driver, wait)
                save(driver, out / "history.png")

                # a new session (a page load) for the mix and the morph: the tempo, key and
                # stems of the blend above are not theirs
                driver.get(url)
                wait.until(lambda d: h.heading_starting(d, "70% jazz"))
                h.wait_idle(driver, wait)
                pick(driver, wait, "a mix")
                for genre, weight in MIX.items():  # the editor starts with these genres
                    h.slide_to(driver, wait, f"{genre} (weight)", weight)
                h.slide_to(driver, wait, "Duration (s)", 15)
                h.wait_idle(driver, wait)
                generate_and_save(
                    driver, wait, "50% jazz · 30% metal · 20% reggae", out / "mix.png"
                )

                pick(driver, wait, "a morph")
                type_into(driver, wait, "Curve of A's weight", "0:1,20:0")
                h.slide_to(driver, wait, "Duration (s)", 20)
                h.wait_idle(driver, wait)
                generate_and_save(driver, wait, "jazz · metal morph", out / "morph.png")
            finally:
                driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
