import { groupThumbprint, normalizeThumbprint, thumbprintLines } from './opcua-format';

/**
 * A SHA-1 thumbprint as a technician reads it aloud and compares it: upper-case pairs separated
 * by colons, in monospace, optionally in lines of ten pairs. The raw hex is in `data-thumbprint`.
 */
export function Thumbprint({ value, perLine, testId, large = false }: { value: string; perLine?: number; testId?: string; large?: boolean }) {
  const lines = perLine === undefined ? [groupThumbprint(value)] : thumbprintLines(value, perLine);
  return (
    <span
      className={`thumbprint${large ? ' thumbprint--large' : ''}`}
      data-testid={testId}
      data-thumbprint={normalizeThumbprint(value)}
    >
      {lines.map((line, i) => (
        <span key={i} className="thumbprint__line">
          {line}
        </span>
      ))}
    </span>
  );
}
