/**
 * Which actions need an electronic signature, or a second person's verification, from the
 * project's `security.signatures` rules: writes to listed tags, shelving alarms of chosen
 * priorities, taking alarms out of service, trusting a certificate, deleting quarantined
 * records. The first rule that matches decides.
 */
import type { MethodName } from '../../shared/api-channels';
import type { SignatureRequirement } from '../../shared/security';
import type { SignatureRule } from './security-settings';

export interface SignatureFacts {
  /** the priority of an alarm (null: unknown alarm) */
  alarmPriority(alarmId: string): number | null;
  /**
   * Signatures that the actions themselves require, whatever the project's rules say: approving
   * and releasing an instruction version, a signature step of a run (main/instructions).
   */
  required?(method: MethodName, params: unknown): SignatureRequirement | null;
}

export class SignaturePolicy {
  constructor(
    private readonly rules: readonly SignatureRule[],
    private readonly facts: SignatureFacts,
  ) {}

  requirementFor(method: MethodName, params: unknown): SignatureRequirement | null {
    const own = this.facts.required?.(method, params) ?? null;
    if (own !== null) return own;
    const p = params as Record<string, unknown>;
    for (const r of this.rules) {
      if (r.action !== method) continue;
      let what: string;
      if (method === 'tags.write') {
        const tagId = String(p.tagId);
        if (r.tags !== undefined && !r.tags.includes(tagId)) continue;
        what = `writes to ${r.tags === undefined ? 'every writable tag' : tagId}`;
      } else if (method === 'alarms.shelve' || method === 'alarms.removeFromService') {
        const priority = this.facts.alarmPriority(String(p.alarmId));
        if (r.priorities !== undefined && (priority === null || !r.priorities.includes(priority))) continue;
        const verb = method === 'alarms.shelve' ? 'shelving' : 'taking out of service';
        what = `${verb} ${r.priorities === undefined ? 'any alarm' : `priority ${r.priorities.join('/')} alarms`}`;
      } else if (method === 'opcua.trustCertificate') what = 'trusting a server certificate';
      else what = 'deleting quarantined upstream records';
      return { kind: r.kind, meaning: r.meaning, commentRequired: r.comment, verifierRoles: [...r.verifierRoles], rule: what };
    }
    return null;
  }
}
