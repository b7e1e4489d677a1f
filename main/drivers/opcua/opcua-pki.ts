/**
 * Lineside's OPC UA certificate store: one folder in the data directory (`<dataDir>/pki`),
 * shared by every OPC UA device of the process, laid out as node-opcua and the OPC UA spec
 * (Part 12 GDS folder layout) expect:
 *
 *   pki/own/certs/client_certificate.pem   our client certificate (created on first use)
 *   pki/own/private/private_key.pem        its private key
 *   pki/trusted/certs/                     server certificates we trust
 *   pki/rejected/                          server certificates seen but not trusted
 *   pki/issuers/certs/, …/crl/             CA certificates and revocation lists
 *
 * An unknown server certificate is never accepted automatically: it lands in rejected/ and the
 * connection is refused until an engineer trusts it (API `opcua.trustCertificate`, or moving
 * the file to trusted/certs/ by hand; the folder is re-read before every secure connection).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { getHostname, makeApplicationUrn, OPCUACertificateManager, type StatusCode } from 'node-opcua';
import type { CertificateSummary, ServerCertificateStatus } from '../../../shared/opcua';

export const CLIENT_APPLICATION_NAME = 'Lineside HMI';

export class CertificateNotFound extends Error {
  constructor(readonly thumbprint: string) {
    super(`no rejected or trusted certificate has the thumbprint ${thumbprint}`);
    this.name = 'CertificateNotFound';
  }
}

export class OpcUaPki {
  private static readonly open = new Map<string, OpcUaPki>();

  /** The store for `rootFolder`, shared within the process; give it back with release(). */
  static acquire(rootFolder: string): OpcUaPki {
    const root = path.resolve(rootFolder);
    let pki = OpcUaPki.open.get(root);
    if (!pki) {
      pki = new OpcUaPki(root);
      OpcUaPki.open.set(root, pki);
    }
    pki.users++;
    return pki;
  }

  readonly certificateManager: OPCUACertificateManager;
  private users = 0;
  private readiness: Promise<void> | null = null;

  private constructor(readonly rootFolder: string) {
    this.certificateManager = new OPCUACertificateManager({
      rootFolder,
      automaticallyAcceptUnknownCertificate: false,
      // No file watchers (they keep handles open and lag behind); the store is re-read before
      // each secure connection instead, which is when a hand-moved certificate matters.
      disableFileWatchers: true,
    });
  }

  get clientCertificateFile(): string {
    return path.join(this.rootFolder, 'own', 'certs', 'client_certificate.pem');
  }

  get privateKeyFile(): string {
    return this.certificateManager.privateKey;
  }

  /** Creates the folders, the private key and our self-signed client certificate on first use. */
  ready(): Promise<void> {
    this.readiness ??= (async () => {
      await this.certificateManager.initialize();
      if (await this.readOwn()) return;
      const hostname = getHostname();
      await this.certificateManager.createSelfSignedCertificate({
        applicationUri: makeApplicationUrn(hostname, CLIENT_APPLICATION_NAME),
        dns: [hostname],
        outputFile: this.clientCertificateFile,
        // Our own subject (node-opcua's default names its vendor as the organisation).
        subject: `/CN=${CLIENT_APPLICATION_NAME}@${hostname}/O=Lineside`,
        startDate: new Date(),
        validity: 365 * 10,
      });
    })().catch((err: unknown) => {
      this.readiness = null;
      throw err;
    });
    return this.readiness;
  }

  async ownCertificate(): Promise<CertificateSummary | null> {
    await this.ready();
    const der = await this.readOwn();
    return der ? summarize(der) : null;
  }

  /**
   * Checks a server certificate against the store (re-read first, for hand-moved files); an
   * unknown one is written to rejected/. Good means trusted and valid.
   */
  async checkServerCertificate(der: Buffer): Promise<{ status: StatusCode; certificate: ServerCertificateStatus }> {
    await this.ready();
    await this.certificateManager.reloadCertificates();
    const status = await this.certificateManager.checkCertificate(der);
    return { status, certificate: { ...summarize(der), trusted: status.isGood() } };
  }

  /** Moves the certificate with this thumbprint from rejected/ to trusted/certs/. */
  async trust(thumbprint: string): Promise<CertificateSummary> {
    await this.ready();
    const wanted = normalizeThumbprint(thumbprint);
    const rejected = await this.readFolder(this.certificateManager.rejectedFolder);
    const found = rejected.find((c) => thumbprintOf(c) === wanted);
    if (!found) {
      const trusted = await this.readFolder(this.certificateManager.trustedFolder);
      const already = trusted.find((c) => thumbprintOf(c) === wanted);
      if (already) return summarize(already);
      throw new CertificateNotFound(wanted);
    }
    await this.certificateManager.trustCertificate(found);
    return summarize(found);
  }

  async list(): Promise<{ trusted: CertificateSummary[]; rejected: CertificateSummary[] }> {
    await this.ready();
    const [trusted, rejected] = await Promise.all([
      this.readFolder(this.certificateManager.trustedFolder),
      this.readFolder(this.certificateManager.rejectedFolder),
    ]);
    return { trusted: trusted.map(summarize), rejected: rejected.map(summarize) };
  }

  async release(): Promise<void> {
    this.users--;
    if (this.users > 0) return;
    OpcUaPki.open.delete(this.rootFolder);
    await this.certificateManager.dispose().catch(() => undefined);
  }

  private async readOwn(): Promise<Buffer | null> {
    const certs = await this.readFolder(path.dirname(this.clientCertificateFile), (name) => name === path.basename(this.clientCertificateFile));
    return certs[0] ?? null;
  }

  /** DER of every certificate file (.pem, .der, .crt, .cer) in a folder; unreadable files are skipped. */
  private async readFolder(folder: string, accept: (name: string) => boolean = () => true): Promise<Buffer[]> {
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      return [];
    }
    const out: Buffer[] = [];
    for (const name of names.filter((n) => /\.(pem|der|crt|cer)$/i.test(n) && accept(n)).sort()) {
      try {
        out.push(Buffer.from(new X509Certificate(await readFile(path.join(folder, name))).raw));
      } catch {
        // not a certificate (a stray file a technician dropped there): not ours to judge
      }
    }
    return out;
  }
}

/** The OPC UA thumbprint: SHA-1 of the DER encoding, hex, lower case. */
export function thumbprintOf(der: Buffer): string {
  return createHash('sha1').update(der).digest('hex');
}

/** Accepts `AB:CD:…`, spaces and upper case, as tools print it. */
export function normalizeThumbprint(text: string): string {
  return text.replace(/[\s:]/g, '').toLowerCase();
}

export function summarize(der: Buffer): CertificateSummary {
  const x = new X509Certificate(der);
  return {
    thumbprint: thumbprintOf(der),
    subject: x.subject.split('\n').join(', '),
    validFrom: Date.parse(x.validFrom),
    validTo: Date.parse(x.validTo),
  };
}
