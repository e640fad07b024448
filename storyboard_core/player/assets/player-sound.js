/* Sound, captions and camera moves for the storyboard player (an extension: see player.js).
 *
 * Sound: options.audio = {src, duration, missing} is one mix under all the slides; a slide starts
 * at slide.at seconds of it. The mix follows the player's ideal timeline (slide.at + the position
 * in the shot): Play starts it there, a move seeks it, Pause/Stop stop it, and while playing it is
 * steered back onto the timeline (playback rate) when it drifts more than DRIFT seconds, sought
 * when more than FAR. A sound that is missing or
 * cannot play never stops the player: it plays silent and says so. Mute (button, M) silences it.
 * The root carries data-muted and data-captions for tests and tools.
 *
 * Captions (button, C): the slide's dialogue over the frame, the speaker's name before its first
 * line (as captions.caption_text), through textContent.
 *
 * Camera: slide.camera = {from: [left, top, size], to: [...], easing} (camera.player_camera). On
 * every animation frame while playing, the view is the eased blend of both ends and the frame gets
 * the transform of camera.css_transform (origin 0 0, clipped by its box), so the picture is the
 * MP4's; when not playing it shows the view at the paused position (the start after a move).
 */
registerPlayerExtension(function (api) {
  "use strict";
  const DRIFT = 0.02; // seconds the sound may stray from the timeline before it is steered back
  const FAR = 0.25; // seconds past which it is sought instead (a seek itself takes some time)
  const STEER = 0.1; // the most the playback rate moves from 1 while steering
  const win = api.root.ownerDocument.defaultView || window;
  let audio = null;
  let source = "";
  let missing = [];
  let failed = "";
  let muted = false;
  let captions = false;
  let loop = 0;
  let checked = 0; // performance.now() of the last drift check

  // ---------------------------------------------------------------- the elements
  const box = api.make("div", "sb-camera");
  api.frame.replaceWith(box);
  box.append(api.frame);
  const caption = api.make("div", "sb-caption");
  caption.setAttribute("aria-live", "polite");
  const note = api.make("div", "sb-sound-note");
  note.setAttribute("role", "status");
  api.stage.append(caption, note);
  const muteButton = api.button("Mute", "mute", "Sound on / off (M)", () => toggleMute());
  const captionButton = api.button("Captions", "captions", "Show the dialogue (C)", () =>
    toggleCaptions(),
  );
  api.controls.append(muteButton, captionButton);

  // ---------------------------------------------------------------- sound
  function setAudio(option) {
    const src = option && option.src ? option.src : "";
    missing = option && option.missing ? option.missing : [];
    if (src !== source) {
      source = src;
      failed = "";
      if (audio) {
        audio.pause();
        audio.remove();
        audio = null;
      }
      if (src) {
        audio = api.make("audio", "sb-audio");
        audio.preload = "auto";
        audio.muted = muted;
        audio.addEventListener("error", () => fail("the sound could not be played"));
        audio.src = src;
        api.player.append(audio);
        place();
        if (api.playing()) start();
      }
    }
    muteButton.hidden = !audio;
    showNote();
  }

  function fail(why) {
    failed = why;
    showNote();
  }

  function showNote() {
    const said = [...missing];
    if (failed) said.push(`Playing silent: ${failed}`);
    note.textContent = said.join(" · ");
    note.hidden = !said.length;
  }

  /** Where the sound should be now: the shot's start on the mix plus the time into the shot. */
  function ideal() {
    const slide = api.slide();
    return slide ? (slide.at || 0) + api.position() / 1000 : 0;
  }

  function seek(seconds) {
    if (!audio) return;
    try {
      audio.currentTime = Math.max(0, seconds);
    } catch (error) {
      fail("the sound cannot be sought"); // not loaded enough to seek: silent, not stopped
    }
  }

  /** Not playing: the sound waits exactly where the picture is. */
  function place() {
    if (audio && Math.abs(audio.currentTime - ideal()) > DRIFT) seek(ideal());
  }

  /** Playing: a small drift is steered away by the playback rate (a seek would stall the sound
   * for about as long as the drift it fixes); a large one is sought. */
  function follow() {
    if (!audio || audio.paused || audio.seeking) return;
    const off = audio.currentTime - ideal(); // > 0: the sound is ahead
    if (Math.abs(off) > FAR) {
      audio.playbackRate = 1;
      seek(ideal());
    } else {
      const rate = Math.abs(off) > DRIFT ? 1 - Math.max(-STEER, Math.min(STEER, 2 * off)) : 1;
      if (audio.playbackRate !== rate) audio.playbackRate = rate;
    }
  }

  function start() {
    if (!audio) return;
    audio.playbackRate = 1;
    seek(ideal());
    const started = audio.play();
    if (started && started.catch) started.catch((error) => fail(error.message || String(error)));
  }

  function halt() {
    if (audio) audio.pause();
  }

  function toggleMute() {
    muted = !muted;
    if (audio) audio.muted = muted;
    draw();
  }

  // ---------------------------------------------------------------- captions
  function captionText(slide) {
    const lines = (slide.dialogue || "")
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean);
    const speaker = (slide.speaker || "").trim();
    if (lines.length && speaker) lines[0] = `${speaker}: ${lines[0]}`;
    return lines.join("\n");
  }

  function toggleCaptions() {
    captions = !captions;
    draw();
  }

  // ---------------------------------------------------------------- camera
  function ease(easing, progress) {
    const p = Math.min(Math.max(progress, 0), 1);
    if (easing === "ease-in") return p * p;
    if (easing === "ease-out") return 1 - (1 - p) * (1 - p);
    if (easing === "ease-in-out") return p * p * (3 - 2 * p);
    return p;
  }

  function frame() {
    const slide = api.slide();
    const move = slide && slide.camera;
    if (!move) {
      api.frame.style.transform = "";
      return;
    }
    const length = (slide.duration || 0) * 1000;
    const k = ease(move.easing, length ? api.position() / length : 1);
    const [left, top, size] = move.from.map((a, i) => a + (move.to[i] - a) * k);
    // camera.css_transform: the same numbers, so the browser's picture is the MP4's.
    api.frame.style.transform = `scale(${1 / size}) translate(${-100 * left}%, ${-100 * top}%)`;
  }

  function animate(now) {
    frame();
    if (now - checked > 100 && api.playing()) {
      checked = now;
      // At the end of the last slide the player waits for the next ones: the sound plays on.
      if (api.position() < (api.slide().duration || 0) * 1000) follow();
    }
    loop = api.playing() ? win.requestAnimationFrame(animate) : 0;
  }

  function run() {
    if (!loop) loop = win.requestAnimationFrame(animate);
  }

  // ---------------------------------------------------------------- the player's hooks
  function draw() {
    const slide = api.slide();
    const text = slide ? captionText(slide) : "";
    caption.textContent = text;
    caption.hidden = !captions || !text;
    api.player.dataset.muted = String(muted);
    api.player.dataset.captions = String(captions);
    muteButton.textContent = muted ? "Sound off" : "Sound on";
    muteButton.setAttribute("aria-pressed", String(muted));
    captionButton.setAttribute("aria-pressed", String(captions));
    if (!api.playing()) {
      frame();
      place();
    }
  }

  api.on("draw", draw);
  api.on("show", () => {
    if (api.playing()) follow();
  });
  api.on("play", () => {
    start();
    run();
  });
  api.on("pause", () => {
    halt();
    place();
  });
  api.on("stop", () => {
    halt();
    seek(ideal());
  });
  api.on("update", (data) => setAudio(data.audio));
  api.on("destroy", () => {
    halt();
    win.cancelAnimationFrame(loop);
  });
  api.key("m", () => toggleMute());
  api.key("c", () => toggleCaptions());
  setAudio(api.options.audio);
});
