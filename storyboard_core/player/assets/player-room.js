/* Review rooms: the presenter's player sends its moves, a follower's player follows them.
 *
 * The room lives in Python (storyboard_core/review/room.py); the app's room component (ui/views/room.py)
 * and this extension talk through two window events, so the player knows nothing of Streamlit:
 *   "sb-room:state" (detail: the room as this member sees it: {room, version, ended, presenter,
 *     leading, following, seq, shot, playing, position, text, members, go}); the latest is also
 *     kept in window.sbRoomState for a player mounted after it;
 *   "sb-room:move" (detail: {seq, shot, playing, position, text}) when the presenter's player moves;
 *   "sb-room:ask" (detail: {seq, shot}) when a participant who stepped away clicks "Look at this
 *     shot" (the shot this player shows, exactly, whatever the page has heard of yet).
 * A follower's controls, strip and keys are locked while it follows. While leading or following,
 * changes of shot are not reported to the page (the room's fragment puts them in the URL: no run of
 * the whole page per member and move); the root carries data-room ("leading", "following", "away", "ended" or absent) for tests.
 * Outside the app nothing is sent.
 */
registerPlayerExtension(function (api) {
  "use strict";
  const doc = api.root.ownerDocument || document;
  const win = doc.defaultView || window;
  const LOCKED_KEYS = ["ArrowRight", "ArrowLeft", "PageDown", "PageUp", "Home", "End", " ", "p"];
  const banner = api.make("div", "sb-room-banner");
  const label = api.make("span", "sb-room-label");
  const ask = api.button("Look at this shot", "room-ask", "Ask the presenter to show this shot", () => {
    const slide = api.slide();
    if (slide) win.dispatchEvent(new win.CustomEvent("sb-room:ask", { detail: { seq: slide.seq, shot: slide.shot } }));
  });
  banner.append(label, ask);
  banner.hidden = true;
  api.player.insertBefore(banner, api.stage);
  let state = null;
  let applying = false;
  let sentText = api.text();
  let goNonce = null;

  function leading() {
    return Boolean(state && !state.ended && state.leading);
  }

  function locked() {
    return Boolean(state && !state.ended && !state.leading && state.following);
  }

  function send() {
    if (!leading() || applying) return;
    const slide = api.slide();
    if (!slide) return;
    sentText = api.text();
    const detail = {
      seq: slide.seq,
      shot: slide.shot,
      playing: api.playing(),
      position: Math.round(api.position()),
      text: sentText,
    };
    win.dispatchEvent(new win.CustomEvent("sb-room:move", { detail }));
  }

  function follow() {
    const i = api.slides().findIndex((s) => s.shot === state.shot);
    if (i < 0) return; // a shot outside the slides this player holds
    applying = true;
    try {
      if (i !== api.index()) api.go(i);
      if (state.playing && !api.playing()) {
        api.seek(state.position);
        api.play();
      } else if (!state.playing && api.playing()) api.pause();
      if (Math.abs(api.position() - state.position) > 350) api.seek(state.position);
      api.showText(state.text);
    } finally {
      applying = false;
    }
  }

  function apply(next) {
    state = next;
    // In a running room the room's fragment puts the shot in the URL (the presenter's and the
    // followers'); a report would cost a run of the whole page per member and move.
    api.report(!(leading() || locked()));
    if (!state) {
      delete api.player.dataset.room;
      banner.hidden = true;
      return;
    }
    const mode = state.ended ? "ended" : state.leading ? "leading" : state.following ? "following" : "away";
    api.player.dataset.room = mode;
    banner.hidden = false;
    ask.hidden = mode !== "away";
    label.textContent = state.ended
      ? `Review room: ${state.ended}`
      : state.leading
        ? `You lead the review room · ${state.members.length} in the room`
        : state.following
          ? `Following ${state.presenter}`
          : `You stepped away from ${state.presenter}'s room`;
    if (locked()) follow();
    if (leading() && state.go && state.go.nonce !== goNonce) {
      goNonce = state.go.nonce;
      const i = api.slides().findIndex((s) => s.shot === state.go.shot);
      if (i >= 0) api.go(i);
    }
  }

  function onState(event) {
    apply(event.detail);
  }

  function onKey(event) {
    if (locked() && LOCKED_KEYS.includes(event.key)) event.stopImmediatePropagation();
  }

  api.on("show", send);
  api.on("play", send);
  api.on("pause", send);
  api.on("stop", send);
  api.on("draw", () => {
    if (api.text() !== sentText) send();
  });
  // New data from a run of the whole page may move the player (a new arrival goes to its start
  // shot): once the player has taken it, a follower goes back to the room's place.
  api.on("update", () => win.queueMicrotask(() => locked() && follow()));
  api.on("destroy", () => {
    win.removeEventListener("sb-room:state", onState);
    doc.removeEventListener("keydown", onKey, true);
  });
  win.addEventListener("sb-room:state", onState);
  doc.addEventListener("keydown", onKey, true); // before the player's own handler
  if (win.sbRoomState) apply(win.sbRoomState);
});
