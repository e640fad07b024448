"""``python -m bench.runner_race [--clicks N]``: clicks lost with and without Streamlit's fast reruns.

Not a row of the table: a probe for the clicks lost under load (BENCHMARKS.md, night of
2026-12-07). A small app counts the clicks of a button read by its return value (as the dashboard's
Import is) beside a fragment that reruns every 0.05 s (as the status badge does, slower). Each
click waits up to 5 s for the count to go up; a click that never counts is lost. With fast reruns
(Streamlit's default, and ours) a click's run starts on a new script runner while the fragment's
run may still be ending, and that run's end-of-run clean-up (buttons reset, widgets it did not draw
dropped) can act on the click's run. Run it beside a loaded machine (a ``make test``): on a quiet
one both settings usually lose nothing."""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from tests.e2e.launch import CHROMIUM, CHROMIUM_ARGS, free_port, streamlit_command, wait_healthy

PROBE = """
import streamlit as st

st.session_state.setdefault("clicks", 0)


@st.fragment(run_every=0.05)
def badge():
    st.caption(f"busy {sum(i * i for i in range(20000))}")


badge()
for i in range(30):
    st.write(f"line {i}")
if st.button("Count"):
    st.session_state.clicks += 1
st.markdown(f"clicks: **{st.session_state.clicks}**")
"""


def lost_clicks(fast_reruns: bool, clicks: int) -> int:
    """How many of ``clicks`` clicks on the probe's button never counted."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "probe.py"
        script.write_text(PROBE, "utf-8")
        port = free_port()
        command = [*streamlit_command(port, str(script)), "--runner.fastReruns", str(fast_reruns)]
        process = subprocess.Popen(
            command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(process, url, 60)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                page = browser.new_page()
                page.goto(url)
                count = page.locator("strong").last
                expect(count).to_have_text("0", timeout=30_000)
                lost = 0
                for _ in range(clicks):
                    before = int(count.inner_text())
                    page.get_by_role("button", name="Count").click()
                    try:
                        expect(count).to_have_text(str(before + 1), timeout=5_000)
                    except AssertionError:
                        lost += 1
                browser.close()
                return lost
        finally:
            process.kill()
            process.wait()


def main() -> None:
    """Print the clicks lost with fast reruns on, then off."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=60)
    args = parser.parse_args()
    for fast in (True, False):
        lost = lost_clicks(fast, args.clicks)
        print(f"runner.fastReruns={str(fast).lower()}: {lost} of {args.clicks} clicks lost")


if __name__ == "__main__":
    main()
