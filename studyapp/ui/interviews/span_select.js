// A transcript read as a document: speaker turns with coloured code chips and highlighted quote
// spans. Selecting text with the mouse inside one turn reports {segment, start, end, text}; a plain
// click on a turn reports it with start = end = null. Offsets count Unicode code points of the
// turn's stored text (as Python does), not UTF-16 units. All study text goes in as textContent.

function cpLen(s) {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

function inkFor(hex) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || "");
  if (!m) return "#111";
  const [r, g, b] = [m[1], m[2], m[3]].map((x) => parseInt(x, 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.55 ? "#111" : "#fff";
}

// Turn `text` into text nodes and <mark>s for the spans (code-point offsets, may overlap).
function fillText(box, text, spans, pending) {
  const chars = Array.from(text);
  const cuts = new Set([0, chars.length]);
  const all = spans.slice();
  if (pending) all.push({ start: pending.start, end: pending.end, pending: true });
  for (const s of all) {
    cuts.add(Math.max(0, Math.min(chars.length, s.start)));
    cuts.add(Math.max(0, Math.min(chars.length, s.end)));
  }
  const points = Array.from(cuts).sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const piece = chars.slice(a, b).join("");
    const over = all.filter((s) => s.start <= a && s.end >= b && s.end > s.start);
    if (!over.length) {
      box.appendChild(document.createTextNode(piece));
      continue;
    }
    const m = el("mark", "sa-hl", piece);
    const real = over.filter((s) => !s.pending);
    if (over.some((s) => s.pending)) m.classList.add("sa-pending");
    if (real.length) {
      m.style.backgroundColor = (real[0].color || "#ffe08a") + "55";
      m.style.borderBottom = "2px solid " + (real[0].color || "#e0b400");
      m.title = real.map((s) => s.label).join("\n");
      m.dataset.spans = real.map((s) => s.id).join(",");
      if (real.length > 1) m.classList.add("sa-overlap");
    }
    box.appendChild(m);
  }
}

function selectionIn(root) {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0) return null;
  const range = sel.getRangeAt(0);
  const startNode = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
  const textEl = startNode && startNode.closest ? startNode.closest(".sa-text") : null;
  if (!textEl || !root.contains(textEl)) return null;
  const whole = document.createRange();
  whole.selectNodeContents(textEl);
  const r = range.cloneRange();
  if (r.compareBoundaryPoints(Range.END_TO_END, whole) > 0) r.setEnd(whole.endContainer, whole.endOffset);
  const pre = document.createRange();
  pre.selectNodeContents(textEl);
  pre.setEnd(r.startContainer, r.startOffset);
  const full = textEl.textContent;
  let a = pre.toString().length;
  let b = a + r.toString().length;
  while (a < b && /\s/.test(full[a])) a += 1;
  while (b > a && /\s/.test(full[b - 1])) b -= 1;
  // Snap to whole words, as QDA tools do: a drag that starts or ends inside a word takes all of it.
  const word = /[\p{L}\p{N}_'’-]/u;
  if (b > a) {
    while (a > 0 && word.test(full[a - 1]) && word.test(full[a])) a -= 1;
    while (b < full.length && word.test(full[b]) && word.test(full[b - 1])) b += 1;
  }
  return { textEl, a, b, full };
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(":scope > .sa-doc");
  if (!root) {
    root = el("div", "sa-doc");
    parentElement.appendChild(root);
  }
  root.replaceChildren();
  const segments = (data && data.segments) || [];
  if (!segments.length) root.appendChild(el("p", "sa-empty", (data && data.empty) || "No segments."));
  for (const seg of segments) {
    const box = el("div", "sa-seg" + (seg.id === data.selected ? " sa-selected" : ""));
    box.dataset.segment = String(seg.id);
    box.dataset.key = seg.key;
    const head = el("div", "sa-head");
    head.appendChild(el("span", "sa-speaker" + (seg.interviewer ? " sa-interviewer" : ""), seg.speaker || "—"));
    head.appendChild(el("span", "sa-meta", seg.meta || ""));
    if (seg.memos) head.appendChild(el("span", "sa-memo", "✎ " + seg.memos));
    const chips = el("span", "sa-chips");
    for (const c of seg.chips || []) {
      const chip = el("span", "sa-chip", c.label);
      chip.style.backgroundColor = c.color || "#888";
      chip.style.color = inkFor(c.color);
      if (c.title) chip.title = c.title;
      chips.appendChild(chip);
    }
    head.appendChild(chips);
    box.appendChild(head);
    const text = el("div", "sa-text");
    const pending = data.pending && data.pending.segment === seg.id ? data.pending : null;
    fillText(text, seg.text || "", seg.spans || [], pending);
    box.appendChild(text);
    root.appendChild(box);
  }
  root.onmouseup = (ev) => {
    const box = ev.target.closest ? ev.target.closest(".sa-seg") : null;
    const found = selectionIn(root);
    if (found && found.b > found.a) {
      const seg = Number(found.textEl.closest(".sa-seg").dataset.segment);
      const start = cpLen(found.full.slice(0, found.a));
      const quote = found.full.slice(found.a, found.b);
      setTriggerValue("selection", { segment: seg, start: start, end: start + cpLen(quote), text: quote });
    } else if (box) {
      setTriggerValue("selection", { segment: Number(box.dataset.segment), start: null, end: null, text: "" });
    }
  };
}
