/**
 * The project file's `sync:` section: where records go upstream (MQTT brokers, HTTP receivers,
 * several at once) and how (quota, bandwidth, batches, timeouts). docs/sync.md.
 *
 * Certificate and key files are checked when the project loads (they exist and can be read),
 * relative to the project file's folder, and handed on as absolute paths.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { syncStreamNames } from '../../shared/sync-api';

const sinkId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must start with a letter and use only letters, digits, _ and -');
export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name (letters, digits, _)');
const streams = z
  .array(z.enum(syncStreamNames))
  .min(1)
  .default([...syncStreamNames])
  .refine((s) => new Set(s).size === s.length, { message: 'a stream is listed twice' });

export const tlsSchema = z
  .object({
    /** CA certificate(s) the server's certificate must chain to (PEM); default: the system's */
    ca: z.string().min(1).max(1000).optional(),
    /** client certificate and its private key (PEM), for brokers/receivers that require one */
    cert: z.string().min(1).max(1000).optional(),
    key: z.string().min(1).max(1000).optional(),
    /** false accepts any server certificate: commissioning only */
    rejectUnauthorized: z.boolean().default(true),
  })
  .strict()
  .refine((t) => (t.cert === undefined) === (t.key === undefined), { message: 'a client certificate needs its key, and a key its certificate', path: ['key'] });

const mqttSinkSchema = z
  .object({
    id: sinkId,
    type: z.literal('mqtt'),
    url: z.string().regex(/^mqtts?:\/\/[^\s/]+(:\d+)?\/?$/, 'must be mqtt://host[:port] or mqtts://host[:port]'),
    /** default: lineside-<node>-<sink id>; must be stable (the broker keeps the session under it) */
    clientId: z.string().min(1).max(64).optional(),
    username: z.string().min(1).max(200).optional(),
    password: z.string().max(500).optional(),
    passwordEnv: envName.optional(),
    topicPrefix: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[^+#\s]+$/, 'no wildcards (+, #) or spaces')
      .default('lineside'),
    /** receiver: a receiver confirms what it committed (exactly-once); broker: the PUBACK is the ack */
    ack: z.enum(['receiver', 'broker']).default('receiver'),
    keepaliveS: z.number().int().min(5).max(600).default(30),
    tls: tlsSchema.optional(),
    streams,
  })
  .strict()
  .superRefine((s, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (s.password !== undefined && s.passwordEnv !== undefined) issue('passwordEnv', 'give password or passwordEnv, not both');
    if (s.username === undefined && (s.password !== undefined || s.passwordEnv !== undefined)) issue('username', 'a password needs a username');
    if (s.tls !== undefined && s.url.startsWith('mqtt://')) issue('tls', 'TLS settings need an mqtts:// URL');
  });

const httpSinkSchema = z
  .object({
    id: sinkId,
    type: z.literal('http'),
    url: z.string().regex(/^https?:\/\/[^\s/]+(:\d+)?(\/\S*)?$/, 'must be an http:// or https:// URL'),
    token: z.string().min(8, 'a token of at least 8 characters').max(500).optional(),
    tokenEnv: envName.optional(),
    timeoutS: z.number().int().min(1).max(600).default(30),
    tls: tlsSchema.optional(),
    streams,
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.token !== undefined && s.tokenEnv !== undefined) ctx.addIssue({ code: 'custom', path: ['tokenEnv'], message: 'give token or tokenEnv, not both' });
    if (s.tls !== undefined && s.url.startsWith('http://')) ctx.addIssue({ code: 'custom', path: ['tls'], message: 'TLS settings need an https:// URL' });
  });

export const syncSinkSchema = z.discriminatedUnion('type', [mqttSinkSchema, httpSinkSchema]);

export const syncSectionSchema = z
  .object({
    sinks: z.array(syncSinkSchema).max(8).default([]),
    /** the sample outbox's size limit; beyond it the oldest samples are dropped (a synced event says so) */
    outboxQuotaMB: z.number().positive().max(1_000_000).nullable().default(1024),
    /** per sink, so that a backlog does not saturate the link (null: no cap) */
    bandwidthBytesPerSecond: z.number().int().min(1000).nullable().default(null),
    batchMaxRecords: z.number().int().min(1).max(10_000).default(1000),
    batchMaxBytes: z.number().int().min(16_384).max(16 * 1024 * 1024).default(256 * 1024),
    /** samples committed within this window are live; older unsent ones go as backfill */
    liveWindowS: z.number().min(1).max(3600).default(10),
    /** a batch not acknowledged within this is sent again (doubling while none comes, up to 10×) */
    ackTimeoutS: z.number().min(1).max(3600).default(30),
    retry: z
      .object({ initialS: z.number().min(0.05).max(600).default(1), maxS: z.number().min(0.1).max(3600).default(60) })
      .strict()
      .prefault({}),
    /** the status turns abnormal when a sink is offline this long, or its oldest unsent record is this old */
    alertOfflineS: z.number().min(1).max(86_400).default(60),
    alertBacklogAgeS: z.number().min(1).max(30 * 86_400).default(300),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    const topics = new Map<string, string>();
    s.sinks.forEach((sink, i) => {
      if (seen.has(sink.id)) ctx.addIssue({ code: 'custom', path: ['sinks', i, 'id'], message: `duplicate sink id "${sink.id}"` });
      seen.add(sink.id);
      if (sink.type !== 'mqtt') return;
      // Two sinks on one broker and prefix would share one ack topic and take each other's acks.
      const key = `${sink.url.replace(/\/$/, '')} ${sink.topicPrefix}`;
      const other = topics.get(key);
      if (other !== undefined) ctx.addIssue({ code: 'custom', path: ['sinks', i, 'topicPrefix'], message: `sink "${other}" already uses ${sink.url} with topic prefix "${sink.topicPrefix}"` });
      topics.set(key, sink.id);
    });
    if (s.retry.maxS < s.retry.initialS) ctx.addIssue({ code: 'custom', path: ['retry', 'maxS'], message: 'maxS must be at least initialS' });
  });

export type SyncSection = z.output<typeof syncSectionSchema>;

/**
 * Checks the TLS files of every sink (exist, are files, can be read) and makes their paths
 * absolute (relative ones are relative to `baseDir`, the project file's folder).
 */
export function checkSyncFiles(section: SyncSection, baseDir: string): { path: (string | number)[]; message: string }[] {
  return section.sinks.flatMap((sink, i) => (sink.tls ? checkTlsFiles(sink.tls, baseDir, ['sync', 'sinks', i, 'tls']) : []));
}

export type TlsSettings = z.output<typeof tlsSchema>;

/** One `tls:` block's files (exist, are files, can be read), made absolute in place; issues under `at`. */
export function checkTlsFiles(tls: TlsSettings, baseDir: string, at: (string | number)[]): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  for (const key of ['ca', 'cert', 'key'] as const) {
    const given = tls[key];
    if (given === undefined) continue;
    const file = isAbsolute(given) ? given : resolve(baseDir, given);
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      accessSync(file, constants.R_OK);
      tls[key] = file;
    } catch (err) {
      const code = (err as { code?: string }).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'cannot be read (permissions)' : (err as Error).message;
      issues.push({ path: [...at, key], message: `${file}: ${why}` });
    }
  }
  return issues;
}
