/**
 * The audit trail as CSV (RFC 4180), newest first, for the Audit screen's export: at most
 * 100,000 rows per export, with the hash of each record so the chain can be checked from it.
 */
import type { AuditEntry } from '../../shared/types';
import type { AuditCsvExport } from '../../shared/security-api';
import type { AuditFilter, AuditTrail } from './audit-trail';

export const AUDIT_CSV_MAX_ROWS = 100_000;
const HEADER = ['id', 'time_utc', 'user', 'station', 'action', 'target', 'old_value', 'new_value', 'outcome', 'reason', 'detail', 'signed_by', 'signature_meaning', 'signature_time_utc', 'verified_by', 'hash'];

export function auditCsv(audit: AuditTrail, filter: AuditFilter): AuditCsvExport {
  const lines = [HEADER.join(',')];
  let beforeId: number | undefined;
  let rows = 0;
  for (;;) {
    const page = audit.query(filter, Math.min(1000, AUDIT_CSV_MAX_ROWS - rows), beforeId);
    for (const e of page.entries) lines.push(row(e));
    rows += page.entries.length;
    if (page.nextBeforeId === null) return { csv: `${lines.join('\r\n')}\r\n`, rows, truncated: false };
    if (rows >= AUDIT_CSV_MAX_ROWS) return { csv: `${lines.join('\r\n')}\r\n`, rows, truncated: true };
    beforeId = page.nextBeforeId;
  }
}

function row(e: AuditEntry): string {
  const s = e.signature;
  return [
    String(e.id),
    new Date(e.ts).toISOString(),
    e.user,
    e.station,
    e.action,
    e.target,
    e.oldValue === null ? '' : JSON.stringify(e.oldValue),
    e.newValue === null ? '' : JSON.stringify(e.newValue),
    e.outcome,
    e.reason,
    e.detail,
    s ? `${s.printedName} (${s.userId})` : '',
    s?.meaning ?? '',
    s ? new Date(s.ts).toISOString() : '',
    s?.verifiedBy ?? '',
    e.hash,
  ]
    .map(field)
    .join(',');
}

function field(s: string): string {
  // A leading = + - @ would run as a formula in a spreadsheet: quote it with a leading apostrophe.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
