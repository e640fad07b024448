/* Storyboard Studio player extension: a shot whose take is a clip plays it on the stage.
 *
 * A slide's `clip` is its clip (a data: URI in the one-file player, a served URL on the present
 * page, where only the shots near the one on screen carry it) and `clip_file` says it has one. The
 * clip follows the player's clock: it starts with its shot, is paused, sought and stopped with the
 * player, holds its last frame when shorter than the shot and is cut by the next shot when longer.
 * It is muted unless the slide says `clip_audible`. The poster (the slide's frame) shows until the
 * clip has loaded. Thumbnails of clips get a ▶ mark. The video element (.sb-clip) carries
 * data-shot, for tests and tools.
 */
registerPlayerExtension(function (api) {
  "use strict";
  const video = api.make("video", "sb-clip");
  video.playsInline = true;
  video.preload = "auto";
  video.disablePictureInPicture = true;
  video.hidden = true;
  api.stage.append(video);
  const DRIFT = 0.25; // seconds the clip may stray from the player's clock before it is sought
  let loaded = ""; // the shot and clip in the video element

  function current() {
    const slide = api.slide();
    return slide && slide.clip ? slide : null;
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
    const key = `${slide.seq}/${slide.shot}\n${slide.clip}`;
    if (loaded !== key) {
      loaded = key;
      if (slide.image) video.poster = slide.image;
      else video.removeAttribute("poster");
      video.src = slide.clip;
      video.dataset.shot = slide.shot;
      video.hidden = false;
      if (api.playing()) run();
      else hold();
    }
  }

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

  api.on("draw", draw);
  api.on("play", () => {
    if (current()) run();
  });
  api.on("pause", hold);
  api.on("stop", hold);
  api.on("destroy", () => {
    video.pause();
    video.removeAttribute("src");
    video.load();
  });
});
