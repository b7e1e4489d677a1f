/**
 * The project file: one YAML document describing connections (devices) and tags.
 * Alarms, trends and instructions are added by later issues as further top-level sections.
 */
import { instructionsSectionSchema } from './instructions-section';
import { z } from 'zod';
import { displaySectionSchema } from './display-schema';

const id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z][A-Za-z0-9_.:-]*$/, 'must start with a letter and use only letters, digits, _ . : -');

import { wordOrders, type WordOrder } from '../../shared/modbus-address';
import { opcuaAcquisitionModes, opcuaSecurityModes, opcuaSecurityPolicies } from '../../shared/opcua';
import { alarmsSectionSchema } from './alarm-schema';
import { syncSectionSchema } from './sync-schema';
import { sparkplugSectionSchema } from './sparkplug-schema';
import { securitySectionSchema } from './security-schema';
import { productionSectionSchema } from './production-schema';
export { wordOrders, type WordOrder };

const deviceCommon = {
  id,
  name: z.string().min(1).max(200).optional(),
  /** per-request timeout: a device that does not answer in time is a communication failure */
  timeoutMs: z.number().int().min(50).max(60_000).default(1000),
  enabled: z.boolean().default(true),
};

export const modbusTcpDeviceSchema = z
  .object({
    ...deviceCommon,
    protocol: z.literal('modbus-tcp'),
    host: z.string().min(1),
    port: z.number().int().min(0).max(65535).default(502),
    unitId: z.number().int().min(0).max(255).default(1),
    /** default byte/word order of 32- and 64-bit values on this device */
    wordOrder: z.enum(wordOrders as [WordOrder, ...WordOrder[]]).default('ABCD'),
  })
  .strict();

export const opcuaDeviceSchema = z
  .object({
    ...deviceCommon,
    protocol: z.literal('opcua'),
    endpoint: z.string().regex(/^opc\.tcp:\/\/[^\s/]+(:\d+)?(\/.*)?$/, 'must be an opc.tcp:// URL'),
    /** subscription (default): the server reports changes; polling: one Read per scan */
    mode: z.enum(opcuaAcquisitionModes).default('subscription'),
    securityMode: z.enum(opcuaSecurityModes).default('None'),
    /** default: None without security, Basic256Sha256 with Sign or SignAndEncrypt */
    securityPolicy: z.enum(opcuaSecurityPolicies).optional(),
    /** user name and password; without a user name the session is anonymous */
    username: z.string().min(1).max(200).optional(),
    password: z.string().max(500).optional(),
    /** the environment variable holding the password, so that it stays out of the project file */
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name (letters, digits, _)')
      .optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (d.securityMode === 'None' && d.securityPolicy !== undefined && d.securityPolicy !== 'None') {
      issue('securityPolicy', `${d.securityPolicy} needs securityMode Sign or SignAndEncrypt`);
    }
    if (d.securityMode !== 'None' && d.securityPolicy === 'None') issue('securityPolicy', `securityMode ${d.securityMode} needs a policy other than None`);
    if (d.username === undefined && (d.password !== undefined || d.passwordEnv !== undefined)) issue('username', 'a password needs a username');
    if (d.password !== undefined && d.passwordEnv !== undefined) issue('passwordEnv', 'give password or passwordEnv, not both');
    if (d.username !== undefined && d.password === undefined && d.passwordEnv === undefined) issue('password', `username ${d.username} needs password or passwordEnv`);
  });

/**
 * Modbus RTU: one device per unit id. Devices naming the same `port` share one serial line
 * (one open port, one request at a time), so their line settings must agree.
 */
export const modbusRtuDeviceSchema = z
  .object({
    ...deviceCommon,
    protocol: z.literal('modbus-rtu'),
    /** serial device: /dev/ttyUSB0, /dev/serial/by-id/…, COM3 */
    port: z.string().min(1).max(500),
    baudRate: z.number().int().min(300).max(921_600).default(19200),
    parity: z.enum(['none', 'even', 'odd']).default('even'),
    /** RTU framing is 8 data bits by definition (7 is Modbus ASCII) */
    dataBits: z.literal(8).default(8),
    stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
    /** 1..247 on a serial line (0 is broadcast, which never answers) */
    unitId: z.number().int().min(1).max(247).default(1),
    wordOrder: z.enum(wordOrders as [WordOrder, ...WordOrder[]]).default('ABCD'),
    /** silence kept on the line between an answer and the next request; default 3.5 characters */
    interFrameDelayMs: z.number().min(0).max(1000).optional(),
  })
  .strict();

export const deviceSchema = z.discriminatedUnion('protocol', [modbusTcpDeviceSchema, modbusRtuDeviceSchema, opcuaDeviceSchema]);

export const dataTypes = ['bool', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64', 'string'] as const;

export const scalingSchema = z
  .object({
    rawMin: z.number(),
    rawMax: z.number(),
    engMin: z.number(),
    engMax: z.number(),
  })
  .strict()
  .refine((s) => s.rawMax !== s.rawMin, { message: 'rawMax must differ from rawMin', path: ['rawMax'] });

export const normalBandSchema = z
  .object({ low: z.number().optional(), high: z.number().optional() })
  .strict()
  .superRefine((n, ctx) => {
    if (n.low === undefined && n.high === undefined) ctx.addIssue({ code: 'custom', message: 'give low, high or both' });
    else if (n.low !== undefined && n.high !== undefined && !(n.low < n.high)) {
      ctx.addIssue({ code: 'custom', message: `low (${n.low}) must be below high (${n.high})` });
    }
  });

/** A local time of day, 24-hour "HH:MM". */
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const timeOfDay = z.string().regex(HH_MM, 'must be a time of day like "06:00" (HH:MM, 24 h)');

/** Local times at which shifts start, in order within the day. */
export const shiftsSchema = z
  .array(timeOfDay)
  .min(1, 'give at least one shift start')
  .max(6, 'at most 6 shifts a day')
  .superRefine((starts, ctx) => {
    for (let i = 1; i < starts.length; i++) {
      // (a start that is not HH:MM has its own issue; "HH:MM" strings compare as times)
      if (HH_MM.test(starts[i]) && HH_MM.test(starts[i - 1]) && starts[i] <= starts[i - 1]) {
        ctx.addIssue({ code: 'custom', path: [i], message: `${starts[i]} must be later than ${starts[i - 1]}: shift starts are listed in order within the day` });
      }
    }
  });

export const defaultShiftStarts = ['06:00', '14:00', '22:00'];

export const tagSchema = z
  .object({
    id,
    name: z.string().min(1).max(200).optional(),
    description: z.string().max(1000).default(''),
    device: id,
    /** Modbus: HR10, IR0, CO3, DI7, HR20.3 (bit 3) or 400011-style; OPC UA: a NodeId (ns=1;s=…) */
    address: z.string().min(1).max(500),
    dataType: z.enum(dataTypes),
    wordOrder: z.enum(wordOrders as [WordOrder, ...WordOrder[]]).optional(),
    /** Modbus strings: length in registers (2 characters each); at most one FC16 write (123) */
    length: z.number().int().min(1).max(123).optional(),
    units: z.string().max(40).default(''),
    scanMs: z.number().int().min(50).max(3_600_000).default(1000),
    scaling: scalingSchema.optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    decimals: z.number().int().min(0).max(9).default(1),
    /** the normal operating band (ISA-101), drawn behind the tag's trend pen */
    normal: normalBandSchema.optional(),
    writable: z.boolean().default(false),
    /** value → text for a state or code tag (ISA-101: "Running", not "2"): `{ 2: Running, 3: Faulted }` */
    states: z.record(z.string(), z.string().trim().min(1).max(60)).optional(),
    /** a boolean's words instead of ON / OFF: `{ on: Closed, off: Open }` */
    labels: z.object({ on: z.string().trim().min(1).max(30), off: z.string().trim().min(1).max(30) }).strict().optional(),
    /** tag writes need `tags.write` or `tags.write:<writeArea>` (docs/security.md) */
    writeArea: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,99}$/, 'an area name is a word').optional(),
    /** a retention class from `historian.retentionClasses` (default: historian.keepDays) */
    retention: z.string().optional(),
    /** OPC UA subscriptions: the server reports a change only beyond this deadband (DataChangeFilter) */
    opcuaDeadband: z
      .object({ type: z.enum(['absolute', 'percent']), value: z.number().positive() })
      .strict()
      .refine((d) => d.type === 'absolute' || d.value <= 100, { message: 'a percent deadband is at most 100', path: ['value'] })
      .optional(),
    /**
     * What reaches the historian: a sample is stored when it moved more than the deadband
     * (absolute, or percent of max − min) since the last stored one, when its quality changed,
     * and at least every heartbeatS seconds.
     */
    storage: z
      .object({
        deadband: z.number().nonnegative().optional(),
        deadbandPercent: z.number().min(0).max(100).optional(),
        heartbeatS: z.number().int().min(1).max(86_400).default(60),
      })
      .strict()
      .default({ heartbeatS: 60 }),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.states !== undefined && !INTEGER_TYPES.has(t.dataType)) ctx.addIssue({ code: 'custom', path: ['states'], message: `states name the values of a whole-number tag, not of a ${t.dataType}` });
    for (const key of Object.keys(t.states ?? {})) {
      if (!/^-?\d+$/.test(key)) ctx.addIssue({ code: 'custom', path: ['states', key], message: `"${key}" is not a value: a state is named by its whole number, e.g. 2: Running` });
    }
    if (t.labels !== undefined && t.dataType !== 'bool') ctx.addIssue({ code: 'custom', path: ['labels'], message: `labels are the words of a bool tag, not of a ${t.dataType}` });
  });

const INTEGER_TYPES: ReadonlySet<string> = new Set(['int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);

/** Days of history kept; null: until the disk quota needs the room. */
const keepDays = z.number().positive().max(36_500).nullable();

export const historianSectionSchema = z
  .object({
    /** default age limit for every tag */
    keepDays: keepDays.default(400),
    /** named classes (e.g. fast: 30, quality: 3650) that tags refer to with `retention:` */
    retentionClasses: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a class name is a word'), keepDays).default({}),
    /** the database is kept under this size by pruning the oldest data first */
    diskQuotaMb: z.number().int().min(16).max(10_000_000).nullable().default(null),
  })
  .strict();

export const projectSchema = z
  .object({
    version: z.literal(1),
    name: z.string().min(1).max(200),
    site: z.string().min(1).max(100).default('site'),
    line: z.string().min(1).max(100).default('line'),
    devices: z.array(deviceSchema).min(1),
    tags: z.array(tagSchema).min(1),
    /** alarm definitions and settings (docs/alarms.md) */
    alarms: alarmsSectionSchema.prefault({}),
    /** store-and-forward upstream: sinks and their settings (docs/sync.md) */
    sync: syncSectionSchema.prefault({}),
    /** the live tag values as a Sparkplug B edge node (docs/sparkplug.md); absent: off */
    sparkplug: sparkplugSectionSchema.prefault({}),
    /** how long history is kept (docs/database.md) */
    historian: historianSectionSchema.prefault({}),
    /** local times ("HH:MM") at which shifts start: trends offer "this shift" (docs/trends.md) */
    shifts: shiftsSchema.default(() => [...defaultShiftStarts]),
    /** roles, sign-in rules and the actions that need a signature (docs/security.md) */
    security: securitySectionSchema.prefault({}),
    instructions: instructionsSectionSchema,
    /** machine states, counters, products, downtime reasons (docs/production.md); none: no production KPIs */
    production: productionSectionSchema.optional(),
    /** date and time format on every screen, the Overview's machine graphic */
    display: displaySectionSchema.prefault({}),
  })
  .strict();

export type ProjectInput = z.input<typeof projectSchema>;
export type Project = z.output<typeof projectSchema>;
export type DeviceConfig = z.output<typeof deviceSchema>;
export type ModbusTcpDeviceConfig = z.output<typeof modbusTcpDeviceSchema>;
export type ModbusRtuDeviceConfig = z.output<typeof modbusRtuDeviceSchema>;
export type OpcUaDeviceConfig = z.output<typeof opcuaDeviceSchema>;
export type TagConfig = z.output<typeof tagSchema>;
export type Scaling = z.output<typeof scalingSchema>;
