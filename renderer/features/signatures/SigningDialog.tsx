import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { SessionUser, SignatureInput, SignatureMeaning } from '../../../shared/security';
import { useEscapeKey } from '../../ui/useEscapeKey';
import { useFocusTrap } from '../../ui/useFocusTrap';
import type { SigningRequest } from './signing-client';

const MEANING_TEXT: Record<SignatureMeaning, string> = {
  performed: 'Performed: I carried out this action',
  verified: 'Verified: I checked that it is right',
  reviewed: 'Reviewed: I reviewed it',
  approved: 'Approved: I approve it',
};

interface SigningDialogProps {
  request: SigningRequest;
  signer: SessionUser | null;
  onSign: (signature: SignatureInput) => void;
  onCancel: () => void;
}

/**
 * Part 11 §11.50/§11.200: the signer's name and the meaning are shown; the password or PIN is
 * asked again (within this continuous session), with a comment where the project requires one;
 * for a verification, a second person signs with their user id and password too.
 */
export function SigningDialog({ request, signer, onSign, onCancel }: SigningDialogProps) {
  const { requirement } = request;
  const verification = requirement.kind === 'verification';
  const [secret, setSecret] = useState('');
  const [comment, setComment] = useState('');
  const [verifierId, setVerifierId] = useState('');
  const [verifierSecret, setVerifierSecret] = useState('');
  const [verifierComment, setVerifierComment] = useState('');
  const first = useRef<HTMLInputElement>(null);
  useEscapeKey(onCancel);
  const dialogRef = useRef<HTMLFormElement>(null);
  useFocusTrap(dialogRef);
  useEffect(() => {
    // A refused signature is asked for again: the secret is typed anew.
    setSecret('');
    setVerifierSecret('');
    first.current?.focus();
  }, [request]);

  const missing =
    secret === '' ? 'type your password or PIN' : requirement.commentRequired && comment.trim() === '' ? 'a comment is required' : verification && (verifierId.trim() === '' || verifierSecret === '') ? 'the verifier signs too' : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (missing !== null) return;
    const signature: SignatureInput = { meaning: requirement.meaning, secret };
    if (comment.trim() !== '') signature.comment = comment.trim();
    if (verification) signature.verifier = { userId: verifierId.trim(), secret: verifierSecret, ...(verifierComment.trim() !== '' ? { comment: verifierComment.trim() } : {}) };
    onSign(signature);
  };

  return (
    <div className="modal-backdrop" role="presentation">
      <form ref={dialogRef} className="modal signing" role="dialog" aria-modal="true" aria-label="Electronic signature" data-testid="signing-dialog" data-kind={requirement.kind} onSubmit={submit}>
        <h2 className="modal__title">{verification ? 'Signature and verification' : 'Electronic signature'}</h2>
        <p className="signing__rule" data-testid="signing-rule">
          {request.message.charAt(0).toUpperCase() + request.message.slice(1)}.
        </p>
        <dl className="signing__facts">
          <dt>Signed by</dt>
          <dd data-testid="signing-signer">{signer === null ? 'nobody is signed in' : `${signer.name} (${signer.id})`}</dd>
          <dt>Meaning</dt>
          <dd data-testid="signing-meaning" data-meaning={requirement.meaning}>
            {MEANING_TEXT[requirement.meaning]}
          </dd>
        </dl>
        <label className="modal__label">
          Your password or PIN
          <input ref={first} type="password" className="sign-in__input" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} data-testid="signing-secret" />
        </label>
        <label className="modal__label">
          Comment{requirement.commentRequired ? ' (required)' : ' (optional)'}
          <input className="sign-in__input" autoComplete="off" maxLength={500} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="signing-comment" />
        </label>
        {verification && (
          <fieldset className="signing__verifier">
            <legend>Verified by a second person{requirement.verifierRoles.length > 0 ? ` (${requirement.verifierRoles.join(' or ')})` : ''}</legend>
            <label className="modal__label">
              Verifier user id
              <input className="sign-in__input" autoComplete="off" value={verifierId} onChange={(e) => setVerifierId(e.target.value)} data-testid="signing-verifier-user" />
            </label>
            <label className="modal__label">
              Verifier password
              <input type="password" className="sign-in__input" autoComplete="off" value={verifierSecret} onChange={(e) => setVerifierSecret(e.target.value)} data-testid="signing-verifier-secret" />
            </label>
            <label className="modal__label">
              Verifier comment (optional)
              <input className="sign-in__input" autoComplete="off" maxLength={500} value={verifierComment} onChange={(e) => setVerifierComment(e.target.value)} />
            </label>
          </fieldset>
        )}
        <p className="signing__statement">Your signature is recorded with your name, the time and its meaning, and is bound to this action.</p>
        {request.problem !== null && (
          <p className="sign-in__error" role="alert" data-testid="signing-error">
            {request.problem}
          </p>
        )}
        <div className="modal__actions">
          <button type="button" className="toggle modal__big" onClick={onCancel} data-testid="signing-cancel">
            Cancel
          </button>
          <button type="submit" className="toggle toggle--on modal__big" disabled={missing !== null} title={missing ?? undefined} data-testid="signing-submit">
            Sign
          </button>
        </div>
      </form>
    </div>
  );
}
