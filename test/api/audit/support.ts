import { expect } from 'vitest';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { fieldOf, type GraphQLResponse, type IdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, signIn, type TestUser } from '../support/identity-operations.ts';

/** The audit queries, selecting every field an auditor gets. */
export const EVENT_FIELDS = `position streamName revision id type actor commandId correlationId causationId
  occurredAt recordedAt schemaVersion hash data decodeError`;
const CONNECTION = `edges { cursor node { ${EVENT_FIELDS} } } pageInfo { hasNextPage hasPreviousPage endCursor } totalCount`;

export const HISTORY = `query ($stream: String!, $after: String, $first: Int) {
  history(stream: $stream, after: $after, first: $first) { ${CONNECTION} } }`;
export const AGGREGATE_AT = `query ($category: String!, $id: ID!, $revision: String, $at: String) {
  aggregateAt(category: $category, id: $id, revision: $revision, at: $at) {
    category id stream revision position occurredAt hash state snapshotRevision } }`;
export const TRACE = `query ($correlationId: String!, $first: Int, $after: String) {
  trace(correlationId: $correlationId, first: $first, after: $after) { ${CONNECTION} } }`;
export const ACTOR_ACTIVITY = `query ($actor: String!, $from: String, $to: String, $first: Int, $after: String) {
  actorActivity(actor: $actor, from: $from, to: $to, first: $first, after: $after) { ${CONNECTION} } }`;
export const SET_ROLE = 'mutation ($id: ID!, $role: Role!) { setRole(userId: $id, role: $role) { id role } }';

export interface AuditEventView {
  position: string;
  streamName: string;
  revision: string;
  id: string;
  type: string;
  actor: string | null;
  commandId: string | null;
  correlationId: string | null;
  causationId: string | null;
  occurredAt: string;
  recordedAt: string;
  schemaVersion: number;
  hash: string;
  data: Record<string, unknown> | null;
  decodeError: string | null;
}

export interface AuditConnection {
  edges: { cursor: string; node: AuditEventView }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  totalCount: number;
}

export interface AggregateStateView {
  category: string;
  id: string;
  stream: string;
  revision: string | null;
  position: string | null;
  occurredAt: string | null;
  hash: string | null;
  state: Record<string, unknown>;
  snapshotRevision: string | null;
}

export const nodesOf = (connection: AuditConnection) => connection.edges.map((edge) => edge.node);

/** A user an admin made an auditor through `setRole`, signed in again so the token says so. */
export async function makeAuditor(api: IdentityApp, admin: TestUser, role = 'auditor'): Promise<TestUser> {
  const user = await registerAndSignIn(api, 'Ada Auditor');
  fieldOf(await api.gql(SET_ROLE, { id: user.id, role }, admin.accessToken), 'setRole');
  const { accessToken, refreshToken } = await signIn(api, user.email);
  return { ...user, accessToken, refreshToken };
}

/** Until the audit index has every event stored so far (trace and actorActivity read it). */
export async function auditIndexCaughtUp(api: IdentityApp): Promise<void> {
  const { rows } = await api.runtime.pool.query<{ head: string | null }>(
    'select max(position)::text as head from es_events',
  );
  const head = rows[0]?.head;
  if (!head) return;
  const reached = await waitForPosition(api.runtime.pool, api.runtime.bus, BigInt(head), {
    timeoutMs: 10_000,
    projections: ['audit_index'],
  });
  expect(reached).toBe(true);
}

/** Every page of a connection query, following endCursor. */
export async function allPages(
  api: IdentityApp,
  query: string,
  field: string,
  variables: Record<string, unknown>,
  token: string,
): Promise<{ nodes: AuditEventView[]; pages: number }> {
  const nodes: AuditEventView[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const response: GraphQLResponse = await api.gql(query, { ...variables, after }, token);
    const page = fieldOf<AuditConnection>(response, field);
    pages++;
    nodes.push(...nodesOf(page));
    if (!page.pageInfo.hasNextPage) return { nodes, pages };
    after = page.pageInfo.endCursor;
  }
}
