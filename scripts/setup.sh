#!/usr/bin/env bash
# Create .venv and install GenreBlender's runtime. Safe to run again: a set-up that is already
# complete for this pyproject.toml and these extras is recognised and skipped.
#
# Usage: scripts/setup.sh [--extras dev,ray]
#   (none)    the runtime: CLI, web app, HTTP API (what a user needs)
#   dev       test tools (pytest, ruff, httpx, selenium); scripts/test.sh asks for it
#   ray       Ray for `genreblender sweep --ray` (~240 MB); .ci/run asks for it
set -euo pipefail
cd "$(dirname "$0")/.."

EXTRAS="${GENREBLENDER_EXTRAS:-}"
while [ "$#" -gt 0 ]; do
    case "$1" in
        --extras) EXTRAS="$2"; shift 2 ;;
        --extras=*) EXTRAS="${1#--extras=}"; shift ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "setup: unknown option $1 (accepted: --extras dev,ray)" >&2; exit 2 ;;
    esac
done
for extra in ${EXTRAS//,/ }; do
    case "$extra" in
        dev|ray) ;;
        *) echo "setup: unknown extra '$extra' (accepted: dev, ray)" >&2; exit 2 ;;
    esac
done

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
# -qq: pip says nothing but errors (the phases say what is happening). --no-compile: pip would
# compile every module one at a time (measured: 2 min -> 50 s for the whole install without);
# the last phase compiles what runs import, on every core, instead.
PIP=(.venv/bin/python -m pip --disable-pip-version-check -qq)
INSTALL=(install --no-compile)
STAMP=.venv/.genreblender-setup

# What a finished set-up covers: this pyproject.toml and the extras installed with it.
fingerprint() { sha256sum pyproject.toml | cut -c1-16; }
union() { echo "$1,$2" | tr ',' '\n' | grep -v '^$' | sort -u | paste -sd, || true; }
previous=$(grep '^extra ' "$STAMP" 2>/dev/null | cut -d' ' -f2 | paste -sd, || true)
if [ -f "$STAMP" ] && grep -qx "pyproject $(fingerprint)" "$STAMP"; then
    if [ "$(union "$previous" "$EXTRAS")" = "$(union "$previous" "")" ]; then
        echo "setup: .venv is up to date${previous:+ (extras: $previous)}"
        exit 0
    fi
else
    # a first set-up, or pyproject.toml changed: the extras installed before come again
    EXTRAS=$(union "$EXTRAS" "$previous")
fi
RECORD=$(union "$EXTRAS" "$previous")
rm -f "$STAMP"

START=$SECONDS
phase() { printf 'setup [%3ds] %s\n' "$((SECONDS - START))" "$*"; }

if [ ! -x .venv/bin/python ]; then
    phase "creating .venv with $("$PYTHON" --version 2>&1)"
    "$PYTHON" -m venv .venv
fi
# torch first and pinned: the CPU wheel; an unpinned torch pulls a multi-GB CUDA build.
phase "installing PyTorch 2.13 (CPU build, the largest download)"
"${PIP[@]}" "${INSTALL[@]}" torch==2.13.0
if [ -n "$EXTRAS" ]; then
    phase "installing GenreBlender, its runtime (librosa, Streamlit, FastAPI, transformers...) and the extras: $EXTRAS"
    "${PIP[@]}" "${INSTALL[@]}" -e ".[$EXTRAS]"
else
    phase "installing GenreBlender and its runtime (librosa, Streamlit, FastAPI, transformers...)"
    "${PIP[@]}" "${INSTALL[@]}" -e .
fi
# Bytecode for the installed packages, written once here. Where PYTHONDONTWRITEBYTECODE is set
# (as on this project's machines and many container images) Python never caches it, and every
# process, each sweep worker and CLI call, recompiled torch, scipy and librosa's sources: about
# 4 s per start (measured: a 5-s CLI blend 10.1-11.0 s -> 6.1-6.5 s). Left out: the installers
# (pip, setuptools), Ray (cluster sweeps only) and torch's symbolic-maths and graph libraries,
# which GenreBlender's runs do not import.
phase "compiling the installed Python modules, once (each later start is ~4 s faster)"
SITE=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
mapfile -t PACKAGES < <(find "$SITE" -mindepth 1 -maxdepth 1 \( -type d -o -name '*.py' \) \
    ! -name '*.dist-info' ! -name '*.egg-info' ! -name __pycache__ \
    ! -name pip ! -name setuptools ! -name ray ! -name sympy ! -name networkx)
# (a failure is expected and harmless: torch ships a test file in Python 3.12 syntax)
PYTHONDONTWRITEBYTECODE= .venv/bin/python -m compileall -q -j 0 "${PACKAGES[@]}" >/dev/null 2>&1 \
    || true
# librosa compiles its numba kernels on first use; compiled here by one process, the first blend
# starts ~17 s sooner and no two sweep workers can write the cache at once (numba issue #10128:
# a cache written by two processes makes every later process segfault; see jit_cache.py)
phase "compiling librosa's numba kernels, once"
.venv/bin/python -c 'from genreblender.jit_cache import warm_librosa_kernels as w; w()'
{
    echo "pyproject $(fingerprint)"
    for extra in ${RECORD//,/ }; do echo "extra $extra"; done
} > "$STAMP"
phase "done: .venv/bin/genreblender is ready"
