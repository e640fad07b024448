/* Storyboard Studio player: one shot at a time, a strip to jump, and Play as an animatic.
 *
 * createPlayer(root, {slides, slidesKey, start, visit, more, height, onPlace}) builds the player inside `root` (an element or
 * a shadow root) and returns {update(data), destroy()}. Every text from a slide goes in through
 * textContent, frames only as image sources (data: URIs; on the present page the stage frame's
 * served URL): nothing is parsed as markup, and the one-file player requests nothing. Play follows one ideal timeline: each shot begins exactly when the one before it ends
 * (anchor + duration), measured with performance.now(), so late timers never add up to drift.
 *
 * The root element carries the state for tests and tools: data-index, data-shot, data-seq,
 * data-playing ("true"/"false"); an "sb-place" event (detail: {index, shot, seq, at}) follows
 * every change of shot.
 *
 * Extensions (sound, captions, clips, review rooms…) live in their own files, assets/player-*.js,
 * which player.py appends after this one. Each calls registerPlayerExtension(setup) once; every new
 * player calls setup(api) with:
 *   api.root, api.player, api.stage, api.frame, api.controls (elements), api.make(tag, class, text),
 *   api.button(label, action, hint, handler), api.options (what createPlayer got),
 *   api.slide() / api.index() / api.slides() / api.playing(), api.position() (ms into the current
 *   shot), api.go(i), api.play(), api.pause(), api.stop(), api.redraw(), api.seek(ms) (to ms into
 *   the shot, playing or not), api.text() / api.showText(on) (the prompt & notes panel),
 *   api.report(on) (whether changes of shot go to options.onPlace; a room's follower: not),
 *   api.key(key, handler) (a key the player then handles, e.g. "m"),
 *   api.on(name, handler) for "draw", "show" (index), "play" (ms into the shot), "pause", "stop",
 *   "update" (data) and "destroy".
 * An extension's failure is its own: it is logged and the player goes on.
 */
const playerExtensions = [];

function registerPlayerExtension(setup) {
  "use strict";
  playerExtensions.push(setup);
}

function createPlayer(root, options) {
  "use strict";
  const doc = root.ownerDocument || document;
  const win = doc.defaultView || window;
  const onPlace = options.onPlace || function () {};
  let slides = options.slides || [];
  let slidesKey = options.slidesKey; // names the slides' version: the same key, the same slides
  let more = Boolean(options.more);
  let visit = options.visit;
  let index = Math.max(0, findShot(options.start));
  let playing = false;
  let waiting = false; // played to the end of the slides while more are on their way
  let anchor = 0; // performance.now() at which the current shot's time began
  let pausedAt = 0; // ms of the current shot already played when paused
  let timer = null;
  let textShown = false;
  let reporting = true; // changes of shot go to onPlace (see api.report)
  const preloaded = new Map();
  const listeners = new Map(); // hook name -> the extensions' handlers
  const extensionKeys = new Map(); // key -> an extension's handler

  function make(tag, className, text) {
    const node = doc.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(label, action, hint, handler) {
    const node = make("button", "sb-button", label);
    node.type = "button";
    node.dataset.action = action;
    node.title = hint;
    // A click must not leave the focus on the button: Space would then press it as well.
    node.addEventListener("mousedown", (event) => event.preventDefault());
    node.addEventListener("click", handler);
    return node;
  }

  // ---------------------------------------------------------------- the DOM, built once
  const player = make("div", "sb-player");
  player.setAttribute("role", "region");
  player.setAttribute("aria-label", "Storyboard player");
  const head = make("div", "sb-head");
  const where = make("span", "sb-where");
  const title = make("span", "sb-title");
  const duration = make("span", "sb-duration");
  head.append(where, title, duration);

  const stage = make("div", "sb-stage");
  const frame = make("img", "sb-frame");
  frame.alt = "";
  frame.decoding = "sync";
  const card = make("div", "sb-card");
  const cardTitle = make("div", "sb-card-title");
  const cardPrompt = make("div", "sb-card-prompt");
  const cardNote = make("div", "sb-card-note");
  card.append(cardTitle, cardPrompt, cardNote);
  const text = make("div", "sb-text");
  const promptLabel = make("div", "sb-text-label", "Prompt");
  const promptText = make("div", "sb-text-body");
  const notesLabel = make("div", "sb-text-label", "Notes");
  const notesText = make("div", "sb-text-body");
  text.append(promptLabel, promptText, notesLabel, notesText);
  stage.append(frame, card, text);

  const progress = make("div", "sb-progress");
  const bar = make("div", "sb-progress-bar");
  progress.append(bar);

  const controls = make("div", "sb-controls");
  const prevButton = button("◀ Previous", "previous", "Previous shot (←)", () => step(-1));
  const playButton = button("▶ Play", "play", "Play / pause (Space)", () => toggle());
  const stopButton = button("■ Stop", "stop", "Stop", () => stop());
  const nextButton = button("Next ▶", "next", "Next shot (→)", () => step(1));
  const textButton = button("Prompt & notes", "text", "Show the prompt and notes (P)", () =>
    toggleText(),
  );
  const fullButton = button("Full screen", "fullscreen", "Full screen (F)", () => fullscreen());
  controls.append(prevButton, playButton, stopButton, nextButton, textButton, fullButton);

  const strip = make("div", "sb-strip");
  player.append(head, stage, progress, controls, strip);
  if (options.height) player.style.setProperty("--sb-height", options.height);
  root.append(player);

  // ---------------------------------------------------------------- extensions
  function emit(name, value) {
    for (const handler of listeners.get(name) || []) {
      try {
        handler(value);
      } catch (error) {
        win.console.error("storyboard player extension:", error);
      }
    }
  }

  function position() {
    if (!slides.length) return 0;
    return playing ? Math.min(lengthMs(), win.performance.now() - anchor) : pausedAt;
  }

  const api = {
    root,
    player,
    stage,
    frame,
    controls,
    options,
    make,
    button,
    slide: () => slides[index],
    index: () => index,
    slides: () => slides,
    playing: () => playing,
    position,
    go: (i) => go(i),
    play: () => play(),
    pause: () => pause(),
    stop: () => stop(),
    redraw: () => draw(),
    seek: (ms) => seek(ms),
    text: () => textShown,
    showText: (on) => on !== textShown && toggleText(),
    report(on) {
      reporting = Boolean(on);
    },
    key(key, handler) {
      extensionKeys.set(key, handler);
    },
    on(name, handler) {
      if (!listeners.has(name)) listeners.set(name, []);
      listeners.get(name).push(handler);
    },
  };

  // ---------------------------------------------------------------- drawing
  function findShot(id) {
    return id ? slides.findIndex((s) => s.shot === id) : -1;
  }

  function seconds(value) {
    return `${Number(value.toFixed(2))} s`;
  }

  function buildStrip() {
    strip.replaceChildren();
    let seq = null;
    slides.forEach((slide, i) => {
      if (slide.seq !== seq) {
        seq = slide.seq;
        strip.append(make("div", "sb-strip-seq", slide.seq_name));
      }
      const thumb = make("button", "sb-thumb");
      thumb.type = "button";
      thumb.dataset.index = String(i);
      thumb.title = `#${slide.number} ${slide.title || "Untitled shot"}`;
      thumb.addEventListener("mousedown", (event) => event.preventDefault());
      thumb.addEventListener("click", () => go(i));
      if (slide.thumb) {
        const img = make("img", "sb-thumb-img");
        img.alt = "";
        img.src = slide.thumb;
        thumb.append(img);
      } else {
        thumb.append(make("span", "sb-thumb-card", slide.title || "Untitled shot"));
      }
      thumb.append(make("span", "sb-thumb-number", `#${slide.number}`));
      strip.append(thumb);
    });
  }

  function draw() {
    const slide = slides[index];
    player.dataset.index = String(slides.length ? index : -1);
    player.dataset.shot = slide ? slide.shot : "";
    player.dataset.seq = slide ? slide.seq : "";
    player.dataset.playing = String(playing);
    playButton.textContent = playing ? "⏸ Pause" : "▶ Play";
    prevButton.disabled = index <= 0;
    nextButton.disabled = index >= slides.length - 1;
    playButton.disabled = stopButton.disabled = !slides.length;
    textButton.setAttribute("aria-pressed", String(textShown));
    text.hidden = !textShown || !slide;
    if (!slide) {
      where.textContent = "";
      title.textContent = "No shots to present";
      duration.textContent = "";
      frame.hidden = true;
      card.hidden = false;
      cardTitle.textContent = "No shots to present";
      cardPrompt.textContent = "";
      cardNote.textContent = "";
      emit("draw");
      return;
    }
    const inSequence = slides.filter((s) => s.seq === slide.seq).length;
    where.textContent = `${slide.seq_name} · shot ${slide.number} of ${inSequence}`;
    title.textContent = slide.title || "Untitled shot";
    duration.textContent = seconds(slide.duration);
    if (slide.image) {
      frame.src = slide.image;
      frame.hidden = false;
      card.hidden = true;
    } else {
      frame.removeAttribute("src");
      frame.hidden = true;
      card.hidden = false;
      cardTitle.textContent = slide.title || "Untitled shot";
      cardPrompt.textContent = slide.prompt || "No prompt yet";
      cardNote.textContent = slide.missing || "";
    }
    promptText.textContent = slide.prompt || "No prompt yet";
    notesText.textContent = slide.notes;
    notesLabel.hidden = notesText.hidden = !slide.notes;
    strip.querySelectorAll(".sb-thumb").forEach((node) => {
      const active = Number(node.dataset.index) === index;
      node.classList.toggle("sb-active", active);
      if (active) {
        node.setAttribute("aria-current", "true");
        // Scroll the strip itself, never the page around it.
        strip.scrollLeft = node.offsetLeft - (strip.clientWidth - node.offsetWidth) / 2;
      } else node.removeAttribute("aria-current");
    });
    preload(index + 1);
    preload(index - 1);
    emit("draw");
  }

  function preload(i) {
    const slide = slides[i];
    if (!slide || !slide.image || preloaded.has(slide.image)) return;
    if (preloaded.size > 8) preloaded.clear();
    const img = new win.Image();
    img.src = slide.image;
    if (img.decode) img.decode().catch(() => {});
    preloaded.set(slide.image, img);
  }

  function show(i) {
    index = i;
    draw();
    const slide = slides[index];
    const detail = { index, shot: slide.shot, seq: slide.seq, at: win.performance.now() };
    player.dispatchEvent(new win.CustomEvent("sb-place", { detail, bubbles: true, composed: true }));
    if (reporting) onPlace(slide);
    emit("show", index);
  }

  // ---------------------------------------------------------------- the timeline
  function lengthMs() {
    return Math.max(0, slides[index].duration * 1000);
  }

  function arm() {
    win.clearTimeout(timer);
    const now = win.performance.now();
    const due = anchor + lengthMs();
    timer = win.setTimeout(tick, Math.max(0, due - now));
    const done = lengthMs() ? Math.min(1, (now - anchor) / lengthMs()) : 1;
    bar.style.transition = "none";
    bar.style.transform = `scaleX(${done})`;
    void bar.offsetWidth; // start the transition from there
    bar.style.transition = `transform ${Math.max(0, due - now)}ms linear`;
    bar.style.transform = "scaleX(1)";
  }

  function tick() {
    timer = null;
    if (!playing) return;
    const due = anchor + lengthMs();
    if (win.performance.now() < due - 1) return arm(); // a timer that woke early
    if (index + 1 >= slides.length) {
      if (more) {
        waiting = true; // the next slides arrive with update()
        return;
      }
      return stop();
    }
    anchor = due; // the next shot starts when this one ends, not when the timer fired
    show(index + 1);
    arm();
  }

  function play() {
    if (!slides.length) return;
    playing = true;
    waiting = false;
    anchor = win.performance.now() - pausedAt;
    pausedAt = 0;
    draw();
    arm();
    emit("play", win.performance.now() - anchor);
  }

  function pause() {
    pausedAt = Math.min(lengthMs(), win.performance.now() - anchor);
    halt();
    bar.style.transform = `scaleX(${lengthMs() ? pausedAt / lengthMs() : 0})`;
    emit("pause");
  }

  function stop() {
    pausedAt = 0;
    halt();
    bar.style.transform = "scaleX(0)";
    emit("stop");
  }

  function halt() {
    playing = false;
    waiting = false;
    win.clearTimeout(timer);
    timer = null;
    bar.style.transition = "none";
    draw();
  }

  function seek(ms) {
    if (!slides.length) return;
    const at = Math.min(lengthMs(), Math.max(0, ms));
    if (!playing) {
      pausedAt = at;
      bar.style.transform = `scaleX(${lengthMs() ? at / lengthMs() : 0})`;
      return;
    }
    anchor = win.performance.now() - at;
    arm();
  }

  function toggle() {
    if (playing) pause();
    else play();
  }

  function go(i) {
    if (!slides.length) return;
    const target = Math.min(slides.length - 1, Math.max(0, i));
    pausedAt = 0;
    if (target !== index) show(target);
    if (playing) {
      anchor = win.performance.now(); // a shot chosen by hand plays in full
      arm();
      emit("play", 0);
    } else {
      bar.style.transform = "scaleX(0)";
    }
  }

  function step(delta) {
    go(index + delta);
  }

  function toggleText() {
    textShown = !textShown;
    draw();
  }

  function fullscreen() {
    if (doc.fullscreenElement) doc.exitFullscreen();
    else if (player.requestFullscreen) player.requestFullscreen().catch(() => {});
  }

  // ---------------------------------------------------------------- keys
  function editable(node) {
    if (!node || !node.closest) return false;
    return Boolean(node.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']"));
  }

  function handled(event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return false;
    const target = event.composedPath ? event.composedPath()[0] : event.target;
    if (editable(target)) return false;
    const ours = target instanceof win.Node && player.contains(target);
    // Space on someone else's button or link presses it, as it should.
    if (event.key === " " && !ours && target.closest && target.closest("button, a, [role=button]"))
      return false;
    return (
      ["ArrowRight", "ArrowLeft", "PageDown", "PageUp", "Home", "End", " ", "p", "f"].includes(
        event.key,
      ) || extensionKeys.has(event.key)
    );
  }

  function onKeyDown(event) {
    if (!handled(event)) return;
    event.preventDefault();
    if (event.repeat && event.key === " ") return;
    switch (event.key) {
      case "ArrowRight":
      case "PageDown":
        return step(1);
      case "ArrowLeft":
      case "PageUp":
        return step(-1);
      case "Home":
        return go(0);
      case "End":
        return go(slides.length - 1);
      case " ":
        return toggle();
      case "p":
        return toggleText();
      case "f":
        return fullscreen();
      default:
        return extensionKeys.get(event.key)(event);
    }
  }

  function onKeyUp(event) {
    if (event.key === " " && handled(event)) event.preventDefault(); // no button press on release
  }

  doc.addEventListener("keydown", onKeyDown);
  doc.addEventListener("keyup", onKeyUp);

  for (const setup of playerExtensions) {
    try {
      setup(api);
    } catch (error) {
      win.console.error("storyboard player extension:", error);
    }
  }
  buildStrip();
  draw();

  return {
    /** New data ({slides, slidesKey, start, visit, more}): a new `visit` goes to `start`; otherwise
     * the shot on screen stays (and playing goes on) whatever slides come or go around it. Slides
     * with the `slidesKey` the player has (when one is given) are the ones it has: kept as they are. */
    update(data) {
      const current = slides[index] ? slides[index].shot : "";
      // The page runs again after every move with the same slides: the strip is not rebuilt.
      if (data.slidesKey === undefined || data.slidesKey !== slidesKey) {
        slidesKey = data.slidesKey;
        slides = data.slides || [];
        buildStrip();
      }
      more = Boolean(data.more);
      emit("update", data);
      if (data.visit !== visit) {
        visit = data.visit;
        if (playing) stop();
        index = Math.max(0, findShot(data.start));
        draw();
        return;
      }
      const kept = findShot(current);
      index = kept >= 0 ? kept : Math.min(index, Math.max(0, slides.length - 1));
      draw();
      if (waiting && index + 1 < slides.length) {
        waiting = false;
        anchor = win.performance.now();
        show(index + 1);
        arm();
      }
    },
    /** Remove the player, its timer and its key handlers. */
    destroy() {
      win.clearTimeout(timer);
      emit("destroy");
      doc.removeEventListener("keydown", onKeyDown);
      doc.removeEventListener("keyup", onKeyUp);
      player.remove();
    },
  };
}
