// The Outlay API: every call carries the Cognito ID token; a 401 refreshes the tokens once and retries,
// a 401 that persists sends the user back to the sign-in page.
import { goToSignIn, idToken, refreshTokens } from './auth.js';
import { loadConfig } from './config.js';

const EXPIRED = 'Your session has expired. Please sign in again.';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `The request failed (HTTP ${status}).`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body?.error || 'http_error';
    this.details = Array.isArray(body?.details) ? body.details : [];
  }
}

/** Query parameters without the empty ones, so filters that are not set are not sent. */
export function cleanQuery(values) {
  const out = {};
  for (const [key, value] of Object.entries(values || {})) {
    if (value !== undefined && value !== null && String(value).trim() !== '') out[key] = String(value).trim();
  }
  return out;
}

export async function api(path, { method = 'GET', query, body, retried = false } = {}) {
  const config = await loadConfig();
  const url = new URL(config.apiUrl + path);
  for (const [key, value] of Object.entries(cleanQuery(query))) url.searchParams.set(key, value);

  const token = await idToken();
  if (!token) {
    goToSignIn(EXPIRED);
    return new Promise(() => {}); // the page is going away; nothing after this should run
  }
  const headers = { Authorization: token };
  if (body !== undefined) headers['Content-Type'] = 'application/json';

  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { error: 'network', message: 'The server cannot be reached. Check your connection.' });
  }

  if (response.status === 401) {
    if (!retried) {
      try {
        await refreshTokens();
        return api(path, { method, query, body, retried: true });
      } catch {
        /* fall through to sign-in */
      }
    }
    goToSignIn(EXPIRED);
    return new Promise(() => {});
  }

  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** Lists come as {"items": [...], "next": ...}; tolerate a bare array too. */
export function itemsOf(data) {
  if (Array.isArray(data)) return data;
  return Array.isArray(data?.items) ? data.items : [];
}
