import { useEffect, useState } from 'react';
import type { SignatureRecord } from '../../shared/security';
import { useServices } from '../state/services';
import { formatClock, formatDate } from '../features/overview/format';

/**
 * The signatures given on a record (an alarm, a tag, a device), newest first: wherever a signed
 * record is shown, the signer's printed name, the time and the meaning go with it (Part 11
 * §11.50). Fetched again when `revision` changes (the record's state moved on).
 */
export function SignatureList({ target, revision, limit = 5 }: { target: string; revision: string; limit?: number }) {
  const { client } = useServices();
  const [signatures, setSignatures] = useState<SignatureRecord[] | null>(null);
  useEffect(() => {
    let current = true;
    client.call('signatures.forTarget', { target, limit }).then(
      (s) => current && setSignatures(s),
      () => current && setSignatures(null),
    );
    return () => {
      current = false;
    };
  }, [client, target, revision, limit]);
  if (signatures === null || signatures.length === 0) return null;
  return (
    <ul className="signature-list" data-testid="signature-list" aria-label="Signatures">
      {signatures.map((s) => (
        <li key={s.id} data-testid="signature" data-meaning={s.meaning} data-user={s.userId}>
          <strong>{s.printedName}</strong> ({s.userId}) · <span className="signature-list__meaning">{s.meaning}</span> · {formatDate(s.ts)} {formatClock(s.ts)} · {s.action}
          {s.comment !== '' && <> · “{s.comment}”</>}
        </li>
      ))}
    </ul>
  );
}
