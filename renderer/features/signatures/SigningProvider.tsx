import { useCallback, useMemo, useRef, useState, type ReactNode } from 'react';
import type { SessionUser, SignatureInput } from '../../../shared/security';
import { ServicesProvider, useServices } from '../../state/services';
import { withSigning, type SigningRequest } from './signing-client';
import { SigningDialog } from './SigningDialog';

interface Pending {
  request: SigningRequest;
  resolve: (signature: SignatureInput | null) => void;
}

/**
 * Gives every feature below it a client that asks for a signature when the runtime requires one
 * (signing-client.ts), and shows the signing dialog for it. One dialog at a time: a second
 * call that needs a signature waits for the first to be signed or cancelled.
 */
export function SigningProvider({ signer, children }: { signer: SessionUser | null; children: ReactNode }) {
  const services = useServices();
  const [pending, setPending] = useState<Pending | null>(null);
  const queue = useRef<Promise<unknown>>(Promise.resolve());

  const ask = useCallback((request: SigningRequest) => {
    const asked = queue.current.then(() => new Promise<SignatureInput | null>((resolve) => setPending({ request, resolve })));
    queue.current = asked.catch(() => undefined);
    return asked;
  }, []);
  const signing = useMemo(() => ({ ...services, client: withSigning(services.client, ask) }), [services, ask]);
  const answer = (signature: SignatureInput | null) => {
    pending?.resolve(signature);
    setPending(null);
  };

  return (
    <ServicesProvider services={signing}>
      {children}
      {pending !== null && <SigningDialog request={pending.request} signer={signer} onSign={(s) => answer(s)} onCancel={() => answer(null)} />}
    </ServicesProvider>
  );
}
