import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_PUSH_HOSTS, parsePushHostEntry } from './domain/notifications/device-push-hosts.ts';
import { outboundPolicy, parseAllowEntry } from './net/outbound-policy.ts';

/**
 * Configuration comes from the environment only. Unset means "use the embedded default";
 * a value that is set but invalid stops start-up (see `ConfigError`).
 */
const url = (protocols: string[]) =>
  z.url().refine((value) => protocols.some((p) => value.startsWith(`${p}:`)), {
    message: `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`,
  });

/** A comma-separated list, entries trimmed, empty ones dropped. */
const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== ''),
);

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** A size in bytes, from one byte up to 1 TiB. */
const byteLimit = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .max(1024 * GiB)
    .default(fallback);

const schema = z.object({
  DATABASE_URL: url(['postgres', 'postgresql']).optional(),
  EVENTSTORE_CONNECTION_STRING: z
    .string()
    .regex(
      /^esdb(\+discover)?:\/\/\S+$/,
      'must be an EventStoreDB connection string (esdb://host:2113?tls=false)',
    )
    .optional(),
  REDIS_URL: url(['redis', 'rediss']).optional(),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[\w.-]+:\d{1,5}$/, 'must be host:port, e.g. localhost:7233')
    .optional(),
  /** Largest event (JSON data + metadata) the store accepts. */
  EVENTSTORE_MAX_EVENT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(1024 * 1024),
  // A key pasted with a space or line break in it would only fail at the first AI call.
  OPENAI_API_KEY: z.string().regex(/^\S+$/, 'must be a single token without whitespace').optional(),
  /** An OpenAI-compatible endpoint (Azure OpenAI, a local server); OpenAI's own when unset. */
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  OPENAI_MODEL: z.string().min(1).max(100).optional(),
  // Seals the access-token signing keys (and keys other MACs); unset means a random key kept in
  // DATA_DIR (see src/auth/auth-secret.ts).
  AUTH_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (e.g. the output of `openssl rand -hex 32`)')
    .optional(),
  /**
   * The API makes a new access-token signing key once the current one is this many days old
   * (MixerAI asks for 90); 0 leaves rotation to `chronicle keys rotate`.
   */
  KEY_ROTATION_DAYS: z.coerce.number().int().min(0).max(3650).default(90),
  PORT: z.coerce.number().int().min(1).max(65535).default(4000),
  /** GraphQL requests per minute per user, API key, or (anonymous) IP address. */
  API_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
  /** Sign-in attempts per minute per IP address. */
  API_LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(20),
  /**
   * Which proxies' X-Forwarded-For to believe for the client's address (rate limits, logs): a
   * number of hops, or a comma-separated list of proxy addresses/CIDRs. Unset: the socket's address.
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .regex(
      /^(\d{1,2}|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/,
      'must be a hop count or a list of addresses/CIDRs',
    )
    .transform((value) => (/^\d+$/.test(value) ? Number(value) : value.split(',').map((part) => part.trim())))
    .optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  /** Where the local object storage keeps media (originals and renditions); `<DATA_DIR>/media` when unset. */
  MEDIA_DIR: z.string().min(1).optional(),
  /** The largest upload `requestUpload` accepts per kind of media, in bytes. */
  MEDIA_MAX_VIDEO_BYTES: byteLimit(2 * GiB),
  MEDIA_MAX_IMAGE_BYTES: byteLimit(20 * MiB),
  MEDIA_MAX_AUDIO_BYTES: byteLimit(50 * MiB),
  MEDIA_MAX_FILE_BYTES: byteLimit(50 * MiB),
  /**
   * An S3-compatible bucket for media instead of MEDIA_DIR (see docs/storage.md). The endpoint is
   * the operator's own, so it is not held to the outbound rules webhooks are; it must be a URL.
   */
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3-63 of a-z, 0-9, dot, hyphen)')
    .optional(),
  S3_REGION: z
    .string()
    .regex(/^[a-z0-9-]{1,50}$/, 'must be a region name such as us-east-1')
    .default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().regex(/^\S+$/, 'must be a single token without whitespace').optional(),
  S3_SECRET_ACCESS_KEY: z.string().regex(/^\S+$/, 'must be a single token without whitespace').optional(),
  /** Path-style URLs (`endpoint/bucket/key`), as MinIO and SeaweedFS want; AWS takes either. */
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
    .transform((value) => value === 'true' || value === '1')
    .default(false),
  /** Where clients reach the bucket (a CDN or proxy); presigned URLs are made for it. */
  S3_PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** How long a mentor has to answer a match offer before the matching saga offers the next (24 h). */
  MATCH_OFFER_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(30 * 24 * 3_600_000)
    .default(86_400_000),
  // A key pasted with a space or line break in it would only fail at the first session scheduled.
  DAILY_API_KEY: z.string().regex(/^\S+$/, 'must be a single token without whitespace').optional(),
  /** Daily.co's REST API; another URL speaks for it in tests. */
  DAILY_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.daily.co/v1'),
  /** The projector anchors (audit Merkle root) as soon as this many events are unanchored. */
  AUDIT_ANCHOR_EVERY_EVENTS: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** ...or once the oldest unanchored event is this many minutes old (fractions allowed). */
  AUDIT_ANCHOR_EVERY_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(10),
  /** PEM Ed25519 private key that anchors are signed with (`chronicle audit keygen`); unsigned without. */
  AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /** Publish every anchor as a JSON line appended to this file (keep it off the database's machine). */
  AUDIT_PUBLISH_FILE: z.string().min(1).optional(),
  /** ...and/or POST it here as `{ "roots": [...] }`. */
  AUDIT_PUBLISH_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * Internal addresses outbound calls (webhook channels, the audit root webhook) may go to after
   * all: comma-separated addresses, CIDRs or host names. Unset: none (see docs/security.md).
   */
  OUTBOUND_ALLOW_INTERNAL: commaList
    .refine((entries) => entries.every((entry) => parseAllowEntry(entry) !== null), {
      message: 'must be a comma-separated list of addresses, CIDRs (10.0.0.0/8, fd00::/8) or host names',
    })
    .default([]),
  /**
   * The push services devices' Web Push endpoints may point at: comma-separated host names,
   * `*.domain` for any host under it, or `*` for any public host. Default: the browsers' own
   * (DEFAULT_PUSH_HOSTS). Hosts let through OUTBOUND_ALLOW_INTERNAL need no entry (docs/push.md).
   */
  PUSH_ALLOWED_HOSTS: commaList
    .refine((entries) => entries.every((entry) => parsePushHostEntry(entry) !== null), {
      message: 'must be a comma-separated list of host names, *.domain entries or *',
    })
    .transform((entries) => entries.map((entry) => parsePushHostEntry(entry) ?? entry))
    .default([...DEFAULT_PUSH_HOSTS]),
  /**
   * The VAPID key pair web push is signed with (RFC 8292), base64url as `web-push generate-vapid-keys`
   * prints it: both or neither. Unset: a pair made once and kept in `DATA_DIR/vapid-keys.json`.
   */
  VAPID_PUBLIC_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{87}$/, 'must be the base64url of an uncompressed P-256 public key (87 characters)')
    .optional(),
  VAPID_PRIVATE_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'must be the base64url of a P-256 private key (43 characters)')
    .optional(),
  /** Who push services may contact about this sender's pushes (RFC 8292): a mailto: or https: URL. */
  VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/, 'must be a mailto: or https: URL')
    .optional(),
  /**
   * The SMTP server notification and account e-mails go through (credentials in the URL). Unset:
   * `chronicle dev` uses the Mailpit it starts; other roles send no e-mail (see docs/email.md).
   */
  SMTP_URL: url(['smtp', 'smtps']).optional(),
  /** The From of every e-mail: `Name <address>` or a bare address. */
  EMAIL_FROM: z
    .string()
    .regex(
      /^([^<>\r\n"]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/,
      'must be an address or `Name <address>` (e.g. Chronicle <no-reply@example.org>)',
    )
    .default('Chronicle <no-reply@localhost>'),
  /** Where people reach the app: the base of links in e-mails. `http://localhost:<PORT>` when unset. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * The WebAuthn relying party id passkeys are bound to: the site's domain (e.g. `example.org`).
   * Unset: the host name of the first WEBAUTHN_ORIGIN. Changing it later orphans every passkey.
   */
  WEBAUTHN_RP_ID: z
    .string()
    .regex(
      /^(localhost|([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63})$/i,
      'must be a domain name such as example.org (no scheme, port or path)',
    )
    .transform((value) => value.toLowerCase())
    .optional(),
  /** The origins passkey ceremonies run on, comma-separated. Unset: PUBLIC_URL's origin, else `http://localhost:<PORT>`. */
  WEBAUTHN_ORIGIN: commaList
    .refine((entries) => entries.length > 0 && entries.every(isOrigin), {
      message:
        'must be origins such as https://app.example.org (scheme, host and port only), comma-separated',
    })
    .optional(),
  /** Introspection and field suggestions: on outside production, off in it unless set to on. */
  GRAPHQL_INTROSPECTION: z.enum(['on', 'off']).optional(),
  /** `GET /metrics` wants this bearer token; production serves no metrics without one. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unset: pretty on a terminal, JSON otherwise. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
});

/**
 * The operator's own audit webhook, yet held to the outbound rules (docs/security.md): an internal
 * URL fails at start-up rather than at the first anchor.
 */
const checkedSchema = schema.superRefine((config, context) => {
  checkS3(config, context);
  checkVapid(config, context);
  checkWebAuthn(config, context);
  const url = config.AUDIT_PUBLISH_WEBHOOK_URL;
  const refusal = url ? outboundPolicy(config.OUTBOUND_ALLOW_INTERNAL).urlRefusal(url) : null;
  if (refusal) {
    context.addIssue({
      code: 'custom',
      path: ['AUDIT_PUBLISH_WEBHOOK_URL'],
      message: `is refused: ${refusal.message} (list it in OUTBOUND_ALLOW_INTERNAL to allow it)`,
    });
  }
});

function isOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value.replace(/\/$/, '');
}

/**
 * Browsers only let an origin use an RP id that is its own host or a parent domain of it: any
 * other pair would fail every passkey ceremony, so it stops start-up instead.
 */
function checkWebAuthn(config: z.infer<typeof schema>, context: z.RefinementCtx): void {
  const rpId = config.WEBAUTHN_RP_ID;
  if (!rpId || !config.WEBAUTHN_ORIGIN) return;
  for (const origin of config.WEBAUTHN_ORIGIN) {
    const host = new URL(origin).hostname;
    if (host !== rpId && !host.endsWith(`.${rpId}`)) {
      context.addIssue({
        code: 'custom',
        path: ['WEBAUTHN_RP_ID'],
        message: `must be the host of ${origin} or a parent domain of it`,
      });
    }
  }
}

/** VAPID is a pair: one half alone would otherwise quietly be replaced by a generated pair. */
function checkVapid(config: z.infer<typeof schema>, context: z.RefinementCtx): void {
  const [given, missing] = config.VAPID_PUBLIC_KEY
    ? ['VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY']
    : ['VAPID_PRIVATE_KEY', 'VAPID_PUBLIC_KEY'];
  if ((config.VAPID_PUBLIC_KEY === undefined) !== (config.VAPID_PRIVATE_KEY === undefined)) {
    context.addIssue({ code: 'custom', path: [missing], message: `is required when ${given} is set` });
  }
}

/** S3 is all or nothing: half a configuration would otherwise quietly fall back to MEDIA_DIR. */
function checkS3(config: z.infer<typeof schema>, context: z.RefinementCtx): void {
  const required = ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;
  const optional = ['S3_PUBLIC_BASE_URL'] as const;
  const given = [...required, ...optional].filter((name) => config[name] !== undefined);
  if (given.length === 0) return;
  for (const name of required) {
    if (config[name] === undefined) {
      context.addIssue({
        code: 'custom',
        path: [name],
        message: `is required when ${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set (S3 storage)`,
      });
    }
  }
}

export type Config = Omit<z.infer<typeof schema>, 'DATA_DIR' | 'MEDIA_DIR' | 'PUBLIC_URL'> & {
  DATA_DIR: string;
  MEDIA_DIR: string;
  /** Without a trailing slash. */
  PUBLIC_URL: string;
};

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`Invalid configuration: ${issues.map((i) => `${i.variable} ${i.message}`).join('; ')}`);
  }
}

/** Empty strings count as unset, as shells and compose files often export `VAR=`. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = checkedSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '?'),
        message: issue.message,
      })),
    );
  }
  const dataDir = path.resolve(result.data.DATA_DIR);
  return {
    ...result.data,
    DATA_DIR: dataDir,
    MEDIA_DIR: result.data.MEDIA_DIR ? path.resolve(result.data.MEDIA_DIR) : path.join(dataDir, 'media'),
    PUBLIC_URL: (result.data.PUBLIC_URL ?? `http://localhost:${result.data.PORT}`).replace(/\/+$/, ''),
  };
}
