/**
 * A sync device as bench:sync drives it: one `sync` over GraphQL or one `POST /sync` in NDJSON,
 * each answered in the same shape (outcome statuses and record ops lower-cased), with the bytes of
 * the reply's body. A refusal of the whole request throws: a benchmark measuring refusals would
 * measure nothing.
 */
import { z } from 'zod';

export interface PushChange {
  changeId: string;
  type: string;
  entityId: string;
  baseVersion: number;
  clientTime: string;
  payload: Record<string, unknown>;
}

export interface SyncRequest {
  deviceId: string;
  cursor?: string | null;
  snapshotToken?: string | null;
  deviceTime?: string;
  changes?: readonly PushChange[];
}

const outcome = z.object({
  changeId: z.string(),
  status: z.string().transform((s) => s.toLowerCase()),
  version: z.number().nullish(),
  value: z.record(z.string(), z.unknown()).nullish(),
  conflictId: z.string().nullish(),
  error: z.object({ code: z.string(), category: z.string(), message: z.string() }).nullish(),
  clientTimeClamped: z.boolean().nullish(),
});
const record = z.object({
  position: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  version: z.number(),
  op: z.string().transform((s) => s.toLowerCase()),
  data: z.record(z.string(), z.unknown()).nullish(),
});
const tail = z.object({
  cursor: z.string(),
  hasMore: z.boolean(),
  reseed: z.object({ reason: z.string(), nextSnapshotToken: z.string().nullish() }).nullish(),
  serverTime: z.string(),
  clockSkewMs: z.number(),
});

export type SyncOutcomeReply = z.infer<typeof outcome>;
export type SyncRecordReply = z.infer<typeof record>;
export interface SyncReply extends z.infer<typeof tail> {
  outcomes: SyncOutcomeReply[];
  changes: SyncRecordReply[];
  /** The reply body's bytes (the API does not compress). */
  bytes: number;
}

export const SYNC_MUTATION = `mutation Sync($input: SyncInput!) {
  sync(input: $input) {
    outcomes { changeId status version value conflictId error { code category message details } clientTimeClamped }
    changes { position entityType entityId version op data }
    cursor hasMore reseed { reason nextSnapshotToken } serverTime clockSkewMs
  }
}`;

const graphqlReply = z.object({
  data: z.object({ sync: tail.extend({ outcomes: z.array(outcome), changes: z.array(record) }) }).nullable(),
  errors: z.unknown().optional(),
});

export async function syncGraphql(baseUrl: string, token: string, input: SyncRequest): Promise<SyncReply> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: SYNC_MUTATION,
      variables: { input: { ...input, changes: input.changes ?? [] } },
    }),
  });
  const body = Buffer.from(await response.arrayBuffer());
  const parsed = graphqlReply.parse(JSON.parse(body.toString('utf8')));
  if (parsed.errors || !parsed.data) {
    throw new Error(`sync refused (HTTP ${response.status}): ${JSON.stringify(parsed.errors).slice(0, 500)}`);
  }
  return { ...parsed.data.sync, bytes: body.length };
}

/** The NDJSON form: the header line, then one change per line; the reply read line by line. */
export async function syncNdjson(baseUrl: string, token: string, input: SyncRequest): Promise<SyncReply> {
  const { changes = [], ...header } = input;
  const lines = [JSON.stringify(header), ...changes.map((change) => JSON.stringify(change))];
  const response = await fetch(`${baseUrl}/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` },
    body: `${lines.join('\n')}\n`,
  });
  const body = Buffer.from(await response.arrayBuffer());
  const text = body.toString('utf8');
  if (!response.ok) throw new Error(`POST /sync refused (HTTP ${response.status}): ${text.slice(0, 500)}`);
  const outcomes: SyncOutcomeReply[] = [];
  const records: SyncRecordReply[] = [];
  let last: z.infer<typeof tail> | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const value = z.record(z.string(), z.unknown()).parse(JSON.parse(line));
    if ('outcome' in value) outcomes.push(outcome.parse(value.outcome));
    else if ('change' in value) records.push(record.parse(value.change));
    // The re-seed line before the records (the trailer repeats it).
    else if ('reseed' in value && !('cursor' in value)) continue;
    else if ('error' in value) throw new Error(`POST /sync failed mid-reply: ${line.slice(0, 500)}`);
    else last = tail.parse(value);
  }
  if (!last) throw new Error(`POST /sync: the reply has no last line: ${text.slice(-500)}`);
  return { ...last, outcomes, changes: records, bytes: body.length };
}

export type SyncForm = 'graphql' | 'ndjson';
export const syncVia = (form: SyncForm) => (form === 'graphql' ? syncGraphql : syncNdjson);
