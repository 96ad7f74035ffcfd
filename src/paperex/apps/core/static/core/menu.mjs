// The header's menu button. On a narrow screen base.css hides the navigation behind it while
// aria-expanded is "false"; without this script the button stays hidden and the links wrap.
// Plain module without a build step: every page loads it, the landing and login pages too.

/** Make `button` open and close the menu: a click toggles it; Escape, or a click outside the
 * button's header, closes it (Escape returns the focus to the button). Returns the button. */
export function wireMenu(button, document) {
  const area = button.parentElement;
  const isOpen = () => button.getAttribute("aria-expanded") === "true";
  const setOpen = (open) => button.setAttribute("aria-expanded", String(open));
  button.addEventListener("click", () => setOpen(!isOpen()));
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !isOpen()) return;
    setOpen(false);
    button.focus();
  });
  document.addEventListener("click", (event) => {
    if (isOpen() && !area.contains(event.target)) setOpen(false);
  });
  button.hidden = false;
  return button;
}

const button = globalThis.document?.getElementById("menu-toggle");
if (button) wireMenu(button, globalThis.document);
