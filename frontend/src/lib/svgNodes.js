// SVG descriptions ({tag, attributes, children, text}) that ui.svg() turns into elements; plain
// data, so the charts built of them are tested without a DOM.

/** A pixel coordinate rounded to hundredths (short attributes, stable in tests). */
export const px = (value) => Math.round(value * 100) / 100;

export function node(tag, attributes, children = [], text = undefined) {
  return { tag, attributes, children, text };
}

export function text(x, y, content, attributes = {}) {
  return node("text", { x: px(x), y: px(y), "dominant-baseline": "middle", ...attributes }, [], content);
}
