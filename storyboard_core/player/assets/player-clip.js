/* Storyboard Studio player extension: a shot whose take is a clip plays it on the stage.
 *
 * A slide's `clip` is its clip inlined (a data: URI in the one-file player); on the present page
 * `clip` is empty and the URLs of the clips near the shot on screen arrive apart, in
 * window.__sbClips ({"<seq>/<shot>": url}, announced by an "sb-clips" event), so the slides stay
 * the same from move to move. `clip_file` says a slide has a clip. The
 * clip follows the player's clock: it starts with its shot, is paused, sought and stopped with the
 * player, holds its last frame when shorter than the shot and is cut by the next shot when longer.
 * It is muted unless the slide says `clip_audible`. The poster (the slide's frame) shows until the
 * clip has loaded. Thumbnails of clips get a ▶ mark. The video element (.sb-clip) carries
 * data-shot, for tests and tools.
 */
registerPlayerExtension(function (api) {
  "use strict";
  const win = api.root.ownerDocument ? api.root.ownerDocument.defaultView : window;
  const video = api.make("video", "sb-clip");
  video.playsInline = true;
  video.preload = "auto";
  video.disablePictureInPicture = true;
  video.hidden = true;
  api.stage.append(video);
  const DRIFT = 0.25; // seconds the clip may stray from the player's clock before it is sought
  let loaded = ""; // the shot and clip in the video element

  // The slide's own clip (inlined), else the URL the present page serves for it, if near.
  function clipOf(slide) {
    const served = win.__sbClips || {};
    return slide.clip || served[`${slide.seq}/${slide.shot}`] || "";
  }

  function current() {
    const slide = api.slide();
    return slide && clipOf(slide) ? slide : null;
  }

  // Where the clip should be (seconds), given the player's position in the shot.
  function wanted() {
    return api.position() / 1000;
  }

  function seek(seconds) {
    const end = Number.isFinite(video.duration) ? video.duration : Infinity;
    const target = Math.min(seconds, end);
    if (Math.abs(video.currentTime - target) > 0.001) video.currentTime = target;
  }

  function run() {
    const at = wanted();
    seek(at);
    // Past its end, a shorter clip holds its last frame until the shot ends.
    if (Number.isFinite(video.duration) && at >= video.duration) return video.pause();
    const started = video.play();
    if (started && started.catch) {
      started.catch(() => {
        // A browser may refuse sound without a gesture: the clip then plays muted.
        if (!video.muted) {
          video.muted = true;
          video.play().catch(() => {});
        }
      });
    }
  }

  function hold() {
    if (!current()) return;
    video.pause();
    seek(wanted());
  }

  function markThumbs() {
    const slides = api.slides();
    api.player.querySelectorAll(".sb-thumb").forEach((node) => {
      const slide = slides[Number(node.dataset.index)];
      node.classList.toggle("sb-thumb-clip", Boolean(slide && slide.clip_file));
    });
  }

  function draw() {
    markThumbs();
    const slide = current();
    api.stage.classList.toggle("sb-with-clip", Boolean(slide));
    if (!slide) {
      if (!video.hidden) {
        video.pause();
        video.removeAttribute("src");
        video.removeAttribute("poster");
        video.load(); // let go of the last clip's data
        video.hidden = true;
        video.dataset.shot = "";
        loaded = "";
      }
      return;
    }
    video.muted = !slide.clip_audible;
    const clip = clipOf(slide);
    const key = `${slide.seq}/${slide.shot}\n${clip}`;
    if (loaded !== key) {
      loaded = key;
      if (slide.image) video.poster = slide.image;
      else video.removeAttribute("poster");
      video.src = clip;
      video.dataset.shot = slide.shot;
      video.hidden = false;
      if (api.playing()) run();
      else hold();
    }
  }

  // A clip that failed to load (the page's next run had not served it yet) is asked for again.
  let retries = 0;
  video.addEventListener("error", () => {
    if (!loaded || retries >= 5) return;
    retries += 1;
    win.setTimeout(() => {
      loaded = "";
      draw();
    }, 400 * retries);
  });
  video.addEventListener("loadeddata", () => {
    retries = 0;
  });
  video.addEventListener("loadedmetadata", () => {
    if (api.playing()) run();
    else hold();
  });
  // The player's clock leads: a clip that lags (a slow decode, a tab in the background) catches up.
  video.addEventListener("timeupdate", () => {
    if (!api.playing() || video.paused) return;
    const at = wanted();
    if (at < video.duration && Math.abs(video.currentTime - at) > DRIFT) seek(at);
  });

  win.addEventListener("sb-clips", draw);
  api.on("draw", draw);
  api.on("play", () => {
    if (current()) run();
  });
  api.on("pause", hold);
  api.on("stop", hold);
  api.on("destroy", () => {
    win.removeEventListener("sb-clips", draw);
    video.pause();
    video.removeAttribute("src");
    video.load();
  });
});
