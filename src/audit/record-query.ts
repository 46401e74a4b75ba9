import { randomUUID } from 'node:crypto';
import { handleCommand } from '../commands/handle-command.ts';
import { auditLogAggregate, auditLogStream, auditorUuid } from '../domain/audit/audit-log-decider.ts';
import type { AuditQuery, AuditQueryArguments } from '../domain/audit/audit-log-events.ts';
import type { RequestContext, ServiceDeps } from '../services/shared/command-context.ts';
import { envelope, nowFrom } from '../services/shared/command-context.ts';

export interface RecordedQuery {
  query: AuditQuery;
  arguments: AuditQueryArguments;
  resultCount: number;
}

/**
 * Appends `AuditQueryRecorded` to the auditor's `auditlog-<id>` stream through the command
 * pipeline. Callers await it before answering: a query that could not be recorded is not answered.
 * It waits for no read model (nothing the auditor reads next depends on one).
 */
export async function recordAuditQuery(
  deps: Pick<ServiceDeps, 'store' | 'codec' | 'log' | 'clock' | 'observeCommand'>,
  context: RequestContext,
  recorded: RecordedQuery,
): Promise<void> {
  const stream = auditLogStream(auditorUuid(context.actor));
  await handleCommand(
    deps,
    auditLogAggregate,
    stream,
    envelope(context, randomUUID(), nowFrom(deps), { type: 'RecordAuditQuery', ...recorded }),
  );
}
