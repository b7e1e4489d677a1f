/**
 * The OPC UA engineering methods of the API: browse a server, list certificates, trust a
 * rejected server certificate. Trusting is an engineer's action and goes on record in the audit
 * trail with the signed-in user, the station and any signature.
 */
import { ApiError, type ParamsOf, type ResultOf } from '../../shared/api';
import { DriverError, type Driver } from '../drivers/driver';
import { InvalidNodeId } from '../drivers/opcua/opcua-browse';
import { OpcUaDriver } from '../drivers/opcua/opcua-driver';
import { CertificateNotFound } from '../drivers/opcua/opcua-pki';
import type { AuditRecord } from '../security/audit-trail';
import type { Clock } from '../util/clock';
import type { Caller } from '../security/caller';

type OpcUaMethod = 'opcua.browse' | 'opcua.certificates' | 'opcua.trustCertificate';
export type OpcUaHandlers = { [M in OpcUaMethod]: (p: ParamsOf<M>, c: Caller) => Promise<ResultOf<M>> };

export interface OpcUaApiDeps {
  drivers: ReadonlyMap<string, Driver>;
  record: (r: AuditRecord) => void;
  clock: Clock;
}

export function opcuaHandlers(deps: OpcUaApiDeps): OpcUaHandlers {
  const requireOpcUa = (deviceId: string): OpcUaDriver => {
    const d = deps.drivers.get(deviceId);
    if (!d) throw new ApiError({ code: 'not_found', message: `no enabled device "${deviceId}"`, context: { deviceId } });
    if (!(d instanceof OpcUaDriver)) throw new ApiError({ code: 'bad_request', message: `device "${deviceId}" is not an OPC UA device`, context: { deviceId } });
    return d;
  };
  const asApiError = (err: unknown, deviceId: string): unknown => {
    if (err instanceof ApiError) return err;
    if (err instanceof InvalidNodeId) return new ApiError({ code: 'bad_request', message: err.message, context: { deviceId, nodeId: err.nodeId } });
    if (err instanceof DriverError) return new ApiError({ code: 'unavailable', message: `device "${deviceId}" is not connected: ${err.message}`, context: { deviceId } });
    if (err instanceof Error && /BadNodeIdUnknown|BadNodeIdInvalid/.test(err.message)) return new ApiError({ code: 'not_found', message: err.message, context: { deviceId } });
    return err;
  };

  return {
    'opcua.browse': async (p) => {
      try {
        return await requireOpcUa(p.deviceId).browse(p.nodeId);
      } catch (err) {
        throw asApiError(err, p.deviceId);
      }
    },
    'opcua.certificates': async (p) => requireOpcUa(p.deviceId).certificates(),
    'opcua.trustCertificate': async (p, c) => {
      const driver = requireOpcUa(p.deviceId);
      const base = { ts: deps.clock.now(), user: c.actor.user, station: c.station, signatureId: c.signatureId, action: 'opcua.trustCertificate', target: p.deviceId, oldValue: null, newValue: p.thumbprint };
      try {
        const certificate = await driver.trustServerCertificate(p.thumbprint);
        deps.record({ ...base, newValue: certificate.thumbprint, outcome: 'done', detail: `trusted server certificate ${certificate.subject}` });
        return { deviceId: p.deviceId, certificate, trusted: true };
      } catch (err) {
        if (err instanceof CertificateNotFound) {
          deps.record({ ...base, outcome: 'refused', detail: err.message });
          throw new ApiError({
            code: 'not_found',
            message: `${err.message}: connect once with the secure mode so that the server certificate lands in pki/rejected`,
            context: { deviceId: p.deviceId, thumbprint: err.thumbprint },
          });
        }
        deps.record({ ...base, outcome: 'failed', detail: (err as Error).message });
        throw asApiError(err, p.deviceId);
      }
    },
  };
}
