"""Screenshots of each tab of the web app for the README (docs/screenshots/*.png).

Starts ``genreblender app``, drives it in Debian's headless Chromium (scripts/
install_browser_deps.sh) at 1400x1000, and saves one small PNG per tab: Blend (a preset),
Classify (a composed 45-s track uploaded), Sweep (5 α values, 2 seeds) and History (two runs).
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


def save(driver, path: Path) -> None:
    from PIL import Image

    driver.execute_script("window.scrollTo(0, 0)")
    time.sleep(1.0)  # let charts finish drawing
    image = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    image = image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.LANCZOS)
    # an adaptive 256-colour palette keeps text sharp at a fraction of the size
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"wrote {path} ({path.stat().st_size // 1024} KB)")


def upload_track(directory: Path) -> Path:
    """A 45-s composed track (two analysis windows: the Classify tab shows its timeline)."""
    from genreblender.app.services import wav_bytes
    from genreblender.generation import get_generator

    result = get_generator("composer").generate("reggae", "pop", 0.6, 45, 3)
    path = directory / "reggae_pop.wav"
    path.write_bytes(wav_bytes(result.audio, result.sample_rate))
    return path


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
                h.button(driver, "Generate").click()
                wait.until(
                    lambda d: h.heading_starting(
                        d, "50% classical · 50% hiphop · composer · seed 3"
                    )
                )
                h.wait_idle(driver, wait)
                save(driver, out / "blend.png")

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
            finally:
                driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
