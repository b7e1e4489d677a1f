import { useEffect, useState } from 'react';
import type { InstructionSummary, RunSummary } from '../../../shared/instructions';
import { useServices } from '../../state/services';
import { GuardedButton } from '../../ui/GuardedButton';
import { formatClock, formatDate } from '../overview/format';
import { newestVersion, VERSION_STATE_TEXT, whyNotStartable } from './instruction-format';
import { useInstructions, useRun, type HistoryFilter } from './useInstructions';
import { RunPlayer } from './RunPlayer';
import { VersionChangesDialog } from './VersionChangesDialog';
import { ExportPackageButton, PackagePanel } from './PackagePanel';
import './instructions.css';

export interface InstructionRequest {
  instructionId: string;
  /** what asks for it: "alarm L1.Vibration.HH" */
  trigger: string;
  seq: number;
}

/**
 * Work instructions: the ones this line has, with the version in force and the newest one's
 * review state; running runs to go on with; the run history. A run opens in the step player.
 * An alarm's procedure link opens the screen with that instruction started.
 */
export function InstructionsScreen({ generation, request }: { generation: number; request: InstructionRequest | null }) {
  const { client, messages } = useServices();
  const [filter, setFilter] = useState<HistoryFilter>({});
  const { instructions, runs, history, refresh } = useInstructions(generation, filter);
  const [runId, setRunId] = useState<number | null>(null);
  const { view, setView } = useRun(runId, generation);
  const [handled, setHandled] = useState(0);

  const start = (instructionId: string, trigger: string) => {
    client.call('runs.start', { instructionId, trigger }).then(
      (v) => {
        setView(v);
        setRunId(v.run.id);
        refresh();
      },
      (err: unknown) => messages.reportError(`Starting ${instructionId}`, err),
    );
  };
  useEffect(() => {
    if (request === null || request.seq === handled) return;
    setHandled(request.seq);
    // A run of it already going: open that one rather than start a second.
    const going = runs?.find((r) => r.instructionId === request.instructionId && r.state === 'running');
    if (going) setRunId(going.id);
    else start(request.instructionId, request.trigger);
  }, [request, runs]);

  if (runId !== null && view !== null) {
    return (
      <main className="instructions instructions--player">
        <RunPlayer
          view={view}
          onView={setView}
          onClose={() => {
            setRunId(null);
            refresh();
          }}
        />
      </main>
    );
  }

  const running = runs?.filter((r) => r.state === 'running') ?? [];
  const due = instructions?.filter((i) => i.dueSince !== null) ?? [];
  return (
    <main className="instructions" data-testid="instructions-screen">
      {due.map((i) => (
        <div key={i.id} className="instructions__due" role="status" data-testid="instruction-due" data-instruction-id={i.id}>
          <span>
            <strong>Due now:</strong> {i.title} — this shift began {formatClock(i.dueSince!)}, no run since
          </span>
          <GuardedButton permission="instructions.run" type="button" className="toggle toggle--on" onClick={() => start(i.id, `shift start ${formatClock(i.dueSince!)}`)} data-testid="instruction-due-start">
            Start now
          </GuardedButton>
        </div>
      ))}
      <section className="panel instructions__list" aria-label="Work instructions">
        <div className="panel__header">
          <h2 className="panel__title">Work instructions</h2>
          <GuardedButton permission="instructions.review" type="button" className="toggle toggle--compact" onClick={() => client.call('instructions.reload', {}).then(refresh, (e: unknown) => messages.reportError('Reloading the instruction files', e))} data-testid="instructions-reload">
            Reload files
          </GuardedButton>
        </div>
        {instructions === null ? (
          <p className="panel__empty">Loading…</p>
        ) : instructions.length === 0 ? (
          <p className="panel__empty">This project has no work instructions (docs/instructions.md says how to add them).</p>
        ) : (
          <ul className="instruction-list">
            {instructions.map((i) => (
              <InstructionRow key={i.id} instruction={i} onStart={() => start(i.id, 'Instructions screen')} onChanged={refresh} />
            ))}
          </ul>
        )}
      </section>
      <section className="panel instructions__runs" aria-label="Runs">
        <div className="panel__header">
          <h2 className="panel__title">Runs</h2>
        </div>
        {running.length > 0 && (
          <ul className="run-list" data-testid="runs-running">
            {running.map((r) => (
              <RunRow key={r.id} run={r} onOpen={() => setRunId(r.id)} />
            ))}
          </ul>
        )}
        <div className="run-filter" role="group" aria-label="Filter the run history">
          <select aria-label="Instruction" value={filter.instructionId ?? ''} onChange={(e) => setFilter({ ...filter, instructionId: e.target.value || undefined })} data-testid="history-instruction">
            <option value="">All instructions</option>
            {(instructions ?? []).map((i) => (
              <option key={i.id} value={i.id}>
                {i.id}
              </option>
            ))}
          </select>
          <select aria-label="Result" value={filter.state ?? ''} onChange={(e) => setFilter({ ...filter, state: (e.target.value || undefined) as HistoryFilter['state'] })} data-testid="history-state">
            <option value="">Any result</option>
            <option value="completed">Completed</option>
            <option value="aborted">Aborted</option>
          </select>
          <input aria-label="User id" placeholder="user id" value={filter.user ?? ''} onChange={(e) => setFilter({ ...filter, user: e.target.value.trim() || undefined })} data-testid="history-user" />
          <input
            aria-label="Since"
            type="date"
            onChange={(e) => setFilter({ ...filter, from: e.target.value ? new Date(`${e.target.value}T00:00`).getTime() : undefined })}
            data-testid="history-from"
          />
        </div>
        <table className="diag-table run-history" data-testid="run-history">
          <thead>
            <tr>
              <th>Started</th>
              <th>Instruction</th>
              <th>By</th>
              <th>Steps</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {(history ?? [])
              .map((r) => (
                <tr key={r.id} data-run-id={r.id} data-state={r.state} onClick={() => setRunId(r.id)} className="run-history__row">
                  <td>
                    {formatDate(r.startedAt)} {formatClock(r.startedAt)}
                  </td>
                  <td>
                    {r.instructionId} v{r.versionNumber}
                  </td>
                  <td>{r.startedBy}</td>
                  <td>
                    {r.done}/{r.steps}
                  </td>
                  <td>{r.state === 'completed' ? 'Completed' : <strong>ABORTED</strong>}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </section>
      <PackagePanel onChanged={refresh} />
    </main>
  );
}

function RunRow({ run, onOpen }: { run: RunSummary; onOpen: () => void }) {
  return (
    <li className="run-list__item" data-run-id={run.id} data-instruction-id={run.instructionId}>
      <span>
        <strong>{run.title}</strong> · started {formatClock(run.startedAt)} by {run.startedBy} · {run.done}/{run.steps} steps
      </span>
      <button type="button" className="toggle toggle--on" onClick={onOpen} data-testid="run-resume">
        Go on
      </button>
    </li>
  );
}

/** One instruction: title, the version in force, the newest version's state and its review actions. */
function InstructionRow({ instruction: i, onStart, onChanged }: { instruction: InstructionSummary; onStart: () => void; onChanged: () => void }) {
  const { client, messages } = useServices();
  const newest = newestVersion(i);
  const previous = i.versions[1] ?? null;
  const [changes, setChanges] = useState(false);
  const notStartable = whyNotStartable(i);
  // a package carries an approved or effective version: the newest approved one, else the one in force
  const exportable = newest?.state === 'approved' ? newest.hash : (i.effective?.hash ?? null);
  const transition = (method: 'instructions.submit' | 'instructions.approve' | 'instructions.release', label: string) => {
    if (newest === null) return;
    client.call(method, { hash: newest.hash }).then(onChanged, (err: unknown) => messages.reportError(label, err));
  };
  return (
    <li className="instruction" data-testid="instruction" data-instruction-id={i.id} data-effective={i.effective?.number ?? ''}>
      <div className="instruction__main">
        <div className="instruction__title">
          <span className="instruction__id">{i.id}</span> {i.title}
        </div>
        <div className="instruction__meta">
          {i.effective !== null ? `in force: v${i.effective.number} (rev. ${i.effective.revision}), ${i.effective.stepCount} steps` : 'not in force'}
          {newest !== null && newest.hash !== i.effective?.hash && (
            <>
              {' · '}
              <span data-testid="instruction-newest" data-state={newest.state}>
                v{newest.number} {VERSION_STATE_TEXT[newest.state]}
                {newest.state === 'inReview' && ` (approved by ${newest.approvals.map((a) => `${a.printedName} as ${a.role}`).join(', ') || 'nobody yet'}; needs ${newest.requiredApprovals.join(' + ')})`}
              </span>
            </>
          )}
          {i.atShiftStart && ' · at every shift start'}
          {i.alarms.length > 0 && ` · procedure of ${i.alarms.join(', ')}`}
        </div>
        {i.problem !== null && (
          <p className="instruction__problem" role="alert">
            {i.problem}
          </p>
        )}
      </div>
      <div className="instruction__actions">
        {newest !== null && previous !== null && (
          <button type="button" className="toggle" onClick={() => setChanges(true)} data-testid="instruction-changes">
            Changes
          </button>
        )}
        {changes && newest !== null && previous !== null && <VersionChangesDialog before={previous} after={newest} onClose={() => setChanges(false)} />}
        {newest?.state === 'draft' && (
          <GuardedButton permission="instructions.review" type="button" className="toggle" onClick={() => transition('instructions.submit', 'Submitting for review')} data-testid="instruction-submit">
            Submit for review
          </GuardedButton>
        )}
        {newest?.state === 'inReview' && (
          <GuardedButton permission="instructions.approve" type="button" className="toggle" onClick={() => transition('instructions.approve', 'Approving')} data-testid="instruction-approve">
            Approve…
          </GuardedButton>
        )}
        {newest?.state === 'approved' && (
          <GuardedButton permission="instructions.release" type="button" className="toggle" onClick={() => transition('instructions.release', 'Releasing')} data-testid="instruction-release">
            Release…
          </GuardedButton>
        )}
        {exportable !== null && <ExportPackageButton hash={exportable} />}
        <GuardedButton permission="instructions.run" type="button" className="toggle toggle--on instruction__start" disabled={notStartable !== null} title={notStartable ?? undefined} onClick={onStart} data-testid="instruction-start">
          Start
        </GuardedButton>
      </div>
    </li>
  );
}
