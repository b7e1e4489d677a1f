import type { CertificatesState } from './useOpcUaCertificates';
import { formatValidity } from './opcua-format';
import { Thumbprint } from './Thumbprint';

/**
 * Lineside's own OPC UA client certificate: the PLC's administrator must trust it on each
 * server (step 4 of the trust procedure), so its thumbprint is shown to be read out.
 */
export function OwnCertificatePanel({ state, now }: { state: CertificatesState; now: number }) {
  const { certificates: c, error } = state;
  const own = c?.own ?? null;
  return (
    <section className="panel own-cert" aria-label="Lineside's OPC UA certificate" data-testid="own-certificate">
      <div className="panel__header">
        <h2 className="panel__title">This PC's OPC UA certificate</h2>
        {error !== null && <span className="diagnostics__error">{error}</span>}
      </div>
      {c === null ? (
        <p className="panel__empty">{error === null ? 'Loading…' : 'Not available.'}</p>
      ) : (
        <div className="own-cert__body">
          <div className="own-cert__main">
            <p className="own-cert__hint">Each PLC must trust it: its administrator compares this thumbprint.</p>
            {own === null ? (
              <p className="own-cert__none" data-testid="own-thumbprint-missing">
                Not created yet: Lineside creates it when it first connects to a secure OPC UA device.
              </p>
            ) : (
              <>
                <Thumbprint value={own.thumbprint} perLine={10} testId="own-thumbprint" large />
                <div className="own-cert__sub">{own.subject}</div>
                <div className="own-cert__sub">{formatValidity(own, now)}</div>
              </>
            )}
          </div>
          <div className="own-cert__facts">
            <div className="own-cert__fact">
              <div className="own-cert__key">PKI folder</div>
              <code className="selectable" data-testid="pki-folder">
                {c.pkiFolder}
              </code>
            </div>
            <div className="own-cert__fact">
              <div className="own-cert__key">Server certificates</div>
              <span data-testid="pki-counts">
                {c.trusted.length} trusted · {c.rejected.length} rejected
              </span>
            </div>
          </div>
        </div>
      )}
    </section>
  );
}
