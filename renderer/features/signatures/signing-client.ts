/**
 * Electronic signatures at the client: an action the project wants signed comes back from the
 * runtime as `signature_required` (with what it needs); the person is asked to sign, and the
 * same call goes again with the signature. A signature the runtime does not accept (wrong
 * password or PIN, a verifier who may not verify) is asked for again with the reason; a
 * cancelled signature ends the call with SigningCancelled, and nothing was done.
 *
 * Every feature keeps calling `client.call(...)`: the signing happens here, once, for all of
 * them (writes, shelves, out of service, certificate trust, quarantine deletes, sign-offs).
 *
 *   call ──▶ runtime ──▶ ok ─────────────────────────────▶ result
 *               │ signature_required
 *               ▼
 *            ask(requirement) ──▶ cancelled ─────────────▶ SigningCancelled
 *               │ signature
 *               ▼
 *            runtime (with signature) ──▶ ok ────────────▶ result
 *               │ unauthenticated: ask again, saying why
 *               └──────────────▶ (back to ask)
 */
import { ApiError, type CallOptions, type LinesideClient } from '../../../shared/api';
import { signatureMeanings, type SignatureInput, type SignatureMeaning, type SignatureRequirement } from '../../../shared/security';

/** What the person is asked to sign: the action, what the project requires, and why the last try failed. */
export interface SigningRequest {
  method: string;
  requirement: SignatureRequirement;
  /** the runtime's words for what needs signing */
  message: string;
  /** why the previous signature was not accepted; null on the first ask */
  problem: string | null;
}

/** The person cancelled the signature: the action was not carried out. */
export class SigningCancelled extends Error {
  constructor(method: string) {
    super(`not signed: ${method} was not carried out`);
    this.name = 'SigningCancelled';
  }
}

/** The requirement the runtime sent with `signature_required` (its context), read defensively. */
export function requirementFrom(context: ApiError['context']): SignatureRequirement {
  const c = context ?? {};
  const meaning = signatureMeanings.includes(c.meaning as SignatureMeaning) ? (c.meaning as SignatureMeaning) : 'performed';
  const roles = typeof c.verifierRoles === 'string' && c.verifierRoles !== '' ? c.verifierRoles.split(',') : [];
  return {
    kind: c.kind === 'verification' ? 'verification' : 'signature',
    meaning,
    commentRequired: c.commentRequired === true,
    verifierRoles: roles,
    rule: typeof c.rule === 'string' ? c.rule : 'this action',
  };
}

export type AskSignature = (request: SigningRequest) => Promise<SignatureInput | null>;

/** `client` with signing: calls that need a signature ask `ask` and go again with it. */
export function withSigning(client: LinesideClient, ask: AskSignature): LinesideClient {
  const call: LinesideClient['call'] = async (method, params, options?: CallOptions) => {
    try {
      return await client.call(method, params, options);
    } catch (err) {
      // A call that brought its own signature is its caller's business.
      if (!(err instanceof ApiError) || err.code !== 'signature_required' || options?.signature !== undefined) throw err;
      const requirement = requirementFrom(err.context);
      let problem: string | null = null;
      for (;;) {
        const signature = await ask({ method, requirement, message: err.message, problem });
        if (signature === null) throw new SigningCancelled(method);
        try {
          return await client.call(method, params, { ...options, signature });
        } catch (again) {
          if (!(again instanceof ApiError) || again.code !== 'unauthenticated') throw again;
          problem = again.message;
        }
      }
    }
  };
  return { call, on: client.on.bind(client), onConnection: client.onConnection.bind(client) };
}
