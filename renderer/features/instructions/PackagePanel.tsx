import { useCallback, useEffect, useRef, useState } from 'react';
import type { OwnPackageKey, TrustedPackageKey } from '../../../shared/instruction-packages';
import { MAX_PACKAGE_BYTES, PACKAGE_EXTENSION } from '../../../shared/instruction-packages';
import { useServices } from '../../state/services';
import { GuardedButton } from '../../ui/GuardedButton';
import { formatClock, formatDate } from '../overview/format';
import './packages.css';

/** base64 → bytes, for the download. */
function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** bytes → base64, for the upload (in chunks: a call per byte would overflow the stack). */
function base64Of(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** "Export package": an approved or effective version as one signed file, saved as a download. */
export function ExportPackageButton({ hash }: { hash: string }) {
  const { client, messages } = useServices();
  const save = () => {
    client.call('instructions.exportPackage', { hash }).then(
      (r) => {
        const url = URL.createObjectURL(new Blob([bytesOf(r.data)], { type: 'application/json' }));
        const a = document.createElement('a');
        a.href = url;
        a.download = r.fileName;
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        messages.report(`${r.fileName} saved (${Math.ceil(r.bytes / 1024)} kB), signed by this PC's key ${r.fingerprint.slice(0, 23)}…`);
      },
      (err: unknown) => messages.reportError('Exporting the package', err),
    );
  };
  return (
    <GuardedButton permission="instructions.release" type="button" className="toggle" onClick={save} data-testid="instruction-export-package">
      Export package
    </GuardedButton>
  );
}

/**
 * Packages and keys: import a package file (from USB or a file share), this PC's own key to give
 * to other PCs, and the trust list (trust and remove ask for a signature: the client opens the
 * signing dialog by itself).
 */
export function PackagePanel({ onChanged }: { onChanged: () => void }) {
  const { client, messages } = useServices();
  const [own, setOwn] = useState<OwnPackageKey | null>(null);
  const [keys, setKeys] = useState<TrustedPackageKey[] | null>(null);
  const [name, setName] = useState('');
  const [publicKey, setPublicKey] = useState('');
  const [removing, setRemoving] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const load = useCallback(() => {
    Promise.all([client.call('packageKeys.own', {}), client.call('packageKeys.list', {})]).then(
      ([o, k]) => {
        setOwn(o);
        setKeys(k);
      },
      (err: unknown) => messages.reportError('Loading the package keys', err),
    );
  }, [client, messages]);
  useEffect(load, [load]);

  const importFile = async (file: File) => {
    if (file.size > MAX_PACKAGE_BYTES) {
      setResult(`${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; a package may have at most ${MAX_PACKAGE_BYTES / 1024 / 1024} MB`);
      return;
    }
    try {
      const data = base64Of(new Uint8Array(await file.arrayBuffer()));
      const r = await client.call('instructions.importPackage', { fileName: file.name, data });
      setResult(r.message);
      onChanged();
    } catch (err) {
      setResult(err instanceof Error ? err.message : String(err));
    }
  };
  const trust = () => {
    client.call('packageKeys.trust', { publicKey, name }).then(
      () => {
        setName('');
        setPublicKey('');
        load();
      },
      (err: unknown) => messages.reportError('Trusting the key', err),
    );
  };
  const remove = (fingerprint: string) => {
    client.call('packageKeys.remove', { fingerprint, reason }).then(
      () => {
        setRemoving(null);
        setReason('');
        load();
      },
      (err: unknown) => messages.reportError('Removing the key', err),
    );
  };

  return (
    <section className="panel instructions__packages" aria-label="Packages and keys" data-testid="instruction-packages">
      <div className="panel__header">
        <h2 className="panel__title">Packages and keys</h2>
        <GuardedButton permission="instructions.release" type="button" className="toggle toggle--compact" onClick={() => fileInput.current?.click()} data-testid="instruction-import-package">
          Import package…
        </GuardedButton>
        <input
          ref={fileInput}
          type="file"
          accept={`${PACKAGE_EXTENSION},application/json`}
          hidden
          data-testid="instruction-import-file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void importFile(f);
          }}
        />
      </div>
      {result !== null && (
        <p className="packages__result" role="status" data-testid="instruction-import-result">
          {result}
        </p>
      )}
      <div className="packages__own" data-testid="package-own-key">
        <strong>This PC&apos;s key</strong>{' '}
        {own === null ? (
          '…'
        ) : (
          <>
            <code className="packages__fingerprint">{own.fingerprint}</code>
            <details>
              <summary>Public key (give it to the other PCs)</summary>
              <textarea readOnly rows={4} value={own.pem} className="packages__pem" onFocus={(e) => e.target.select()} />
            </details>
          </>
        )}
      </div>
      <table className="diag-table packages__keys" data-testid="package-keys">
        <thead>
          <tr>
            <th>Trusted key</th>
            <th>Fingerprint</th>
            <th>Trusted</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(keys ?? []).length === 0 && (
            <tr>
              <td colSpan={4}>No key is trusted yet: packages from other PCs are refused.</td>
            </tr>
          )}
          {(keys ?? []).map((k) => (
            <tr key={k.fingerprint} data-fingerprint={k.fingerprint}>
              <td>{k.name}</td>
              <td>
                <code className="packages__fingerprint">{k.fingerprint}</code>
              </td>
              <td>
                {formatDate(k.trustedAt)} {formatClock(k.trustedAt)} by {k.trustedBy}
              </td>
              <td>
                {removing === k.fingerprint ? (
                  <span className="packages__remove">
                    <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="reason" aria-label="Reason for removing" />
                    <GuardedButton permission="instructions.trustKeys" type="button" className="toggle" disabled={reason.trim().length < 3} onClick={() => remove(k.fingerprint)}>
                      Remove…
                    </GuardedButton>
                    <button type="button" className="toggle" onClick={() => setRemoving(null)}>
                      Cancel
                    </button>
                  </span>
                ) : (
                  <GuardedButton permission="instructions.trustKeys" type="button" className="toggle" onClick={() => setRemoving(k.fingerprint)} data-testid="package-key-remove">
                    Remove
                  </GuardedButton>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="packages__trust">
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="name, e.g. Line 2 PC" aria-label="Key name" data-testid="package-key-name" />
        <textarea value={publicKey} onChange={(e) => setPublicKey(e.target.value)} rows={3} placeholder="public key: PEM or base64" aria-label="Public key" data-testid="package-key-public" />
        <GuardedButton permission="instructions.trustKeys" type="button" className="toggle" disabled={name.trim() === '' || publicKey.trim().length < 40} onClick={trust} data-testid="package-key-trust">
          Trust key…
        </GuardedButton>
      </div>
    </section>
  );
}
