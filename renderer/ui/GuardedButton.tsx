import type { ButtonHTMLAttributes } from 'react';
import type { PermissionName } from '../../shared/security';
import { useMay } from '../state/session-context';

type GuardedButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & { permission: PermissionName; area?: string | null };

/**
 * A button for an action that needs a permission: greyed out, with the reason as its title and
 * in `data-why`, when the signed-in person may not do it (the runtime refuses it anyway).
 */
export function GuardedButton({ permission, area, disabled, title, ...rest }: GuardedButtonProps) {
  const m = useMay(permission, area);
  return <button {...rest} disabled={disabled === true || !m.allowed} title={m.why ?? title} data-why={m.why ?? undefined} />;
}
