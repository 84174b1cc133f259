// Keyboard shortcuts of the Interviews coding view, bound once on the app's document. Keys are read
// only when no text field has the focus (Escape leaves one). Moves and codes are reported to Python
// as {action, n, at}; focusing the code picker and tagging the selection act on the page directly.
//   j / k       next / previous turn
//   /           focus the code picker (the selection's when text is selected, else the turn's)
//   .           apply the last code (to the selected text as a quote, else to the turn)
//   1 ... 6     apply that recent code
//   t           tag the selected text with the codes picked for it

function clickIn(fragment, what) {
  const host = document.querySelector(`[class*="st-key-${fragment}"]`);
  const target = host && host.querySelector(what);
  if (target) {
    target.focus();
    if (what === "button") target.click();
    return true;
  }
  return false;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  window.__saShortcuts = { setTriggerValue };
  if (!window.__saShortcutsBound) {
    window.__saShortcutsBound = true;
    document.addEventListener("keydown", (ev) => {
      const t = ev.target;
      const typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable);
      if (typing) {
        if (ev.key === "Escape") t.blur();
        return;
      }
      if (ev.ctrlKey || ev.metaKey || ev.altKey || !document.querySelector(".sa-doc")) return;
      const send = (action, n) => {
        ev.preventDefault();
        window.__saShortcuts.setTriggerValue("shortcut", { action: action, n: n || 0, at: Date.now() });
      };
      if (ev.key === "j") send("next");
      else if (ev.key === "k") send("previous");
      else if (ev.key === ".") send("recent", 1);
      else if (/^[1-6]$/.test(ev.key)) send("recent", Number(ev.key));
      else if (ev.key === "/") {
        ev.preventDefault();
        clickIn("interviews.span_codes", "input") || clickIn("interviews.codes.", "input");
      } else if (ev.key === "t") {
        ev.preventDefault();
        clickIn("interviews.tag_selection", "button");
      }
    });
  }
  let legend = parentElement.querySelector(":scope > .sa-keys");
  if (!legend) {
    legend = document.createElement("div");
    legend.className = "sa-keys";
    parentElement.appendChild(legend);
  }
  legend.textContent = (data && data.legend) || "";
}
