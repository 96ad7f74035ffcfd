// fetch() against the REST API with the session cookie and the CSRF token; a body is JSON, or
// multipart when it is a FormData (the browser sets that content type with its boundary).
function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  return document.querySelector("meta[name=csrf-token]")?.content || "";
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.code = body?.code;
  }
}

export async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  const multipart = body instanceof FormData;
  if (body !== undefined && !multipart) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined || multipart ? body : JSON.stringify(body),
    credentials: "same-origin",
  });
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { message: text.slice(0, 200) };
    }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** All results of a paginated list (follows up to `pages` pages). */
export async function apiList(path, pages = 5) {
  let data = await api(path);
  if (Array.isArray(data)) return data;
  const results = [...(data.results || [])];
  let next = data.next;
  while (next && --pages > 0) {
    const url = new URL(next, window.location.origin);
    data = await api(url.pathname + url.search);
    results.push(...(data.results || []));
    next = data.next;
  }
  return results;
}
