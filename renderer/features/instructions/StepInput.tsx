import { useEffect, useRef, useState } from 'react';
import type { InstructionStep, RunView, StepInput as StepInputValue } from '../../../shared/instructions';
import { formatClock } from '../overview/format';
import { formatDuration, isOutOfLimits, limitsText } from './instruction-format';

interface StepInputProps {
  step: InstructionStep;
  view: RunView;
  busy: boolean;
  now: number;
  onDone: (input: StepInputValue) => void;
}

/** What the person does for the current step, by kind; one big button finishes it. */
export function StepInput({ step, view, busy, now, onDone }: StepInputProps) {
  const [value, setValue] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [reason, setReason] = useState('');
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    setValue('');
    setConfirmed(false);
    setReason('');
    first.current?.focus();
  }, [step.id, view.run.id]);

  const done = (label: string, input: StepInputValue, disabled = false, why?: string) => (
    <button type="button" className="toggle toggle--on step__done" disabled={busy || disabled} title={why} onClick={() => onDone(input)} data-testid="step-done">
      {label}
    </button>
  );

  switch (step.kind) {
    case 'read':
      return <div className="step__input">{done('Next', {})}</div>;
    case 'check':
      return (
        <div className="step__input">
          <label className="step__check">
            <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} data-testid="step-confirm" />
            <span>{step.confirm}</span>
          </label>
          {done('Confirm', { confirmed: true }, !confirmed, 'tick the box first')}
        </div>
      );
    case 'measure': {
      const n = value.trim() === '' ? NaN : Number(value.replace(',', '.'));
      const valid = Number.isFinite(n);
      const out = valid && isOutOfLimits(step, n);
      const blocked = out && step.outOfLimits === 'block';
      const needsReason = out && step.outOfLimits !== 'block' && reason.trim().length < 3;
      return (
        <div className="step__input">
          <div className="step__measure">
            <input
              ref={first}
              className="step__number"
              inputMode="decimal"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              aria-label={`${step.title} in ${step.unit}`}
              data-testid="step-value"
              data-out-of-limits={out}
            />
            <span className="step__unit">{step.unit}</span>
            <span className="step__limits">limits {limitsText(step)}</span>
          </div>
          {out && (
            <p className="step__abnormal" role="alert" data-testid="step-out-of-limits">
              {n} {step.unit} is outside {limitsText(step)}.{' '}
              {step.outOfLimits === 'block' ? 'It must be within limits to go on: measure again or stop the line.' : step.outOfLimits === 'verify' ? 'Give the reason; a supervisor verifies.' : 'Give the reason.'}
            </p>
          )}
          {out && step.outOfLimits !== 'block' && (
            <input className="step__text" placeholder="Reason (on record)" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} data-testid="step-reason" />
          )}
          {done(out ? 'Record out of limits' : 'Record', { value: n, ...(out ? { reason } : {}) }, !valid || blocked || needsReason, !valid ? 'enter a number' : undefined)}
        </div>
      );
    }
    case 'choice':
      return (
        <div className="step__input step__choices" role="group" aria-label={step.title}>
          {step.options.map((o) => (
            <button key={o} type="button" className="toggle step__choice" disabled={busy} onClick={() => onDone({ value: o })} data-testid="step-choice" data-option={o}>
              {o}
            </button>
          ))}
        </div>
      );
    case 'text': {
      const ok = value.trim() !== '' && (step.pattern === '' || new RegExp(step.pattern).test(value.trim()));
      return (
        <div className="step__input">
          <input
            ref={first}
            className="step__text"
            placeholder={step.placeholder}
            value={value}
            maxLength={step.maxLength}
            onChange={(e) => setValue(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && ok && onDone({ value: value.trim() })}
            data-testid="step-text"
          />
          {done('Record', { value: value.trim() }, !ok, step.placeholder ? `as in: ${step.placeholder}` : 'type the text')}
        </div>
      );
    }
    case 'condition': {
      const w = view.waiting;
      const waited = view.currentSince === null ? 0 : now - view.currentSince;
      return (
        <div className="step__input">
          <div className={`step__waiting${view.overdue ? ' step__waiting--overdue' : ''}`} data-testid="step-waiting" data-met={w?.met === true}>
            <div className="step__waiting-title">{w?.met ? 'Condition met' : `Waiting: ${step.describe || step.expression}`}</div>
            {w !== null && !w.met && <div className="step__why">{w.why}</div>}
            <table className="step__evidence">
              <tbody>
                {w?.values.map((v) => (
                  <tr key={v.tagId} data-tag-id={v.tagId} data-quality={v.quality}>
                    <td>{v.tagId}</td>
                    <td className="step__evidence-value">{v.quality === 'good' ? String(v.value) : '—'}</td>
                    <td>{v.quality === 'good' ? 'good' : <strong>{v.quality.toUpperCase()}</strong>}</td>
                    <td>{v.sourceTs !== null ? formatClock(v.sourceTs) : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="step__waited">
              waiting {formatDuration(waited)} of {formatDuration(step.timeoutS * 1000)}
              {view.overdue && ' — overdue: tell your team leader, or abort the run with the reason'}
            </div>
          </div>
        </div>
      );
    }
    case 'action':
      return (
        <div className="step__input">
          <p className="step__action">
            Writes <strong>{step.tagId}</strong> = <strong>{String(step.value)}</strong> to the PLC, and checks its read-back.
          </p>
          {done('Write to the PLC', {})}
        </div>
      );
    case 'signature':
      return (
        <div className="step__input">
          <p className="step__action">
            {step.signer === 'verification' ? 'You sign, and a second person verifies' : 'Sign'} ({step.meaning}){step.roles.length > 0 ? `; by ${step.roles.join(' or ')}` : ''}.
          </p>
          {done('Sign…', {})}
        </div>
      );
    case 'branch':
      return null;
  }
}
