import { useEffect, useRef, useState } from 'react';
import { diffInstructions, type InstructionDiff } from '../../../shared/instruction-diff';
import type { InstructionVersionInfo } from '../../../shared/instructions';
import { useServices } from '../../state/services';
import { useEscapeKey } from '../../ui/useEscapeKey';
import { useFocusTrap } from '../../ui/useFocusTrap';
import { STEP_KIND_TEXT, VERSION_STATE_TEXT } from './instruction-format';

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** A version against the one before it, step by step: what a reviewer approves. */
export function VersionChangesDialog({ before, after, onClose }: { before: InstructionVersionInfo; after: InstructionVersionInfo; onClose: () => void }) {
  const { client } = useServices();
  const [diff, setDiff] = useState<InstructionDiff | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  useFocusTrap(ref);
  useEscapeKey(onClose);
  useEffect(() => {
    let alive = true;
    Promise.all([client.call('instructions.version', { hash: before.hash }), client.call('instructions.version', { hash: after.hash })]).then(
      ([a, b]) => alive && setDiff(diffInstructions(a.definition, b.definition)),
      (err: unknown) => alive && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      alive = false;
    };
  }, [client, before.hash, after.hash]);
  return (
    <div className="modal-backdrop" role="presentation">
      <div ref={ref} className="modal version-changes" role="dialog" aria-modal="true" aria-label="Changes" data-testid="version-changes">
        <h2 className="modal__title">
          {after.instructionId}: v{after.number} ({VERSION_STATE_TEXT[after.state]}) against v{before.number} ({VERSION_STATE_TEXT[before.state]})
        </h2>
        {error !== null && <p className="step__error">{error}</p>}
        {diff !== null && (
          <div className="version-changes__body">
            {diff.header.map((h) => (
              <p key={h.field} className="version-changes__header">
                <strong>{h.field}</strong>: {show(h.before)} → {show(h.after)}
              </p>
            ))}
            <ol className="version-changes__steps">
              {diff.steps.map((c) => (
                <li key={`${c.kind}-${c.step.id}`} className={`version-changes__step version-changes__step--${c.kind}`} data-change={c.kind} data-step-id={c.step.id}>
                  <span className="version-changes__kind">{c.kind === 'same' ? 'unchanged' : c.kind}</span>
                  <span>
                    {STEP_KIND_TEXT[c.step.kind]} · <strong>{c.step.title}</strong>
                    {c.kind === 'moved' && ` (was step ${c.from + 1})`}
                  </span>
                  {c.kind === 'changed' && (
                    <ul className="version-changes__fields">
                      {c.fields.map((f) => (
                        <li key={f.field}>
                          {f.field}: <del>{show(f.before)}</del> → <ins>{show(f.after)}</ins>
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ol>
          </div>
        )}
        <div className="modal__actions">
          <button type="button" className="toggle modal__big" onClick={onClose} data-testid="version-changes-close">
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
