import assert from "node:assert/strict";
import { test } from "node:test";
import { wireMenu } from "../../src/paperex/apps/core/static/core/menu.mjs";

// Just enough of the DOM for the menu: attributes, events, focus and containment.
class FakeElement extends EventTarget {
  constructor(parent = null) {
    super();
    this.parentElement = parent;
    this.attributes = new Map();
    this.hidden = true;
    this.focused = false;
  }
  getAttribute(name) {
    return this.attributes.get(name) ?? null;
  }
  setAttribute(name, value) {
    this.attributes.set(name, value);
  }
  contains(other) {
    for (let node = other; node; node = node.parentElement) if (node === this) return true;
    return false;
  }
  focus() {
    this.focused = true;
  }
}

// A click on `target` as the document sees it once the event has bubbled up.
function click(target, document) {
  target.dispatchEvent(new Event("click"));
  const bubbled = new Event("click");
  Object.defineProperty(bubbled, "target", { value: target });
  document.dispatchEvent(bubbled);
}

function menu() {
  const document = new EventTarget();
  const header = new FakeElement();
  const button = new FakeElement(header);
  button.setAttribute("aria-expanded", "false");
  const link = new FakeElement(header);
  const outside = new FakeElement();
  wireMenu(button, document);
  return { document, button, link, outside, expanded: () => button.getAttribute("aria-expanded") };
}

test("the button shows once wired and toggles the menu", () => {
  const { document, button, expanded } = menu();
  assert.equal(button.hidden, false);
  click(button, document);
  assert.equal(expanded(), "true");
  click(button, document);
  assert.equal(expanded(), "false");
});

test("Escape closes the menu and returns the focus to the button", () => {
  const { document, button, expanded } = menu();
  document.dispatchEvent(Object.assign(new Event("keydown"), { key: "Escape" }));
  assert.equal(button.focused, false, "a closed menu leaves the focus where it is");
  click(button, document);
  document.dispatchEvent(Object.assign(new Event("keydown"), { key: "Enter" }));
  assert.equal(expanded(), "true");
  document.dispatchEvent(Object.assign(new Event("keydown"), { key: "Escape" }));
  assert.equal(expanded(), "false");
  assert.equal(button.focused, true);
});

test("a click outside the header closes the menu, one inside does not", () => {
  const { document, button, link, outside, expanded } = menu();
  click(button, document);
  click(link, document);
  assert.equal(expanded(), "true");
  click(outside, document);
  assert.equal(expanded(), "false");
});
