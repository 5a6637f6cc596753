/*
 * guideqa chat widget. Embed with one tag:
 *   <script src="https://HOST/widget.js" data-key="pk_..." async></script>
 * Optional: data-target="#css-selector" (where to mount; default: a <guideqa-chat> element if the page
 * has one, else right after the script tag), data-title="...". Theme with CSS variables on the host
 * element: --gqa-accent, --gqa-bg, --gqa-fg, --gqa-muted, --gqa-border, --gqa-radius, --gqa-font, ...
 *
 * Everything from the API (answers, corpus passages, titles) is data: it is only ever inserted with
 * textContent / text nodes, never as HTML.
 */
(function () {
  "use strict";

  var script = document.currentScript || document.querySelector('script[src*="widget.js"][data-key]');
  if (!script || script.dataset.gqaMounted) return;
  script.dataset.gqaMounted = "1";

  var BASE = new URL(".", script.src).href.replace(/\/$/, "");
  var KEY = script.dataset.key || "";
  var TITLE = script.dataset.title || "Guideline assistant";
  var DISCLAIMER = "For clinicians. Decision support from guideline text only; verify against the cited sources and clinical judgment.";
  var STAGES = { retrieving: "Searching the guidelines\u2026", composing: "Composing the answer\u2026", "checking doses": "Checking every dose\u2026" };
  // guideqa's own markers close a sentence of the summary ("... 2 g/kg [1]." or "... [1][2]."); statements carry theirs
  // in their `citations` array. Any other bracketed number is the source's own text and stays text.
  var OWN_MARKERS = /((?:\s?\[\d+\])+)\.(?=\s|$)/g;
  var uid = 0;

  // ---- tiny DOM helpers: text only, never HTML ----
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) return;
        if (name === "text") node.textContent = String(value);
        else if (name === "class") node.className = value;
        else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
        else node.setAttribute(name, value === true ? "" : String(value));
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  // ---- Server-Sent Events over fetch (EventSource cannot POST) ----
  function parseSSE(block) {
    var event = "message", data = [];
    block.split(/\r\n|\r|\n/).forEach(function (line) {
      if (!line || line.charAt(0) === ":") return;
      var i = line.indexOf(":");
      var field = i < 0 ? line : line.slice(0, i);
      var value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    });
    return data.length ? { event: event, data: data.join("\n") } : null;
  }

  function streamAsk(body, signal, onEvent) {
    return fetch(BASE + "/v1/ask/stream", {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      signal: signal,
      headers: { "Authorization": "Bearer " + KEY, "Content-Type": "application/json", "Accept": "text/event-stream" },
      body: JSON.stringify(body)
    }).then(function (res) {
      if (!res.ok) {
        return res.json().catch(function () { return {}; }).then(function (payload) {
          var err = (payload && payload.error) || { code: "http_" + res.status, message: "The service answered " + res.status + "." };
          throw err;
        });
      }
      var reader = res.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          buffer += decoder.decode(chunk.value || new Uint8Array(), { stream: !chunk.done });
          var parts = buffer.split(/\r\n\r\n|\n\n|\r\r/);
          buffer = chunk.done ? "" : parts.pop();
          parts.forEach(function (block) {
            var ev = parseSSE(block);
            if (ev) {
              var payload;
              try { payload = JSON.parse(ev.data); } catch (e) { return; }
              onEvent(ev.event, payload);
            }
          });
          return chunk.done ? null : pump();
        });
      }
      return pump();
    });
  }

  // ---- the widget ----
  function Widget(host) {
    this.host = host;
    this.session = null;
    this.busy = false;
    this.controller = null;
    this.openCite = null;
    var root = host.shadowRoot || host.attachShadow({ mode: "open" });
    this.root = root;
    var frame = el("div", { class: "gqa", hidden: true });
    var css = el("link", { rel: "stylesheet", href: BASE + "/widget.css" });
    var reveal = function () { frame.hidden = false; };
    css.addEventListener("load", reveal);
    css.addEventListener("error", reveal);
    root.appendChild(css);
    root.appendChild(frame);
    this.build(frame);
  }

  Widget.prototype.build = function (frame) {
    var self = this;
    var titleId = "gqa-title-" + (++uid);
    this.newButton = el("button", { type: "button", class: "ghost", text: "New conversation", onclick: function () { self.reset(); } });
    this.log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "Conversation", tabindex: "0" });
    this.status = el("p", { class: "status", role: "status", "aria-live": "polite" });
    this.input = el("textarea", { id: "gqa-q-" + uid, rows: "2", maxlength: "2000", placeholder: "Ask a clinical question\u2026", "aria-label": "Question" });
    this.askButton = el("button", { type: "submit", class: "primary", text: "Ask" });
    this.form = el("form", { class: "ask", "aria-label": "Ask a question" }, [this.input, this.askButton]);
    this.form.addEventListener("submit", function (e) { e.preventDefault(); self.ask(); });
    this.input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); self.ask(); }
    });
    this.popover = el("div", { class: "popover", role: "dialog", "aria-modal": "false", tabindex: "-1", hidden: true });
    this.popover.addEventListener("keydown", function (e) { if (e.key === "Escape") { e.stopPropagation(); self.closePopover(true); } });
    this.root.addEventListener("keydown", function (e) { if (e.key === "Escape" && self.openCite) self.closePopover(true); });
    this.log.addEventListener("scroll", function () { self.closePopover(false); }, { passive: true });
    document.addEventListener("click", function (e) {
      if (self.openCite && e.composedPath().indexOf(self.popover) < 0 && e.composedPath().indexOf(self.openCite) < 0) self.closePopover(false);
    });
    var region = el("section", { class: "panel", role: "region", "aria-labelledby": titleId }, [
      el("header", null, [el("h2", { id: titleId, text: TITLE }), this.newButton]),
      this.log, this.status, this.form,
      el("p", { class: "disclaimer", text: DISCLAIMER })
    ]);
    frame.appendChild(region);
    frame.appendChild(this.popover);
    if (!KEY) this.setStatus("This widget has no key: add data-key=\"pk_...\" to its script tag.");
  };

  Widget.prototype.setStatus = function (text) { this.status.textContent = text || ""; };

  Widget.prototype.reset = function () {
    if (this.controller) this.controller.abort();
    var old = this.session;
    this.session = null;
    this.closePopover(false);
    while (this.log.firstChild) this.log.removeChild(this.log.firstChild);
    this.input.placeholder = "Ask a clinical question\u2026";
    this.setStatus("New conversation started.");
    if (old) {
      fetch(BASE + "/v1/sessions/" + encodeURIComponent(old), {
        method: "DELETE", mode: "cors", credentials: "omit", headers: { "Authorization": "Bearer " + KEY }
      }).catch(function () {});
    }
    this.input.focus();
  };

  Widget.prototype.ask = function () {
    var self = this;
    var question = this.input.value.trim();
    if (!question || this.busy) return;
    if (!KEY) { this.setStatus("This widget has no key."); return; }
    this.busy = true;
    this.askButton.disabled = true;
    this.input.value = "";
    var turn = new Turn(this, question);
    this.log.appendChild(turn.node);
    turn.node.scrollIntoView({ block: "nearest" });
    this.controller = new AbortController();
    var body = { question: question };
    if (this.session) body.session_id = this.session;
    else body.start_session = true; // a conversation: follow-ups need the session (deleted by "New conversation")
    streamAsk(body, this.controller.signal, function (event, data) {
      if (event === "status") self.setStatus(STAGES[data.stage] || data.stage);
      else if (event === "statement") turn.addStatement(data);
      else if (event === "citations") turn.setCitations(data);
      else if (event === "dose_checks") turn.setDoseChecks(data);
      else if (event === "done") {
        turn.finish(data);
        if (data.session_id) self.session = data.session_id;
        self.setStatus(data.status === "answered" ? "Answer ready." : data.status === "blocked" ? "Answer blocked by the dose check." : "No answer from the guidelines.");
      } else if (event === "error") throw (data && data.error) || { message: "The answer failed." };
    }).catch(function (err) {
      if (err && err.name === "AbortError") return;
      if (err && err.code === "not_found" && self.session) self.session = null; // the session expired: start afresh
      turn.fail((err && err.message) || "The service could not be reached.");
      self.setStatus("The answer failed.");
    }).then(function () {
      self.busy = false;
      self.askButton.disabled = false;
      self.controller = null;
      self.input.placeholder = self.session ? "Ask a follow-up question\u2026" : "Ask a clinical question\u2026";
    });
  };

  Widget.prototype.openPopover = function (button, turn, n) {
    var self = this;
    var c = turn.citations[n];
    this.closePopover(false);
    var pop = this.popover;
    while (pop.firstChild) pop.removeChild(pop.firstChild);
    var headId = "gqa-pop-" + (++uid);
    pop.setAttribute("aria-labelledby", headId);
    var close = el("button", { type: "button", class: "close", "aria-label": "Close source", text: "\u00d7", onclick: function () { self.closePopover(true); } });
    if (!c) {
      pop.appendChild(el("p", { id: headId, text: "Source [" + n + "] is still loading." }));
      pop.appendChild(close);
    } else {
      var where = [c.section, c.page ? "page " + c.page : null].filter(Boolean).join(", ");
      var meta = [c.issuer, c.year].filter(function (x) { return x !== null && x !== undefined && x !== ""; }).join(" \u00b7 ");
      var url = safeUrl(c.url);
      pop.appendChild(el("div", { class: "pop-head" }, [el("h3", { id: headId, text: "[" + c.n + "] " + c.title }), close]));
      if (meta) pop.appendChild(el("p", { class: "meta", text: meta }));
      if (where) pop.appendChild(el("p", { class: "meta", text: where }));
      pop.appendChild(el("blockquote", { class: "quote", text: c.quote }));
      if (c.references && c.references.length) {
        pop.appendChild(el("p", { class: "meta", text: "Published sources:" }));
        pop.appendChild(el("ul", { class: "pubs" }, c.references.map(function (r) { return el("li", { text: r }); })));
      }
      if (url) pop.appendChild(el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: "Open the source" }));
    }
    pop.hidden = false;
    var frame = pop.parentNode.getBoundingClientRect();
    var b = button.getBoundingClientRect();
    var width = Math.min(360, frame.width - 16);
    pop.style.width = width + "px";
    pop.style.left = Math.max(8, Math.min(b.left - frame.left, frame.width - width - 8)) + "px";
    pop.style.top = (b.bottom - frame.top + 6) + "px";
    button.setAttribute("aria-expanded", "true");
    this.openCite = button;
    pop.focus();
  };

  Widget.prototype.closePopover = function (restoreFocus) {
    if (!this.openCite) return;
    var button = this.openCite;
    this.openCite = null;
    this.popover.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (restoreFocus) button.focus();
  };

  // ---- one question and its answer ----
  function Turn(widget, question) {
    this.widget = widget;
    this.citations = {};
    this.sections = {};
    this.answer = null;
    this.summary = el("div", { class: "summary" });
    this.body = el("div", { class: "sections" });
    this.doses = el("div", { class: "doses", "aria-label": "Dose checks" });
    this.refs = el("ol", { class: "refs", "aria-label": "References" });
    this.actions = el("div", { class: "actions" });
    this.answerNode = el("div", { class: "answer", "aria-busy": "true" }, [this.summary, this.body, this.doses, this.refs, this.actions]);
    this.node = el("article", { class: "turn", "aria-label": "Question and answer" }, [
      el("p", { class: "question" }, [el("span", { class: "who", text: "You: " }), question]),
      this.answerNode
    ]);
  }

  Turn.prototype.citeButton = function (n) {
    var self = this;
    return el("button", {
      type: "button", class: "cite", "aria-haspopup": "dialog", "aria-expanded": "false", "aria-label": "Source " + n, text: String(n),
      onclick: function (e) {
        e.stopPropagation();
        if (self.widget.openCite === e.currentTarget) self.widget.closePopover(true);
        else self.widget.openPopover(e.currentTarget, self, n);
      }
    });
  };

  // Citation buttons only where the answer says there is a guideqa citation: a sentence-closing marker run whose
  // every number is one of the answer's `citations`. Everything else is inserted as text.
  Turn.prototype.withMarkers = function (text, into, citations) {
    var known = {}, last = 0, m, self = this;
    (citations || []).forEach(function (c) { known[c.n] = true; });
    OWN_MARKERS.lastIndex = 0;
    while ((m = OWN_MARKERS.exec(text))) {
      var numbers = (m[1].match(/\d+/g) || []).map(function (n) { return parseInt(n, 10); });
      if (!numbers.length || !numbers.every(function (n) { return known[n] === true; })) continue;
      into.appendChild(document.createTextNode(text.slice(last, m.index)));
      numbers.forEach(function (n) { into.appendChild(self.citeButton(n)); });
      into.appendChild(document.createTextNode("."));
      last = m.index + m[0].length;
    }
    into.appendChild(document.createTextNode(text.slice(last)));
  };

  Turn.prototype.addStatement = function (data) {
    var key = String(data.section_index);
    var section = this.sections[key];
    if (!section) {
      var list = el("ul");
      section = { list: list };
      this.sections[key] = section;
      this.body.appendChild(el("section", { class: "section" }, [el("h3", { text: data.section }), list]));
    }
    var s = data.statement || {};
    var item = el("li", { class: s.withheld ? "statement withheld" : "statement" });
    if (s.withheld) item.appendChild(el("span", { class: "badge bad", text: "Withheld" }));
    item.appendChild(document.createTextNode(s.text || ""));
    var self = this;
    (s.citations || []).forEach(function (n) { item.appendChild(self.citeButton(n)); });
    if (s.grade) item.appendChild(el("span", { class: "badge grade", text: "Grade: " + s.grade }));
    if (s.secondary_only) item.appendChild(el("span", { class: "badge secondary", text: "Secondary summary only" }));
    if (s.calculated) item.appendChild(el("span", { class: "badge calculated", text: "Calculated: " + s.calculated.formula }));
    section.list.appendChild(item);
  };

  Turn.prototype.setCitations = function (list) {
    var self = this;
    while (this.refs.firstChild) this.refs.removeChild(this.refs.firstChild);
    (list || []).forEach(function (c) {
      self.citations[c.n] = c;
      var bits = [c.title, c.issuer, c.year].filter(function (x) { return x !== null && x !== undefined && x !== ""; }).join(", ");
      self.refs.appendChild(el("li", { value: String(c.n) }, [bits]));
    });
  };

  Turn.prototype.setDoseChecks = function (list) {
    var self = this;
    while (this.doses.firstChild) this.doses.removeChild(this.doses.firstChild);
    (list || []).forEach(function (f) {
      var ok = f.verdict === "verified" || f.verdict === "grounded";
      var label = f.verdict === "verified" ? "Dose verified" : f.verdict === "grounded" ? "Dose in source" : "Dose withheld";
      self.doses.appendChild(el("p", { class: "dose " + (ok ? "ok" : "bad") }, [
        el("span", { class: "badge " + (ok ? "ok" : "bad"), text: label }),
        el("span", { class: "dose-text", text: f.text }),
        ok ? null : el("span", { class: "reason", text: " \u2014 " + f.message })
      ]));
    });
  };

  Turn.prototype.finish = function (answer) {
    var self = this;
    this.answer = answer;
    var cls = answer.status === "answered" ? "ok" : "bad";
    this.summary.appendChild(el("span", { class: "badge " + cls, text: answer.status === "answered" ? "Answer" : answer.status === "blocked" ? "Blocked" : "No answer" }));
    var frame = answer.question_frame && answer.question_frame.description;
    if (frame) this.summary.appendChild(el("p", { class: "frame", text: "Answering for: " + frame }));
    var direct = el("p", { class: "direct" });
    this.withMarkers(answer.summary || "", direct, answer.citations);
    this.summary.appendChild(direct);
    if (!Object.keys(this.sections).length) {
      (answer.sections || []).forEach(function (sec, i) {
        (sec.statements || []).forEach(function (st) { self.addStatement({ section: sec.heading, section_index: i, statement: st }); });
      });
    }
    if (!Object.keys(this.citations).length && answer.citations) this.setCitations(answer.citations);
    if (!this.doses.firstChild && answer.dose_checks) this.setDoseChecks(answer.dose_checks);
    var copy = el("button", { type: "button", class: "ghost", text: "Copy answer", onclick: function () { self.copy(copy); } });
    this.actions.appendChild(copy);
    this.answerNode.setAttribute("aria-busy", "false");
  };

  Turn.prototype.plainText = function () {
    var a = this.answer, lines = [a.question, "", a.summary];
    (a.sections || []).forEach(function (sec) {
      lines.push("", sec.heading);
      sec.statements.forEach(function (st) { lines.push("- " + st.text + st.citations.map(function (n) { return " [" + n + "]"; }).join("")); });
    });
    if (a.citations && a.citations.length) {
      lines.push("", "References");
      a.citations.forEach(function (c) { lines.push("[" + c.n + "] " + [c.title, c.issuer, c.year, c.section].filter(Boolean).join(", ")); });
    }
    lines.push("", DISCLAIMER);
    return lines.join("\n");
  };

  Turn.prototype.copy = function (button) {
    var text = this.plainText();
    var done = function (ok) { button.textContent = ok ? "Copied" : "Copy failed"; setTimeout(function () { button.textContent = "Copy answer"; }, 2000); };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
    else done(false);
  };

  Turn.prototype.fail = function (message) {
    this.answerNode.setAttribute("aria-busy", "false");
    this.answerNode.appendChild(el("p", { class: "error", role: "alert", text: message }));
  };

  // ---- mount ----
  function mount() {
    var target = script.dataset.target ? document.querySelector(script.dataset.target) : document.querySelector("guideqa-chat");
    if (!target) {
      target = document.createElement("guideqa-chat");
      if (script.parentNode && script.parentNode !== document.head) script.parentNode.insertBefore(target, script.nextSibling);
      else document.body.appendChild(target);
    }
    target.guideqa = new Widget(target);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
