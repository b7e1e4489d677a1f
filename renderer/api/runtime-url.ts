/**
 * Where the headless shell serves the API: `/api` on the host that served the page. The token,
 * when the shell requires one, travels in the page's fragment (`#token=...`) so it never reaches
 * server logs or the Referer header; we move it into the WebSocket URL's query.
 */
export interface PageLocation {
  protocol: string;
  host: string;
  hash: string;
}

export function tokenFromHash(hash: string): string | null {
  const match = /(?:^#|[#&?])token=([^&]*)/.exec(hash);
  if (match === null || match[1] === undefined || match[1] === '') return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

export function runtimeSocketUrl(page: PageLocation): string {
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  const base = `${scheme}//${page.host}/api`;
  const token = tokenFromHash(page.hash);
  return token === null ? base : `${base}?token=${encodeURIComponent(token)}`;
}
