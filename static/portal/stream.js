// Streamed playground replies: a form with data-stream-url posts there with fetch and shows
// the server-sent events as they arrive, with a Stop button. Without fetch streaming (or when
// the server answers HTML instead of a stream) the form works as before, whole replies only.
(() => {
  if (!(window.fetch && window.ReadableStream && window.AbortController && window.TextDecoder)) return;

  function parseBlock(block) {
    let name = "message"; const data = [];
    block.split("\n").forEach((line) => {
      if (line.startsWith("event:")) name = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    });
    try { return { name, data: JSON.parse(data.join("\n") || "{}") }; } catch (e) { return { name, data: {} }; }
  }

  function newExchange(form, text) {
    const log = document.querySelector(form.dataset.streamLog);
    const empty = log.querySelector(".chat-empty");
    if (empty) empty.remove();
    const node = document.querySelector(form.dataset.streamTemplate).content.firstElementChild.cloneNode(true);
    node.querySelector("[data-slot=user]").textContent = text;
    log.appendChild(node);
    return { log, node, reply: node.querySelector("[data-slot=reply]"), version: node.querySelector("[data-slot=version]") };
  }

  function showError(view, message) {
    const banner = document.createElement("div");
    banner.className = "chat-error banner banner-error";
    banner.setAttribute("role", "alert");
    banner.textContent = message;
    view.node.replaceWith(banner);
  }

  // Pages whose whole playground is re-rendered after a turn (the completions page carries
  // its history in the form) name it in data-stream-replace.
  function replaceWith(form, html) {
    const target = document.querySelector(form.dataset.streamReplace);
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const fresh = holder.firstElementChild;
    target.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
  }

  function handle(form, view, event) {
    const text = event.data.text || "";
    if (event.name === "conversation") {
      const input = form.querySelector("input[name=conversation_id]");
      if (input) input.value = text;
      const label = document.querySelector(form.dataset.streamConversationLabel || "#none");
      if (label) { label.textContent = "Conversation "; const id = document.createElement("span"); id.className = "mono"; id.dataset.testid = "conversation-id"; id.textContent = text; label.appendChild(id); }
    } else if (event.name === "version" && view.version) view.version.textContent = text;
    else if (event.name === "delta") view.reply.textContent += text;
    else if (event.name === "note") { const note = document.createElement("div"); note.className = "banner banner-warning small"; note.dataset.testid = "trial-note"; note.textContent = text; view.node.appendChild(note); }
    else if (event.name === "done" && event.data.html && form.dataset.streamReplace) { replaceWith(form, event.data.html); return; }
    else if (event.name === "done") { view.reply.textContent = text || view.reply.textContent; view.node.dataset.state = "done"; }
    else if (event.name === "error") showError(view, "Telnyx did not answer: " + text);
    view.log.scrollTop = view.log.scrollHeight;
  }

  async function send(form) {
    const box = form.querySelector(form.dataset.streamMessage || "textarea");
    const stop = form.querySelector("[data-stream-stop]");
    const submit = form.querySelector("[type=submit]");
    const body = new FormData(form);
    const view = newExchange(form, box ? box.value : "");
    const controller = new AbortController();
    if (box) { box.value = ""; box.focus(); }
    submit.disabled = true; stop.hidden = false;
    const halt = () => controller.abort();
    stop.addEventListener("click", halt, { once: true });
    try {
      const response = await fetch(form.dataset.streamUrl, { method: "POST", body, signal: controller.signal, headers: { Accept: "text/event-stream" } });
      if (!(response.headers.get("content-type") || "").includes("text/event-stream")) {
        // The server answered with the whole-reply fragment (a form or Telnyx error).
        const html = await response.text();
        if (form.dataset.streamReplace) { replaceWith(form, html); return; }
        view.node.insertAdjacentHTML("afterend", html);
        view.node.remove();
        return;
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let pending = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        pending += decoder.decode(value, { stream: true });
        const blocks = pending.split("\n\n");
        pending = blocks.pop();
        blocks.forEach((block) => handle(form, view, parseBlock(block)));
      }
    } catch (error) {
      if (error.name === "AbortError") { view.node.dataset.state = "stopped"; view.reply.insertAdjacentHTML("beforeend", ' <em class="muted">(stopped)</em>'); }
      else showError(view, "The reply could not be read: " + error.message);
    } finally {
      stop.removeEventListener("click", halt);
      submit.disabled = false; stop.hidden = true;
    }
  }

  // Capture phase: runs before HTMX sees the submit, so the form is not posted twice.
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-stream-url]");
    if (!form || event.defaultPrevented) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    send(form);
  }, true);
})();
