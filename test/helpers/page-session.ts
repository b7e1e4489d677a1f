/**
 * Signs the browser page's own session in as a user of given roles: over a WebSocket that
 * carries the page's session cookie (so it is the same session the renderer uses), the first
 * administrator is created when the data dir is new, the user is created, and the session signs
 * in as them. The page then reloads, so every screen starts with that user's permissions.
 */
import type { Page } from 'playwright-core';
import { WebSocket } from 'ws';

export const E2E_PASSWORD = 'line-side-2026';

export async function callWithCookie(appUrl: string, cookie: string, calls: { method: string; params: unknown; signature?: unknown }[]): Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } }[]> {
  const url = new URL(appUrl);
  const token = new URLSearchParams(url.hash.slice(1)).get('token');
  const ws = new WebSocket(`ws://${url.host}/api${token ? `?token=${encodeURIComponent(token)}` : ''}`, { headers: { Cookie: cookie } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const replies: { ok: boolean; result?: unknown; error?: { code: string; message: string } }[] = [];
  try {
    for (const [i, c] of calls.entries()) {
      const reply = await new Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } }>((resolve) => {
        const onMessage = (data: Buffer) => {
          const m = JSON.parse(data.toString()) as { id?: number; reply?: { ok: boolean } };
          if (m.id === i + 1 && m.reply) {
            ws.off('message', onMessage);
            resolve(m.reply);
          }
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ id: i + 1, method: c.method, params: c.params, signature: c.signature }));
      });
      replies.push(reply);
    }
  } finally {
    ws.close();
  }
  return replies;
}

export async function pageCookie(page: Page): Promise<string> {
  const sid = (await page.context().cookies()).find((c) => c.name === 'lineside_sid');
  if (!sid) throw new Error('the page has no lineside_sid cookie (was the app loaded?)');
  return `lineside_sid=${sid.value}`;
}

/** The page's session signed in as the user `roles.join('-')` with these roles (created if new). */
export async function signInPageAs(page: Page, appUrl: string, roles: string[]): Promise<string> {
  const userId = roles.join('-');
  const cookie = await pageCookie(page);
  const [status] = await callWithCookie(appUrl, cookie, [{ method: 'session.status', params: {} }]);
  const setup = (status.result as { setupRequired: boolean }).setupRequired;
  const replies = await callWithCookie(appUrl, cookie, [
    setup
      ? { method: 'session.createFirstAdmin', params: { userId: 'admin', name: 'E2E Administrator', password: E2E_PASSWORD } }
      : { method: 'session.signIn', params: { userId: 'admin', password: E2E_PASSWORD } },
    { method: 'users.create', params: { userId, name: `E2E ${userId}`, roles, password: E2E_PASSWORD } },
    { method: 'session.signIn', params: { userId, password: E2E_PASSWORD } },
  ]);
  const failed = replies.find((r, i) => !r.ok && !(i === 1 && r.error?.code === 'refused'));
  if (failed) throw new Error(`signing the page in as ${userId} failed: ${failed.error?.code}: ${failed.error?.message}`);
  await page.reload();
  return userId;
}

const APPROVE = { meaning: 'approved', secret: E2E_PASSWORD };

/**
 * Over the page's own session: an instruction's newest version submitted, approved by the
 * engineer and the supervisor (two existing users, two people) and released by the engineer.
 * The session is left signed in as the engineer.
 */
export async function releaseInstructionWithCookie(appUrl: string, cookie: string, instructionId: string, by: { engineer: string; supervisor: string }): Promise<string> {
  const [, list] = await callWithCookie(appUrl, cookie, [
    { method: 'session.signIn', params: { userId: by.engineer, password: E2E_PASSWORD } },
    { method: 'instructions.list', params: {} },
  ]);
  const found = (list.result as { id: string; versions: { hash: string }[] }[] | undefined)?.find((i) => i.id === instructionId);
  if (!found) throw new Error(`no instruction ${instructionId}: ${JSON.stringify(list)}`);
  const hash = found.versions[0].hash;
  const replies = await callWithCookie(appUrl, cookie, [
    { method: 'instructions.submit', params: { hash } },
    { method: 'instructions.approve', params: { hash }, signature: APPROVE },
    { method: 'session.signIn', params: { userId: by.supervisor, password: E2E_PASSWORD } },
    { method: 'instructions.approve', params: { hash }, signature: APPROVE },
    { method: 'session.signIn', params: { userId: by.engineer, password: E2E_PASSWORD } },
    { method: 'instructions.release', params: { hash }, signature: APPROVE },
  ]);
  const failed = replies.find((r) => !r.ok);
  if (failed) throw new Error(`releasing ${instructionId} failed: ${failed.error?.code}: ${failed.error?.message}`);
  return hash;
}

export interface E2EUser {
  userId: string;
  name: string;
  roles: string[];
}

/**
 * Over the page's own session on a fresh data dir: the first administrator, then these users
 * (all with E2E_PASSWORD). The session is left signed in as the administrator.
 */
export async function createUsersWithCookie(appUrl: string, cookie: string, users: readonly E2EUser[]): Promise<void> {
  const replies = await callWithCookie(appUrl, cookie, [
    { method: 'session.createFirstAdmin', params: { userId: 'admin', name: 'E2E Administrator', password: E2E_PASSWORD } },
    ...users.map((u) => ({ method: 'users.create', params: { ...u, password: E2E_PASSWORD } })),
  ]);
  const failed = replies.find((r) => !r.ok);
  if (failed) throw new Error(`setting up the users failed: ${failed.error?.code}: ${failed.error?.message}`);
}

/** The page's session signed in as this (existing) user, then a reload until the screen says so. */
export async function switchPageUser(page: Page, appUrl: string, userId: string): Promise<void> {
  const [r] = await callWithCookie(appUrl, await pageCookie(page), [{ method: 'session.signIn', params: { userId, password: E2E_PASSWORD } }]);
  if (!r.ok) throw new Error(`signing in as ${userId} failed: ${r.error?.code}: ${r.error?.message}`);
  await page.reload();
  await page.locator('[data-testid="session"]').and(page.locator(`[data-user="${userId}"]`)).waitFor({ timeout: 5000 });
}
