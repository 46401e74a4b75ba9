import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';

/** The audit queries whose every answer is recorded ("the watchers are watched"). */
export const AUDIT_QUERIES = ['history', 'aggregateAt', 'trace', 'actorActivity'] as const;
export type AuditQuery = (typeof AUDIT_QUERIES)[number];

/** Longest argument value kept; ids, cursors and instants all fit. */
export const MAX_ARGUMENT_LENGTH = 200;
/** Most arguments one query records. */
export const MAX_ARGUMENTS = 8;

/**
 * What the auditor asked for: stream names, ids, actor ids, instants and cursors only. They are
 * bounded and hold no personal data beyond ids, so the audit log needs no erasure of its own.
 */
export const auditQueryArguments = z
  .record(
    z.string().min(1).max(40),
    z.union([z.string().max(MAX_ARGUMENT_LENGTH), z.number().int(), z.null()]),
  )
  .refine((args) => Object.keys(args).length <= MAX_ARGUMENTS, `at most ${MAX_ARGUMENTS} arguments`);
export type AuditQueryArguments = z.infer<typeof auditQueryArguments>;

export const auditLogEventSchemas = {
  AuditQueryRecorded: z.object({
    /** `user:<id>` or `integration:<key id>`, as on the event's `actor` metadata. */
    auditorId: z.string().min(1).max(120),
    query: z.enum(AUDIT_QUERIES),
    arguments: auditQueryArguments,
    /** Events (history, trace, actorActivity) or states (aggregateAt: 0 or 1) the answer held. */
    resultCount: z.number().int().min(0),
  }),
};

type Schemas = typeof auditLogEventSchemas;
export type AuditLogEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];

/** Never published to integrators: who audits what is for auditors and admins only. */
export const auditLogEventCatalogue: EventCatalogue<AuditLogEvent> = {
  AuditQueryRecorded: {
    type: 'AuditQueryRecorded',
    schemaVersion: 1,
    schema: auditLogEventSchemas.AuditQueryRecorded,
  },
};
