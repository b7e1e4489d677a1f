/**
 * Sessions on a started runtime for tests: the first administrator (created on a fresh data
 * dir, as the first-run screen does), and connections signed in as users of given roles,
 * created through the real API (users.create, session.signIn).
 */
import type { RuntimeConnection, RuntimeHost } from '../../main/app/runtime-host';
import type { ApiEvent, MethodName, ParamsOf, ResultOf } from '../../shared/api';

export const TEST_PASSWORD = 'line-side-2026';
let next = 0;

export interface TestConnection {
  conn: RuntimeConnection;
  events: ApiEvent[];
  /** calls and throws the error data when the reply is not ok */
  call<M extends MethodName>(method: M, params: ParamsOf<M>, signature?: unknown): Promise<ResultOf<M>>;
}

export function connect(rt: RuntimeHost, sessionId = `test-${process.pid}-${++next}`, station = 'test'): TestConnection {
  const events: ApiEvent[] = [];
  const conn = rt.connect({ sessionId, station, push: (e) => events.push(e) });
  return {
    conn,
    events,
    async call(method, params, signature) {
      const r = await conn.handle(method, params, signature);
      if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.code}: ${r.error.message}`), { data: r.error });
      return r.result as never;
    },
  };
}

const admins = new WeakMap<RuntimeHost, TestConnection>();

/** The administrator's connection: created with the first-run call on a fresh data dir. */
export async function admin(rt: RuntimeHost): Promise<TestConnection> {
  const known = admins.get(rt);
  if (known) return known;
  const c = connect(rt);
  const status = await c.call('session.status', {});
  if (status.setupRequired) await c.call('session.createFirstAdmin', { userId: 'admin', name: 'Test Administrator', password: TEST_PASSWORD });
  else await c.call('session.signIn', { userId: 'admin', password: TEST_PASSWORD });
  admins.set(rt, c);
  return c;
}

/** A new connection signed in as a (new) user with these roles. */
export async function signedIn(rt: RuntimeHost, roles: string[], userId = `${roles.join('-')}${++next}`): Promise<TestConnection> {
  const a = await admin(rt);
  await a.call('users.create', { userId, name: `Test ${userId}`, roles, password: TEST_PASSWORD });
  const c = connect(rt);
  await c.call('session.signIn', { userId, password: TEST_PASSWORD });
  return c;
}

const byRoles = new WeakMap<RuntimeHost, Map<string, Promise<TestConnection>>>();

/**
 * One connection per runtime and role set, signed in as the user named after the roles
 * ("operator", "engineer"): for tests that act as a role and assert the user on record.
 */
export function as(rt: RuntimeHost, roles: string[]): Promise<TestConnection> {
  let m = byRoles.get(rt);
  if (!m) byRoles.set(rt, (m = new Map()));
  const key = roles.join('-');
  let c = m.get(key);
  if (!c) m.set(key, (c = signedIn(rt, roles, key)));
  return c;
}

/** The signature an approval or release carries in tests (the signer's password again). */
export const APPROVE_SIGNATURE = { meaning: 'approved', secret: TEST_PASSWORD };

/**
 * An instruction's newest version submitted, approved by an engineer and a supervisor (two
 * people, as the demo project's rule asks) and released by the engineer: it then runs.
 * Returns the released version's hash.
 */
export async function releaseInstruction(engineer: TestConnection, supervisor: TestConnection, instructionId: string): Promise<string> {
  const found = (await engineer.call('instructions.list', {})).find((i) => i.id === instructionId);
  if (!found) throw new Error(`no instruction ${instructionId} in the project`);
  const hash = found.versions[0].hash;
  await engineer.call('instructions.submit', { hash });
  await engineer.call('instructions.approve', { hash }, APPROVE_SIGNATURE);
  await supervisor.call('instructions.approve', { hash }, APPROVE_SIGNATURE);
  await engineer.call('instructions.release', { hash }, APPROVE_SIGNATURE);
  return hash;
}
