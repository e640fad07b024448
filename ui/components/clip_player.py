"""Clips playing in a page: one with its own controls, or two side by side on one clock.

Each clip is an HTML5 ``<video>`` (class ``sbc-video``) served by URL (``clip_media``), its poster
shown until it plays, muted unless told otherwise. Two clips in ``sync`` share one Play, one
position slider and one clock: the longer clip leads, the other follows it (nudged in speed, sought
when far off), and a shorter one holds its last frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from storyboard_core.models import ClipFacts

from .clip_media import media_url

_JS = """
const views = new WeakMap();
const latest = new WeakMap();

function build(root, data) {
  const doc = root.ownerDocument || document;
  const win = doc.defaultView || window;
  const make = (tag, className, text) => {
    const node = doc.createElement(tag);
    node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const box = make("div", "sbc");
  const sides = make("div", "sbc-sides");
  const videos = data.clips.map((clip, i) => {
    const figure = make("figure", "sbc-side");
    const video = make("video", "sbc-video");
    video.dataset.side = String(i);
    video.preload = "auto";
    video.playsInline = true;
    video.muted = clip.muted;
    video.controls = !data.sync;
    if (clip.poster) video.poster = clip.poster;
    video.src = clip.url;
    figure.append(video, make("figcaption", "sbc-caption", clip.label));
    sides.append(figure);
    return video;
  });
  box.append(sides);
  root.append(box);
  let frame = 0;
  const teardown = () => {
    win.cancelAnimationFrame(frame);
    for (const video of videos) {
      video.pause();
      video.removeAttribute("src");
      video.load();
    }
    box.remove();
  };
  if (!data.sync) return teardown;

  // One clock for both: seconds since the start, led by the longest clip while it plays.
  const bar = make("div", "sbc-bar");
  const play = make("button", "sbc-play", "▶ Play both");
  play.type = "button";
  const slider = make("input", "sbc-position");
  slider.type = "range";
  slider.min = "0";
  slider.step = "0.01";
  slider.value = "0";
  const time = make("span", "sbc-time", "0.00 s");
  bar.append(play, slider, time);
  box.append(bar);
  let running = false;
  let anchor = 0;
  let at = 0;
  const durationOf = (video, i) =>
    Number.isFinite(video.duration) ? video.duration : data.clips[i].duration;
  const length = () => Math.max(...videos.map(durationOf));
  const leader = () => videos.reduce((a, b, i) => (durationOf(b, i) > durationOf(a, videos.indexOf(a)) ? b : a));
  const clock = () => (running ? (win.performance.now() - anchor) / 1000 : at);

  function place(t) {
    videos.forEach((video, i) => {
      video.playbackRate = 1;
      video.currentTime = Math.min(t, durationOf(video, i));
    });
  }
  function show(t) {
    slider.max = String(length());
    slider.value = String(t);
    time.textContent = `${t.toFixed(2)} s`;
  }
  function start() {
    if (at >= length()) at = 0;
    running = true;
    anchor = win.performance.now() - at * 1000;
    place(at);
    videos.forEach((video, i) => {
      if (at < durationOf(video, i)) video.play().catch(() => {});
    });
    play.textContent = "⏸ Pause";
    frame = win.requestAnimationFrame(follow);
  }
  function halt(t) {
    running = false;
    at = t;
    win.cancelAnimationFrame(frame);
    for (const video of videos) video.pause();
    place(at);
    play.textContent = "▶ Play both";
    show(at);
  }
  function follow() {
    const lead = leader();
    if (!lead.paused && !lead.seeking) anchor = win.performance.now() - lead.currentTime * 1000;
    const t = clock();
    if (t >= length()) return halt(length());
    videos.forEach((video, i) => {
      if (video === lead) return;
      const end = durationOf(video, i);
      if (t >= end) {
        video.pause(); // a shorter clip holds its last frame
        return;
      }
      if (video.paused) video.play().catch(() => {});
      const behind = t - video.currentTime;
      if (Math.abs(behind) > 0.3) video.currentTime = t;
      else video.playbackRate = Math.min(1.5, Math.max(0.5, 1 + behind * 2));
    });
    show(t);
    frame = win.requestAnimationFrame(follow);
  }
  play.addEventListener("click", () => (running ? halt(clock()) : start()));
  slider.addEventListener("input", () => {
    at = Number(slider.value);
    anchor = win.performance.now() - at * 1000;
    place(at);
    show(at);
  });
  videos[0].addEventListener("loadedmetadata", () => show(at));
  show(0);
  return teardown;
}

export default function (component) {
  const { data, parentElement } = component;
  const call = {};
  latest.set(parentElement, call);
  const sig = JSON.stringify(data);
  const view = views.get(parentElement);
  if (!view || view.sig !== sig) {
    if (view) view.teardown();
    views.set(parentElement, { sig, teardown: build(parentElement, data) });
  }
  // Only the latest call's cleanup removes the clips (as for the present page's player).
  return () => {
    if (latest.get(parentElement) !== call) return;
    views.get(parentElement)?.teardown();
    views.delete(parentElement);
    latest.delete(parentElement);
  };
}
"""
_CSS = """
.sbc-sides { display: flex; gap: 0.8rem; }
.sbc-side { flex: 1; min-width: 0; margin: 0; }
.sbc-video { display: block; width: 100%; border-radius: 6px; background: #0b0c0f; }
.sbc-caption { font-size: 0.8rem; opacity: 0.75; margin-top: 0.2rem; }
.sbc-bar { display: flex; align-items: center; gap: 0.6rem; margin-top: 0.4rem; }
.sbc-play { font: inherit; padding: 0.25rem 0.8rem; border-radius: 6px; cursor: pointer; }
.sbc-position { flex: 1; }
.sbc-time { font-variant-numeric: tabular-nums; min-width: 4.5rem; text-align: right; }
"""
_component = st.components.v2.component("storyboard_clips", css=_CSS, js=_JS, isolate_styles=True)


@dataclass(frozen=True)
class ClipOnPage:
    """One clip to play: its file, its poster's (``None``: none), its facts and a caption."""

    file: Path
    poster: Path | None
    facts: ClipFacts
    label: str
    muted: bool = True


def clip_facts(facts: ClipFacts) -> str:
    """``"24 fps · 48 frames · 2 s · 320×192"``: what decoding the clip found."""
    return (
        f"{facts.fps:g} fps · {facts.frames} frames · {facts.duration:g} s · "
        f"{facts.width}×{facts.height}"
    )


def play_clips(clips: list[ClipOnPage], *, key: str, sync: bool = False) -> None:
    """Show ``clips`` side by side; ``sync``: one Play, one slider and one clock for all of them."""
    data = {
        "sync": sync,
        "clips": [
            {
                "url": media_url(c.file, f"{key}:{i}:clip"),
                "poster": media_url(c.poster, f"{key}:{i}:poster") if c.poster else "",
                "duration": c.facts.duration,
                "muted": c.muted,
                "label": c.label,
            }
            for i, c in enumerate(clips)
        ],
    }
    _component(key=key, data=data)


__all__ = ["ClipOnPage", "clip_facts", "play_clips"]
