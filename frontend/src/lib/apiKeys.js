// The API keys page's rules: the request a form makes, what a new key's notice says, and how a
// key's kind reads.

export const LABEL_MAX_LENGTH = 64;

const KINDS = { HMAC: "HMAC-SHA256", ED25519: "Ed25519" };

/** The kind of a key as people call it. */
export function kindLabel(kind) {
  return KINDS[kind] ?? String(kind ?? "–");
}

/** What is wrong with the typed label, or "". */
export function labelProblem(label) {
  const trimmed = String(label ?? "").trim();
  if (!trimmed) return "Give the key a label.";
  if (trimmed.length > LABEL_MAX_LENGTH) return `At most ${LABEL_MAX_LENGTH} characters.`;
  return "";
}

/** The JSON body of POST /api/keys/: the label, and the public key only when one is pasted. */
export function keyRequest({ label, publicKey }) {
  const body = { label: String(label ?? "").trim() };
  if (String(publicKey ?? "").trim()) body.public_key = publicKey;
  return body;
}

/** What the page says over a key just created: an HMAC key's secret is shown this once. */
export function createdNotice(created) {
  if (created.secret_key) {
    return `Copy the secret key now: it is not shown again. Keep it private: with the API key it signs orders as you.`;
  }
  return `Ed25519 key "${created.label}" registered: the server keeps no secret; sign requests with your private key and this API key.`;
}
