import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  type ECDH,
  hkdfSync,
  randomBytes,
  randomUUID,
  verify,
} from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real Web Push service on 127.0.0.1, standing in for FCM, Mozilla's autopush or Apple's. It does
 * what they do with a message before accepting it, so a test passes only if the sender really
 * speaks the protocol:
 *
 * - the VAPID `Authorization: vapid t=<JWT>, k=<public key>` header (RFC 8292): an ES256 JWT whose
 *   signature verifies against `k`, `aud` the endpoint's origin, `exp` in the future and at most
 *   24 h ahead, `sub` a mailto: or https: URL; and, when the subscription was made with an
 *   `applicationServerKey`, `k` must be that key (403 otherwise, as browsers' services answer);
 * - a `TTL` header (RFC 8030) and `Content-Encoding: aes128gcm`;
 * - the body decrypted with the subscription's private key and auth secret (RFC 8291 over RFC
 *   8188's record framing), its padding checked, and the plaintext parsed as JSON.
 *
 * A message that fails any of it is answered 400/401/403 and kept in `rejected` with the reason;
 * one that passes is answered as the subscription is scripted (201 by default) and kept in
 * `attempts`, and also in `received` when the answer was 2xx (it was "delivered").
 *
 * ```ts
 * const push = await startPushService();
 * const subscription = push.createPushSubscription();           // endpoint + keys, as a browser's
 * subscription.respondWith(responses.sequence({ status: 500, retryAfter: '1' }, { status: 201 }));
 * …send…
 * const [message] = await push.waitForMessages(1);               // { endpointId, payload, headers }
 * await push.stop();
 * ```
 */
export interface PushServiceMessage {
  endpointId: string;
  /** The decrypted plaintext, parsed as JSON. */
  payload: unknown;
  /** The request's headers (TTL, Urgency, Topic, Authorization …). */
  headers: IncomingHttpHeaders;
  /** The status it was answered with. */
  status: number;
  receivedAt: Date;
}

export interface RejectedPush {
  endpointId: string;
  status: number;
  reason: string;
}

/** How the service answers one message: a status, with Retry-After, after a delay ("slow"). */
export interface PushResponse {
  status: number;
  retryAfter?: string;
  /** Answer only after this long (a slow push service; the sender's timeout should give up first). */
  delayMs?: number;
}

/** Decides the answer to the `attempt`-th valid message (0-based) this subscription receives. */
export type PushResponder = (attempt: number) => PushResponse;

export const responses = {
  always:
    (response: PushResponse | number): PushResponder =>
    () =>
      typeof response === 'number' ? { status: response } : response,
  /** The answers in turn; the last one repeats. */
  sequence:
    (...answers: PushResponse[]): PushResponder =>
    (attempt) =>
      answers[Math.min(attempt, answers.length - 1)] ?? { status: 201 },
};

export interface TestPushSubscription {
  endpointId: string;
  endpoint: string;
  /** As `PushSubscription.toJSON().keys`: base64url. */
  keys: { p256dh: string; auth: string };
  /** The same, flattened as the device registry and the push sender take it. */
  p256dh: string;
  auth: string;
  respondWith(responder: PushResponder): void;
}

export interface SubscriptionOptions {
  /** Answers 201 to everything by default. */
  responder?: PushResponder;
  /** The VAPID public key (base64url) the "browser" subscribed with; other keys are refused 403. */
  applicationServerKey?: string;
}

export interface PushService {
  /** `http://127.0.0.1:<port>`: list 127.0.0.1 in the outbound allow-list to reach it. */
  readonly origin: string;
  createPushSubscription(options?: SubscriptionOptions): TestPushSubscription;
  /** Messages accepted with a 2xx, in arrival order. */
  readonly received: readonly PushServiceMessage[];
  /** Every message that passed the checks, whatever it was answered. */
  readonly attempts: readonly PushServiceMessage[];
  readonly rejected: readonly RejectedPush[];
  /** Resolves once `count` messages were accepted (of one endpoint, when given). */
  waitForMessages(
    count: number,
    options?: { endpointId?: string; timeoutMs?: number },
  ): Promise<PushServiceMessage[]>;
  stop(): Promise<void>;
}

interface Endpoint {
  id: string;
  ecdh: ECDH;
  publicKey: Buffer;
  authSecret: Buffer;
  applicationServerKey: string | undefined;
  responder: PushResponder;
  attempts: number;
}

const MAX_BODY_BYTES = 8 * 1024;

export async function startPushService(): Promise<PushService> {
  const endpoints = new Map<string, Endpoint>();
  const received: PushServiceMessage[] = [];
  const attempts: PushServiceMessage[] = [];
  const rejected: RejectedPush[] = [];
  const waiters = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  let origin = '';

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(String(error));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const match = /^\/push\/([0-9a-f-]{36})$/.exec(request.url ?? '');
    const endpoint = match?.[1] ? endpoints.get(match[1]) : undefined;
    const body = await readBody(request);
    if (request.method !== 'POST' || !endpoint) return void response.writeHead(404).end();
    const refuse = (status: number, reason: string) => {
      rejected.push({ endpointId: endpoint.id, status, reason });
      response.writeHead(status, { 'content-type': 'text/plain' }).end(reason);
    };
    const vapid = checkVapid(request.headers.authorization, origin, endpoint.applicationServerKey);
    if (vapid) return refuse(vapid.status, vapid.reason);
    if (!/^\d+$/.test(String(request.headers.ttl ?? ''))) return refuse(400, 'missing or invalid TTL');
    if (request.headers['content-encoding'] !== 'aes128gcm') return refuse(415, 'not aes128gcm');
    let payload: unknown;
    try {
      payload = JSON.parse(decrypt(body, endpoint).toString('utf8'));
    } catch (error) {
      return refuse(400, `cannot decrypt: ${error instanceof Error ? error.message : String(error)}`);
    }
    const answer = endpoint.responder(endpoint.attempts++);
    if (answer.delayMs) await delay(answer.delayMs);
    if (request.socket.destroyed) return;
    const message = {
      endpointId: endpoint.id,
      payload,
      headers: request.headers,
      status: answer.status,
      receivedAt: new Date(),
    };
    attempts.push(message);
    if (answer.status >= 200 && answer.status < 300) received.push(message);
    response
      .writeHead(answer.status, {
        ...(answer.retryAfter ? { 'retry-after': answer.retryAfter } : {}),
        ...(answer.status === 201 ? { location: `${origin}/message/${randomUUID()}` } : {}),
      })
      .end();
    for (const wake of waiters) wake();
  }

  function delay(ms: number) {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    received,
    attempts,
    rejected,
    createPushSubscription(options = {}) {
      // What a browser does on PushManager.subscribe(): a fresh P-256 pair and 16-byte auth secret.
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const endpoint: Endpoint = {
        id: randomUUID(),
        ecdh,
        publicKey: ecdh.getPublicKey(),
        authSecret: randomBytes(16),
        applicationServerKey: options.applicationServerKey,
        responder: options.responder ?? responses.always(201),
        attempts: 0,
      };
      endpoints.set(endpoint.id, endpoint);
      const keys = {
        p256dh: endpoint.publicKey.toString('base64url'),
        auth: endpoint.authSecret.toString('base64url'),
      };
      return {
        endpointId: endpoint.id,
        endpoint: `${origin}/push/${endpoint.id}`,
        keys,
        ...keys,
        respondWith(responder) {
          endpoint.responder = responder;
        },
      };
    },
    waitForMessages(count, options = {}) {
      const timeoutMs = options.timeoutMs ?? 10_000;
      const matching = () =>
        received.filter((m) => options.endpointId === undefined || m.endpointId === options.endpointId);
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = matching();
          if (found.length < count) return;
          finish();
          resolve(found);
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(`expected ${count} push messages within ${timeoutMs} ms, got ${matching().length}`),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** RFC 8292: `vapid t=<JWT>, k=<key>`; null when it holds, else the status a push service answers. */
function checkVapid(
  header: string | undefined,
  audience: string,
  applicationServerKey: string | undefined,
): { status: number; reason: string } | null {
  const params = /^vapid\s+(.+)$/i.exec(header ?? '')?.[1];
  if (!params) return { status: 401, reason: 'no VAPID authorization' };
  const fields = new Map(
    params.split(',').map((part) => {
      const [name = '', ...value] = part.trim().split('=');
      return [name.trim(), value.join('=').trim()] as const;
    }),
  );
  const token = fields.get('t');
  const key = fields.get('k');
  if (!token || !key) return { status: 401, reason: 'VAPID authorization without t or k' };
  const point = Buffer.from(key, 'base64url');
  if (point.length !== 65 || point[0] !== 4) return { status: 401, reason: 'k is not a P-256 public key' };
  const [header64 = '', claims64 = '', signature64 = ''] = token.split('.');
  const header_ = parseJson(header64);
  if (header_?.alg !== 'ES256') return { status: 401, reason: 'the JWT is not ES256' };
  const publicKey = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  const signed = verify(
    'sha256',
    Buffer.from(`${header64}.${claims64}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature64, 'base64url'),
  );
  if (!signed) return { status: 401, reason: 'the JWT signature does not verify against k' };
  const claims = parseJson(claims64);
  const now = Date.now() / 1000;
  if (claims?.aud !== audience) return { status: 401, reason: `aud is not ${audience}` };
  if (typeof claims.exp !== 'number' || claims.exp <= now || claims.exp > now + 24 * 3600 + 60) {
    return { status: 401, reason: 'exp is not within the next 24 hours' };
  }
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub)) {
    return { status: 401, reason: 'sub is not a mailto: or https: URL' };
  }
  if (applicationServerKey !== undefined && applicationServerKey !== key) {
    return { status: 403, reason: 'k is not the key the subscription was made with' };
  }
  return null;
}

function parseJson(base64url: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(base64url, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * RFC 8291 (message encryption for Web Push) over RFC 8188 (aes128gcm): the header carries the
 * salt, the record size and the sender's ephemeral public key; the content key and nonce come from
 * the ECDH secret and the subscription's auth secret through HKDF-SHA-256.
 */
function decrypt(body: Buffer, endpoint: Endpoint): Buffer {
  if (body.length < 21) throw new Error('shorter than the aes128gcm header');
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body.readUInt8(20);
  const senderKey = body.subarray(21, 21 + idLength);
  if (idLength !== 65) throw new Error('the key id is not a P-256 public key');
  if (recordSize < 18) throw new Error('record size below 18');
  const shared = endpoint.ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), endpoint.publicKey, senderKey]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, endpoint.authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const content = body.subarray(21 + idLength);
  if (content.length === 0) throw new Error('no records');
  const plain: Buffer[] = [];
  for (let offset = 0, sequence = 0; offset < content.length; offset += recordSize, sequence++) {
    const record = content.subarray(offset, offset + recordSize);
    const last = offset + recordSize >= content.length;
    const iv = Buffer.from(nonce);
    // The record's sequence number is XORed into the nonce's low bytes (RFC 8188 §2.3).
    iv.writeUInt32BE((iv.readUInt32BE(8) ^ sequence) >>> 0, 8);
    const decipher = createDecipheriv('aes-128-gcm', cek, iv);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end--;
    if (padded[end] !== (last ? 2 : 1)) throw new Error('bad padding delimiter');
    plain.push(padded.subarray(0, end));
  }
  return Buffer.concat(plain);
}
