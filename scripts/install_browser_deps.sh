#!/usr/bin/env bash
# Debian's headless Chromium and its driver for the browser end-to-end test (tests/e2e).
# Idempotent; needs root (CI runs as root). Playwright's own browser download is not used:
# the test drives /usr/bin/chromium through Selenium and /usr/bin/chromedriver.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install_browser_deps: need root for apt-get (or install chromium + chromium-driver yourself)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
