/* Feedback from the offline player: per shot Approve / Retake and a note, and "Export feedback".
 *
 * On only when createPlayer got options.feedback (the one-file hand-out: {export, project, key,
 * takes}), never on the app's Present page. Answers are kept while the page is open and in the
 * browser's localStorage under the hand-out's export id, so closing the file loses nothing. The
 * exported JSON is signed with the hand-out's key (HMAC-SHA256 over the same compact JSON that
 * storyboard_core/review/feedback.py signed_text builds), so a file edited by hand is refused on import.
 */
registerPlayerExtension(function feedbackExtension(api) {
  "use strict";
  const given = api.options.feedback;
  if (!given || !given.export) return;
  const win = api.root.ownerDocument.defaultView || window;
  const storageKey = "storyboard-feedback:" + given.export;
  let state = load();

  function load() {
    try {
      const saved = JSON.parse(win.localStorage.getItem(storageKey) || "null");
      if (saved && typeof saved === "object" && saved.answers) return saved;
    } catch (error) {
      /* no storage (or a damaged entry): answers live only while the page is open */
    }
    return { name: "", answers: {} };
  }

  function save() {
    try {
      win.localStorage.setItem(storageKey, JSON.stringify(state));
    } catch (error) {
      /* storage refused: nothing more to do, the page keeps the answers */
    }
  }

  function place(slide) {
    return slide.seq + "/" + slide.shot;
  }

  function answer() {
    const slide = api.slide();
    return slide ? state.answers[place(slide)] || { verdict: null, note: "" } : null;
  }

  function setAnswer(change) {
    const slide = api.slide();
    if (!slide) return;
    const next = Object.assign({}, answer(), change);
    if (!next.verdict && !next.note) delete state.answers[place(slide)];
    else state.answers[place(slide)] = next;
    save();
    show();
  }

  // ---------------------------------------------------------------- the panel, built once
  const panel = api.make("div", "sb-feedback");
  const nameLabel = api.make("label", "sb-feedback-label", "Your name ");
  const name = api.make("input", "sb-feedback-name");
  name.type = "text";
  name.maxLength = 80;
  name.value = state.name;
  nameLabel.append(name);
  const approve = api.button("✓ Approve", "approve", "Approve this shot", () =>
    setAnswer({ verdict: answer().verdict === "approve" ? null : "approve" }),
  );
  const retake = api.button("↺ Retake", "retake", "Ask for a retake of this shot", () =>
    setAnswer({ verdict: answer().verdict === "retake" ? null : "retake" }),
  );
  const note = api.make("textarea", "sb-feedback-note");
  note.rows = 2;
  note.maxLength = 4000;
  note.placeholder = "A note on this shot";
  const count = api.make("span", "sb-feedback-count");
  const exportButton = api.button(
    "Export feedback",
    "export-feedback",
    "Download your answers as a file to send back",
    () => exportFeedback(),
  );
  const message = api.make("span", "sb-feedback-message");
  message.setAttribute("role", "status");
  panel.append(nameLabel, approve, retake, note, count, exportButton, message);
  api.controls.after(panel);

  name.addEventListener("input", () => {
    state.name = name.value;
    save();
  });
  note.addEventListener("input", () => setAnswer({ note: note.value }));

  function show() {
    const current = answer();
    if (!current) return;
    panel.dataset.verdict = current.verdict || "";
    approve.setAttribute("aria-pressed", String(current.verdict === "approve"));
    retake.setAttribute("aria-pressed", String(current.verdict === "retake"));
    if (note.value !== current.note) note.value = current.note;
    const answered = Object.keys(state.answers).length;
    count.textContent = answered + " of " + api.slides().length + " shots answered";
  }

  // ---------------------------------------------------------------- the file
  function rows() {
    const out = [];
    for (const slide of api.slides()) {
      const given_ = state.answers[place(slide)];
      if (!given_ || (!given_.verdict && !given_.note.trim())) continue;
      out.push({
        seq: slide.seq,
        shot: slide.shot,
        verdict: given_.verdict || null,
        note: given_.note,
        take: (given.takes || {})[place(slide)] || "",
      });
    }
    return out;
  }

  async function signature(body) {
    const signed = JSON.stringify([
      body.format,
      body.version,
      body.reviewer,
      body.project,
      body.export,
      body.shots.map((s) => [s.seq, s.shot, s.verdict, s.note, s.take]),
    ]);
    const encoder = new win.TextEncoder();
    const key = await win.crypto.subtle.importKey(
      "raw",
      encoder.encode(given.key),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const mac = new Uint8Array(await win.crypto.subtle.sign("HMAC", key, encoder.encode(signed)));
    return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function exportFeedback() {
    const reviewer = name.value.replace(/\s+/g, " ").trim();
    if (!reviewer) {
      message.textContent = "Write your name first: it goes with every answer.";
      name.focus();
      return;
    }
    const body = {
      format: "storyboard-feedback",
      version: 1,
      reviewer,
      project: given.project,
      export: given.export,
      exported_at: new Date().toISOString(),
      shots: rows(),
    };
    if (!body.shots.length) {
      message.textContent = "Approve, ask for a retake or write a note on a shot first.";
      return;
    }
    try {
      body.signature = await signature(body);
    } catch (error) {
      message.textContent = "This browser cannot sign the file: open it in a recent browser.";
      return;
    }
    const blob = new win.Blob([JSON.stringify(body, null, 2) + "\n"], { type: "application/json" });
    const link = api.make("a");
    link.href = win.URL.createObjectURL(blob);
    link.download = "feedback-" + given.project + "-" + reviewer.replace(/[^\w-]+/g, "_") + ".json";
    api.player.append(link);
    link.click();
    link.remove();
    win.setTimeout(() => win.URL.revokeObjectURL(link.href), 10000);
    message.textContent = "Saved " + body.shots.length + " answer(s): send the file back.";
  }

  api.on("show", show);
  api.on("draw", show);
  show();
});
