"""What the browser tests of clips check alike: a clip playing, two compared clips on one clock, and
Present playing a shot's clip with the player and switching it on Next."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page, expect

SYNC_LIMIT_S = 0.3  # the compare's own limit: past it, it seeks the clip that fell behind


def wait_playing(page: Page, video: Locator, *, past: float = 0.3) -> None:
    """Wait until ``video`` plays and its clock has passed ``past`` seconds."""
    page.wait_for_function(
        "([v, past]) => !v.paused && v.currentTime > past",
        arg=[video.element_handle(), past],
        timeout=15_000,
    )


def sync_gaps(page: Page, a: Locator, b: Locator, *, until: float) -> list[float]:
    """How far apart ``a`` and ``b`` are, sampled in the page every 50 ms while both play, until
    ``a`` reaches ``until`` seconds; fails unless ``b`` got there too (both played the way)."""
    found: dict[str, Any] = page.evaluate(
        """async ([a, b, until]) => {
          const gaps = [];
          while (a.currentTime < until) {
            if (!a.paused && !b.paused) gaps.push(Math.abs(a.currentTime - b.currentTime));
            await new Promise((done) => setTimeout(done, 50));
          }
          return { gaps, b: b.currentTime };
        }""",
        [a.element_handle(), b.element_handle(), until],
    )
    gaps: list[float] = found["gaps"]
    assert found["b"] >= until - SYNC_LIMIT_S, found  # the other one played along
    return gaps


def assert_in_sync(gaps: list[float]) -> None:
    """Two compared clips kept together: within 0.1 s nine samples in ten, never past 0.3 s (the
    compare's own limit, past which it seeks the clip that fell behind; below it, it speeds it up).

    A loaded machine's timers can fire a few times a second instead of twenty, so a few samples
    are enough (``sync_gaps`` checked that both played all the way)."""
    assert len(gaps) >= 3, gaps
    assert sorted(gaps)[max(0, int(len(gaps) * 0.9) - 1)] <= 0.1, gaps
    assert max(gaps) <= SYNC_LIMIT_S, gaps


def play_compared(page: Page, *, timeout: float) -> tuple[Locator, Locator]:
    """On the shot editor showing two takes compared: Play both, and check they stay together for
    1.8 s (the clips are at least 2 s long); the two compared clips."""
    both = page.locator(".sbc-video[data-side]")
    expect(both).to_have_count(3, timeout=timeout)  # the current take's clip, then the two compared
    a, b = both.nth(1), both.nth(2)
    page.locator(".sbc-play").click()
    assert_in_sync(sync_gaps(page, a, b, until=1.8))
    return a, b


def present_plays(page: Page, ids: list[str], *, clips: int, timeout: float) -> Locator:
    """On Present at shot ``ids[0]``: its clip stands in for the frame, ``clips`` thumbnails are
    marked as clips, Play plays it and Next plays ``ids[1]``'s from its start; the clip element."""
    player = page.locator(".sb-player")
    clip = player.locator("video.sb-clip")
    expect(clip).to_have_attribute("data-shot", ids[0])
    expect(clip).to_be_visible(timeout=timeout)
    expect(player.locator(".sb-thumb.sb-thumb-clip")).to_have_count(clips)
    player.get_by_role("button", name="▶ Play").click()
    wait_playing(page, clip, past=0.4)

    player.get_by_role("button", name="Next ▶").click()
    expect(player).to_have_attribute("data-shot", ids[1])
    expect(clip).to_have_attribute("data-shot", ids[1])
    # The next shot's clip starts from its beginning and plays.
    page.wait_for_function(
        "v => !v.paused && v.currentTime > 0.1 && v.currentTime < 2",
        arg=clip.element_handle(),
        timeout=15_000,
    )
    return clip
