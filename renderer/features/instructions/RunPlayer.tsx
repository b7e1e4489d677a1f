import { useState } from 'react';
import type { RunView, StepInput as StepInputValue } from '../../../shared/instructions';
import { canSavePdf, printRecord } from '../../api/print';
import { useServices } from '../../state/services';
import { useNow } from '../../state/useNow';
import { GuardedButton } from '../../ui/GuardedButton';
import { Markdown } from '../../ui/Markdown';
import { SignatureList } from '../../ui/SignatureList';
import { formatClock, formatDate } from '../overview/format';
import { progressOf, resultValueText, STEP_KIND_TEXT } from './instruction-format';
import { StepInput } from './StepInput';
import { StepMediaView } from './StepMediaView';

/**
 * One step at a time, big enough for gloves and two metres: where the run is, the step's text
 * and what to do, one button to finish it. Every step is committed by the runtime before the
 * next one shows. The done steps can be reviewed; the run can be aborted with a reason.
 */
export function RunPlayer({ view, onView, onClose }: { view: RunView; onView: (v: RunView) => void; onClose: () => void }) {
  const { client } = useServices();
  const now = useNow();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [review, setReview] = useState(false);
  const [aborting, setAborting] = useState(false);
  const [reason, setReason] = useState('');
  const { index, total, step } = progressOf(view);
  const run = view.run;

  const act = (p: Promise<RunView>) => {
    setBusy(true);
    setError(null);
    p.then(onView, (err: unknown) => setError(err instanceof Error ? err.message : String(err))).finally(() => setBusy(false));
  };
  const complete = (input: StepInputValue) => step !== null && act(client.call('runs.complete', { runId: run.id, stepId: step.id, input }));
  const abort = () => act(client.call('runs.abort', { runId: run.id, reason }).then((v) => (setAborting(false), v)));

  return (
    <section className="player" data-testid="run-player" data-run-id={run.id} data-state={run.state} data-step-id={run.currentStepId ?? ''}>
      <header className="player__head">
        <div className="player__title">
          <span className="player__id">{run.instructionId}</span> {run.title} <span className="player__version">v{run.versionNumber}</span>
        </div>
        <div className="player__progress" aria-label="Progress">
          <div className="player__bar">
            <div className="player__bar-fill" style={{ width: `${total === 0 ? 100 : (Math.min(index, total) / total) * 100}%` }} />
          </div>
          <span data-testid="run-progress">{run.state === 'running' ? `Step ${index + 1} of ${total}` : run.state === 'completed' ? 'Completed' : 'Aborted'}</span>
        </div>
        <button type="button" className="toggle" onClick={() => setReview((r) => !r)} aria-pressed={review} data-testid="run-review">
          {review ? 'Back to the step' : 'Done steps'}
        </button>
        <button type="button" className="toggle" onClick={onClose} data-testid="run-close">
          Close
        </button>
      </header>

      {review || run.state !== 'running' || step === null ? (
        <RunReview view={view} />
      ) : (
        <article className="step" data-testid="step" data-kind={step.kind} data-step-id={step.id}>
          <div className="step__kind">{STEP_KIND_TEXT[step.kind]}</div>
          <h2 className="step__title" data-testid="step-title">
            {step.title}
          </h2>
          {step.body !== '' && <Markdown text={step.body} className="step__body" />}
          <StepMediaView versionHash={run.versionHash} media={step.media} />
          <StepInput step={step} view={view} busy={busy} now={now} onDone={complete} />
          {error !== null && (
            <p className="step__error" role="alert" data-testid="step-error">
              {error}
            </p>
          )}
        </article>
      )}

      {run.state === 'running' && (
        <footer className="player__foot">
          {aborting ? (
            <>
              <input className="step__text player__reason" placeholder="Why is the run aborted? (on record)" value={reason} onChange={(e) => setReason(e.target.value)} data-testid="abort-reason" />
              <button type="button" className="toggle" onClick={() => setAborting(false)}>
                Back
              </button>
              <GuardedButton permission="instructions.run" type="button" className="toggle toggle--on" disabled={busy || reason.trim().length < 3} onClick={abort} data-testid="abort-confirm">
                Abort the run
              </GuardedButton>
            </>
          ) : (
            <GuardedButton permission="instructions.run" type="button" className="toggle" onClick={() => setAborting(true)} data-testid="run-abort">
              Abort…
            </GuardedButton>
          )}
        </footer>
      )}
    </section>
  );
}

/** Every step of the run: done (by whom, when, what), the one to do, the ones to come. */
function RunReview({ view }: { view: RunView }) {
  const run = view.run;
  const { messages } = useServices();
  const print = () => {
    printRecord(`${run.instructionId} run ${run.id}.pdf`).then(
      (r) => {
        if (r === null) return;
        if (r.saved) messages.report(`Run record saved: ${r.path}`);
        else if (r.reason !== 'cancelled') messages.reportError('Saving the run record as PDF', new Error(r.reason));
      },
      (err: unknown) => messages.reportError('Saving the run record as PDF', err),
    );
  };
  return (
    <div className="run-review" data-testid="run-record">
      <button type="button" className="toggle run-review__print" onClick={print} data-testid="run-print">
        {canSavePdf() ? 'Save as PDF' : 'Print / PDF'}
      </button>
      <p className="run-review__summary">
        Started {formatDate(run.startedAt)} {formatClock(run.startedAt)} by {run.startedBy} ({run.trigger})
        {run.endedAt !== null && ` · ${run.state} ${formatClock(run.endedAt)}`}
        {run.reason !== '' && ` · ${run.reason}`}
      </p>
      <ol className="run-review__steps">
        {view.steps
          .filter((s) => s.kind !== 'branch')
          .map((s) => {
            const r = [...run.results].reverse().find((x) => x.stepId === s.id);
            const current = s.id === run.currentStepId;
            return (
              <li key={s.id} className={`run-review__step${current ? ' run-review__step--current' : ''}${r?.outcome === 'outOfLimits' ? ' run-review__step--abnormal' : ''}`} data-step-id={s.id} data-done={r !== undefined}>
                <span className="run-review__mark" aria-hidden="true">
                  {r ? '✓' : current ? '▶' : '·'}
                </span>
                <span className="run-review__title">{s.title}</span>
                <span className="run-review__result">
                  {r
                    ? `${resultValueText(s, r)}${r.outcome === 'outOfLimits' ? 'OUT OF LIMITS · ' : ''}${r.printedName} ${formatClock(r.doneAt)}${r.signatureIds.length > 0 ? ' · signed' : ''}${r.reason ? ` · “${r.reason}”` : ''}`
                    : current
                      ? 'to do now'
                      : r === undefined && run.state !== 'running'
                        ? 'not done'
                        : ''}
                </span>
              </li>
            );
          })}
      </ol>
      <h3 className="run-review__heading">Signatures</h3>
      <SignatureList target={`run ${run.id}`} revision={String(run.results.length)} limit={50} />
    </div>
  );
}
