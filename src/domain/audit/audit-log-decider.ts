import type { Actor, Decider } from '../shared/decider.ts';
import { actorId } from '../shared/decider.ts';
import { forbidden, validation } from '../shared/domain-error.ts';
import {
  type AuditLogEvent,
  type AuditQuery,
  type AuditQueryArguments,
  auditLogEventCatalogue,
  auditQueryArguments,
} from './audit-log-events.ts';

/** One stream per auditor: `auditlog-<user id>` or `auditlog-<API key id>`. */
export const auditLogStream = (auditorUuid: string) => `auditlog-${auditorUuid}`;

export type AuditLogCommand = {
  type: 'RecordAuditQuery';
  query: AuditQuery;
  arguments: AuditQueryArguments;
  resultCount: number;
};

export interface AuditLogState {
  /** Queries recorded so far. */
  queries: number;
}

/** Auditors and admins signed in, or an API key with `audit:read`. */
export function mayAudit(actor: Actor): boolean {
  if (actor.kind === 'user') return actor.role === 'auditor' || actor.role === 'admin';
  return actor.kind === 'integration' && actor.scopes.includes('audit:read');
}

export function requireAuditor(actor: Actor): void {
  if (mayAudit(actor)) return;
  if (actor.kind === 'integration') {
    throw forbidden('MISSING_SCOPE', 'This API key lacks the audit:read scope', { scope: 'audit:read' });
  }
  throw forbidden('AUDITOR_ONLY', 'Only auditors and admins can run audit queries');
}

/** The uuid an auditor's log stream is named after. */
export function auditorUuid(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId;
  if (actor.kind === 'integration') return actor.keyId;
  throw forbidden('AUDITOR_ONLY', 'Only auditors and admins can run audit queries');
}

export const auditLogDecider: Decider<AuditLogCommand, AuditLogEvent, AuditLogState> = {
  initialState: { queries: 0 },
  evolve(state, event) {
    return event.type === 'AuditQueryRecorded' ? { queries: state.queries + 1 } : state;
  },
  decide(command, _state, { actor }) {
    switch (command.type) {
      case 'RecordAuditQuery': {
        requireAuditor(actor);
        const args = auditQueryArguments.safeParse(command.arguments);
        if (!args.success) throw validation('INVALID_AUDIT_ARGUMENTS', 'Audit query arguments are unbounded');
        if (!Number.isInteger(command.resultCount) || command.resultCount < 0) {
          throw validation('INVALID_RESULT_COUNT', 'A result count is a whole number, at least 0');
        }
        return [
          {
            type: 'AuditQueryRecorded',
            data: {
              auditorId: actorId(actor),
              query: command.query,
              arguments: args.data,
              resultCount: command.resultCount,
            },
          },
        ];
      }
      default: {
        const unknown: never = command.type;
        throw new Error(`Unknown audit log command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

/** The audit log aggregate as the command pipeline takes it (an `AggregateSpec`). */
export const auditLogAggregate = { decider: auditLogDecider, catalogue: auditLogEventCatalogue };
