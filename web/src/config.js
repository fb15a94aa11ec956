// The one contract between the dashboard and wherever it runs: config.json served next to the pages.
// {region, apiUrl, userPoolId, userPoolClientId} and, locally only, cognitoEndpoint.

const REQUIRED = ['region', 'apiUrl', 'userPoolId', 'userPoolClientId'];

let pending;

/** Fetch config.json once per page load and return a frozen, normalised copy. */
export function loadConfig() {
  pending ??= fetchConfig();
  return pending;
}

async function fetchConfig() {
  const response = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' });
  if (!response.ok) {
    throw new Error(`Could not load the site configuration (HTTP ${response.status}).`);
  }
  const raw = await response.json();
  const missing = REQUIRED.filter((key) => typeof raw[key] !== 'string' || raw[key] === '');
  if (missing.length) {
    throw new Error(`The site configuration is missing: ${missing.join(', ')}.`);
  }
  return Object.freeze({
    region: raw.region,
    userPoolId: raw.userPoolId,
    userPoolClientId: raw.userPoolClientId,
    // Absolute, without a trailing slash, so `${apiUrl}/expenses` is always right.
    apiUrl: new URL(raw.apiUrl, document.baseURI).href.replace(/\/+$/, ''),
    cognitoEndpoint: raw.cognitoEndpoint || `https://cognito-idp.${raw.region}.amazonaws.com/`,
  });
}
