/**
 * The work-instruction handlers of the API (shared/instructions-api.ts) and the signatures the
 * actions themselves require: approving and releasing a version (meaning approved), a run's
 * signature step, an out-of-limits measurement the step wants verified.
 */
import type { MethodName, ParsedParamsOf, ResultOf } from '../../shared/api';
import type { SignatureRequirement } from '../../shared/security';
import type { InstructionService } from '../instructions/instruction-service';
import type { RunEngine } from '../instructions/run-engine';
import { VIEWER, type Caller } from '../security/caller';
import type { PackageMethod } from './instruction-packages-api';

// The package methods have their own handlers (instruction-packages-api.ts).
type InstructionMethod = Exclude<Extract<MethodName, `instructions.${string}` | `runs.${string}`>, PackageMethod>;
type Handlers = { [M in InstructionMethod]: (p: ParsedParamsOf<M>, c: Caller) => ResultOf<M> | Promise<ResultOf<M>> };

function who(c: Caller) {
  return { userId: c.userId ?? VIEWER, name: c.name, roles: c.roles, signatureId: c.signatureId, actor: c.actor };
}

export function instructionHandlers(instructions: InstructionService, runs: RunEngine): Handlers {
  return {
    'instructions.list': () => instructions.list(),
    'instructions.version': (p) => instructions.version(p.hash),
    'instructions.media': (p) => instructions.media(p.hash, p.sha256),
    'instructions.reload': () => instructions.reload(),
    'instructions.submit': (p, c) => instructions.transition(p.hash, 'submit', who(c)),
    'instructions.reject': (p, c) => instructions.transition(p.hash, 'reject', who(c), p.reason),
    'instructions.approve': (p, c) => instructions.transition(p.hash, 'approve', who(c)),
    'instructions.release': (p, c) => instructions.transition(p.hash, 'release', who(c)),
    'instructions.retire': (p, c) => instructions.transition(p.hash, 'retire', who(c), p.reason),
    'runs.start': (p, c) => runs.start(p.instructionId, who(c), p.trigger),
    'runs.get': (p) => runs.view(p.runId),
    'runs.complete': (p, c) => runs.complete(p.runId, p.stepId, p.input, who(c)),
    'runs.abort': (p, c) => runs.abort(p.runId, p.reason, who(c)),
    'runs.list': (p) => runs.list(p),
  };
}

/** The signatures instruction actions require (SignaturePolicy's `required`). */
export function instructionSignatures(runs: RunEngine): (method: MethodName, params: unknown) => SignatureRequirement | null {
  return (method, params) => {
    if (method === 'instructions.approve' || method === 'instructions.release') {
      return { kind: 'signature', meaning: 'approved', commentRequired: false, verifierRoles: [], rule: `${method === 'instructions.approve' ? 'approving' : 'releasing'} an instruction version` };
    }
    if (method === 'runs.complete') return runs.signatureRequirement(params as ParsedParamsOf<'runs.complete'>);
    return null;
  };
}
