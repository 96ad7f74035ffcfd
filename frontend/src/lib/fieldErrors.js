// A refusal of the REST API ({code, message, errors: {field: [problems]}}) split between the
// form fields it names and one line for the rest.

function problemText(problems) {
  if (Array.isArray(problems)) return problems.map(problemText).join(" ");
  if (problems && typeof problems === "object") return Object.values(problems).map(problemText).join(" ");
  return String(problems ?? "");
}

/** The problems of `body` under the `fields` of the form ({name: text}), and `message`: one line
 * for what no field shows (a field the form lacks, or the body's message when it names none). */
export function fieldErrors(body, fields, fallback = "The server refused the request.") {
  const errors = {};
  const others = [];
  for (const [name, problems] of Object.entries(body?.errors ?? {})) {
    const text = problemText(problems);
    if (fields.includes(name)) errors[name] = text;
    else others.push(name === "non_field_errors" ? text : `${name}: ${text}`);
  }
  let message = others.join(" ");
  if (!message && !Object.keys(errors).length) message = body?.message || fallback;
  return { errors, message };
}
