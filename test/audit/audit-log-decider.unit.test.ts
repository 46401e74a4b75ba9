import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import { type AuditLogCommand, auditLogDecider } from '../../src/domain/audit/audit-log-decider.ts';
import { type ApiKeyCommand, apiKeyDecider } from '../../src/domain/identity/api-key-decider.ts';
import type { ApiScope } from '../../src/domain/shared/decider.ts';
import { anIntegration, anotherUser, asUser, by, freshHash, theSystem } from '../domain/support/actors.ts';
import { deciderSpec } from '../domain/support/decider-spec.ts';

const now = new Date('2025-03-01T09:00:00.000Z');
const record = (overrides: Partial<AuditLogCommand> = {}): AuditLogCommand => ({
  type: 'RecordAuditQuery',
  query: 'trace',
  arguments: { correlationId: 'req-1', after: null, first: 20 },
  resultCount: 3,
  ...overrides,
});

describe('the audit log decider', () => {
  const spec = deciderSpec(auditLogDecider);

  it('records an auditor`s, an admin`s and an audit:read key`s query under their actor id', () => {
    const auditorId = randomUUID();
    spec
      .given([])
      .when(record(), by(asUser(auditorId, 'auditor'), now))
      .then([
        {
          type: 'AuditQueryRecorded',
          data: {
            auditorId: `user:${auditorId}`,
            query: 'trace',
            arguments: { correlationId: 'req-1', after: null, first: 20 },
            resultCount: 3,
          },
        },
      ]);
    const key = anIntegration(auditorId, ['audit:read']);
    spec
      .given([])
      .when(record({ resultCount: 0 }), by(key, now))
      .then([
        {
          type: 'AuditQueryRecorded',
          data: {
            auditorId: key.kind === 'integration' ? `integration:${key.keyId}` : '',
            query: 'trace',
            arguments: { correlationId: 'req-1', after: null, first: 20 },
            resultCount: 0,
          },
        },
      ]);
  });

  it('refuses anyone else, and unbounded arguments', () => {
    for (const actor of [
      anotherUser('user'),
      anotherUser('creator'),
      anotherUser('moderator'),
      theSystem(),
    ]) {
      spec.given([]).when(record(), by(actor, now)).thenThrows('FORBIDDEN', 'AUDITOR_ONLY');
    }
    spec
      .given([])
      .when(record(), by(anIntegration(randomUUID(), ['graphql:read', 'events:read']), now))
      .thenThrows('FORBIDDEN', 'MISSING_SCOPE');
    spec
      .given([])
      .when(record({ arguments: { stream: 'x'.repeat(201) } }), by(anotherUser('admin'), now))
      .thenThrows('VALIDATION', 'INVALID_AUDIT_ARGUMENTS');
    spec
      .given([])
      .when(record({ resultCount: -1 }), by(anotherUser('auditor'), now))
      .thenThrows('VALIDATION', 'INVALID_RESULT_COUNT');
  });
});

describe('API keys with audit:read', () => {
  const spec = deciderSpec(apiKeyDecider);
  const create = (scopes: ApiScope[]): ApiKeyCommand => ({
    type: 'CreateApiKey',
    keyId: randomUUID(),
    name: 'audit tool',
    scopes,
    tokenHash: freshHash(),
    prefix: 'ck_test',
  });

  it('are minted only by auditors and admins: a key never holds more than its owner', () => {
    for (const role of ['user', 'creator', 'moderator'] as const) {
      spec
        .given([])
        .when(create(['audit:read']), by(anotherUser(role), now))
        .thenThrows('FORBIDDEN', 'AUDIT_SCOPE_NEEDS_AUDITOR');
    }
  });
});
