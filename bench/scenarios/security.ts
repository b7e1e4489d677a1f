/**
 * npm run bench -- security
 *
 * - sign-in: one password check (scrypt, the stored parameters), p50 and max of 10;
 * - audit appends one record at a time (each its own committed transaction, hash-chained), in
 *   ticks of 50 with the event loop free between them: records/s and the loop's worst block;
 * - verify: recomputing the chain of 1,000,000 records (BENCH_AUDIT_RECORDS to change).
 * Targets (issue 11): sign-in 100–500 ms, ≥ 2,000 appends/s with block ≤ 20 ms, verify < 10 s.
 */
import { join } from 'node:path';
import { openDatabase } from '../../main/historian/database';
import { AuditTrail, type AuditRecord } from '../../main/security/audit-trail';
import { hashSecret, verifySecret } from '../../main/security/password-hasher';
import { tempDir } from '../../test/helpers/temp';
import { eventLoopBlockMonitor, percentile, progress, report, round } from '../report';

const tick = () => new Promise<void>((r) => setImmediate(r));

export async function run(): Promise<void> {
  const tmp = tempDir('lineside-bench-security-');
  try {
    progress('security: sign-in cost');
    const hash = await hashSecret('correct horse battery');
    const signIn: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      if (!(await verifySecret('correct horse battery', hash))) throw new Error('verify failed');
      signIn.push(performance.now() - t0);
    }
    signIn.sort((a, b) => a - b);
    report('security', { case: 'signIn', kdf: 'scrypt N=2^16 r=8 p=1', signInMsP50: round(percentile(signIn, 50), 1), signInMsMax: round(signIn[signIn.length - 1], 1) });

    const db = openDatabase(join(tmp.dir, 'lineside.db'));
    const audit = new AuditTrail(db);
    const rec = (i: number): AuditRecord => ({ ts: 1_700_000_000_000 + i, user: 'op1', station: 'panel 1', action: 'tag.write', target: 'L1.SpeedSetpoint', oldValue: i, newValue: i + 1, outcome: 'done', detail: 'read back', reason: '' });
    progress('security: audit appends');
    const appends = 20_000;
    const loop = eventLoopBlockMonitor();
    const t0 = performance.now();
    for (let i = 0; i < appends; i++) {
      audit.record(rec(i));
      if (i % 50 === 49) await tick();
    }
    const appendS = (performance.now() - t0) / 1000;
    report('security', { case: 'auditAppend', records: appends, perTick: 50, appendsPerSecond: Math.round(appends / appendS), eventLoopMaxBlockMs: round(loop.stop(), 1) });

    const total = Number(process.env.BENCH_AUDIT_RECORDS ?? 1_000_000);
    progress(`security: filling the trail to ${total} records`);
    const fill = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) audit.record(rec(i));
    });
    for (let i = appends; i < total; i += 50_000) fill(i, Math.min(total, i + 50_000));
    progress('security: verify');
    const v0 = performance.now();
    const r = await audit.verify();
    const verifyMs = performance.now() - v0;
    if (!r.ok || r.records !== total) throw new Error(`verify: ${JSON.stringify(r)}`);
    report('security', { case: 'auditVerify', records: total, verifyMs: Math.round(verifyMs), recordsPerSecond: Math.round(total / (verifyMs / 1000)) });
    db.close();
  } finally {
    tmp.cleanup();
  }
}
