/**
 * The project file's `sparkplug:` section: the live tag values published as a Sparkplug B edge
 * node on the plant's MQTT broker (docs/sparkplug.md). Optional; absent means off. The live view
 * only: the store-and-forward streams (`sync:`, docs/sync.md) stay the record of truth.
 */
import { z } from 'zod';
import { checkTlsFiles, envName, tlsSchema } from './sync-schema';

/** A Sparkplug id (group, edge node, device): no MQTT wildcards, no topic separator. */
export const SPARKPLUG_ID = /^[^+#/\s]+$/;
const sparkplugId = z.string().min(1).max(100).regex(SPARKPLUG_ID, 'a Sparkplug id has no +, #, / or spaces');

export const sparkplugSectionSchema = z
  .object({
    enabled: z.boolean().default(false),
    url: z
      .string()
      .regex(/^mqtts?:\/\/[^\s/]+(:\d+)?\/?$/, 'must be mqtt://host[:port] or mqtts://host[:port]')
      .optional(),
    /** default: lineside-sparkplug-<groupId>-<edgeNodeId> (clean sessions: it need not be stable) */
    clientId: z.string().min(1).max(64).optional(),
    username: z.string().min(1).max(200).optional(),
    password: z.string().max(500).optional(),
    passwordEnv: envName.optional(),
    tls: tlsSchema.optional(),
    /** default: the project's `site` */
    groupId: sparkplugId.optional(),
    /** default: the project's `line` */
    edgeNodeId: sparkplugId.optional(),
    keepaliveS: z.number().int().min(5).max(600).default(30),
    /** changes within this window go in one DDATA per device (the latest value of each tag) */
    minPublishIntervalMs: z.number().int().min(0).max(60_000).default(200),
    /** the tags published (default: all of the project's tags) */
    tags: z.array(z.string().min(1)).min(1).optional(),
    /** a new connection is tried this long after the last one failed or dropped */
    reconnectS: z.number().min(0.1).max(600).default(2),
  })
  .strict()
  .superRefine((s, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (s.enabled && s.url === undefined) issue('url', 'an enabled Sparkplug sink needs the broker url (mqtt://host:port)');
    if (s.password !== undefined && s.passwordEnv !== undefined) issue('passwordEnv', 'give password or passwordEnv, not both');
    if (s.username === undefined && (s.password !== undefined || s.passwordEnv !== undefined)) issue('username', 'a password needs a username');
    if (s.tls !== undefined && s.url?.startsWith('mqtt://')) issue('tls', 'TLS settings need an mqtts:// URL');
    if (s.tags !== undefined && new Set(s.tags).size !== s.tags.length) issue('tags', 'a tag is listed twice');
  });

export type SparkplugSection = z.output<typeof sparkplugSectionSchema>;

/** What the section needs of the rest of the project. */
export interface SparkplugContext {
  site: string;
  line: string;
  sparkplug: SparkplugSection;
  tags: readonly { id: string; device: string }[];
}

/**
 * Checks that need the whole project: the ids used by default (site, line) are valid Sparkplug
 * ids (device and tag ids, which become device ids and metric names, are by their own schema),
 * the tags listed exist, TLS files can be read (made absolute, relative to `baseDir`).
 */
export function checkSparkplugReferences(p: SparkplugContext, baseDir: string): { path: (string | number)[]; message: string }[] {
  const s = p.sparkplug;
  if (!s.enabled) return [];
  const issues: { path: (string | number)[]; message: string }[] = [];
  if (s.groupId === undefined && !SPARKPLUG_ID.test(p.site)) issues.push({ path: ['site'], message: `"${p.site}" is not a Sparkplug group id (no +, #, / or spaces): set sparkplug.groupId` });
  if (s.edgeNodeId === undefined && !SPARKPLUG_ID.test(p.line)) issues.push({ path: ['line'], message: `"${p.line}" is not a Sparkplug edge node id (no +, #, / or spaces): set sparkplug.edgeNodeId` });
  const known = new Set(p.tags.map((t) => t.id));
  s.tags?.forEach((t, i) => {
    if (!known.has(t)) issues.push({ path: ['sparkplug', 'tags', i], message: `unknown tag "${t}"` });
  });
  if (s.tls) issues.push(...checkTlsFiles(s.tls, baseDir, ['sparkplug', 'tls']));
  return issues;
}
