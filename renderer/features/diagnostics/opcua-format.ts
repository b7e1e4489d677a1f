/**
 * How OPC UA certificates and browsed nodes are written on the Diagnostics screen. Pure: no DOM,
 * no React, so each helper can be unit tested on its own.
 */
import type { CertificateSummary, OpcUaAcquisitionMode, OpcUaNodeClass, OpcUaSecurityMode, OpcUaSecurityPolicy } from '../../../shared/opcua';
import type { DeviceAcquisition, TagDataType } from '../../../shared/types';
import { formatDate } from '../../ui/datetime';

/** The hex digits of a thumbprint, lower case, whatever it was written with (colons, spaces, case). */
export function normalizeThumbprint(thumbprint: string): string {
  return thumbprint.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
}

/** A thumbprint in pairs, upper case, as tools print it and as it is read aloud: `4F:1A:…`. */
export function thumbprintPairs(thumbprint: string): string[] {
  return normalizeThumbprint(thumbprint).toUpperCase().match(/.{1,2}/g) ?? [];
}

/** `4F:1A:09:…` */
export function groupThumbprint(thumbprint: string): string {
  return thumbprintPairs(thumbprint).join(':');
}

/**
 * The pairs in lines of `perLine` (10 by default: a SHA-1 thumbprint is two lines of ten),
 * each line but the last ending with its colon so the lines joined read as one thumbprint.
 */
export function thumbprintLines(thumbprint: string, perLine = 10): string[] {
  const pairs = thumbprintPairs(thumbprint);
  const lines: string[] = [];
  for (let i = 0; i < pairs.length; i += perLine) {
    const last = i + perLine >= pairs.length;
    lines.push(pairs.slice(i, i + perLine).join(':') + (last ? '' : ':'));
  }
  return lines;
}

export type CertificateValidity = 'valid' | 'expired' | 'not_yet_valid';

export function certificateValidity(cert: Pick<CertificateSummary, 'validFrom' | 'validTo'>, now: number): CertificateValidity {
  if (now < cert.validFrom) return 'not_yet_valid';
  if (now > cert.validTo) return 'expired';
  return 'valid';
}

/** A calendar date in local time, in the project's format: `2025-03-07` by default. */
export { formatDate };

export function formatValidity(cert: Pick<CertificateSummary, 'validFrom' | 'validTo'>, now: number): string {
  const range = `${formatDate(cert.validFrom)} to ${formatDate(cert.validTo)}`;
  switch (certificateValidity(cert, now)) {
    case 'valid':
      return `valid ${range}`;
    case 'expired':
      return `EXPIRED (was valid ${range})`;
    case 'not_yet_valid':
      return `NOT YET VALID (valid ${range})`;
  }
}

/** `CN=PLC 4, O=Acme` → `PLC 4`; the whole subject when it names no CN. */
export function commonName(subject: string): string {
  const m = /(?:^|[,/]\s*)CN=([^,/]+)/.exec(subject);
  return m ? m[1].trim() : subject;
}

const MODE_TEXT: Record<OpcUaAcquisitionMode, string> = { subscription: 'Subscription', polling: 'Polling' };

/** `Subscription · 12 monitored` / `Polling · 12 read each scan` / both counts when mixed. */
export function acquisitionText(a: DeviceAcquisition): string {
  const parts = [MODE_TEXT[a.mode]];
  if (a.monitoredItems > 0) parts.push(`${a.monitoredItems} monitored`);
  if (a.polledItems > 0) parts.push(`${a.polledItems} read each scan`);
  return parts.join(' · ');
}

export function securityText(mode: OpcUaSecurityMode, policy: OpcUaSecurityPolicy): string {
  if (mode === 'None') return 'None (not signed, not encrypted)';
  return `${mode === 'SignAndEncrypt' ? 'Sign & encrypt' : 'Sign'} · ${policy}`;
}

/** Node classes whose children are worth a tap: everything but methods and plain types. */
export function canHaveChildren(nodeClass: OpcUaNodeClass): boolean {
  return nodeClass !== 'Method' && nodeClass !== 'DataType' && nodeClass !== 'ReferenceType';
}

const TAG_ID_MAX = 100;

/**
 * A tag id for a browsed variable, from the names on its path below Objects:
 * `["Line1", "LineSpeed"]` → `Line1.LineSpeed`. Only what a project tag id allows (letters,
 * digits, `_ . -`), starting with a letter; an engineer renames it as the plant's standard says.
 */
export function suggestTagId(pathNames: readonly string[]): string {
  const parts = pathNames
    .map((n) => n.replace(/^\d+:/, '').replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, ''))
    .filter((n) => n.length > 0);
  let id = parts.join('.');
  if (id === '') id = 'tag';
  if (!/^[A-Za-z]/.test(id)) id = `T_${id}`;
  return id.slice(0, TAG_ID_MAX);
}

/** A YAML double-quoted scalar: backslash and quote escaped, control characters as \uXXXX. */
export function yamlQuoted(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (c === '\\' || c === '"') out += `\\${c}`;
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return `"${out}"`;
}

/** The line to paste under `tags:` in the project file. */
export function yamlTagLine(t: { id: string; deviceId: string; nodeId: string; dataType: TagDataType }): string {
  return `- { id: ${t.id}, device: ${t.deviceId}, address: ${yamlQuoted(t.nodeId)}, dataType: ${t.dataType} }`;
}
