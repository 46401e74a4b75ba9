/**
 * The write-side building blocks every bounded context uses (Emmett's shape): a decider is pure and
 * synchronous, so it is tested with given-events / when-command / then-events specs and no database.
 */

/** Who issues a command; recorded on every event as `user:<id>`, `system:<process>`, `integration:<key>`. */
export type Actor =
  | { kind: 'user'; userId: string; role: PlatformRole }
  | { kind: 'integration'; keyId: string; ownerId: string; scopes: readonly ApiScope[] }
  | { kind: 'system'; process: string }
  | { kind: 'anonymous' };

/** `auditor` reads the audit queries (history, time travel, traces) and nothing more than a user otherwise. */
export const PLATFORM_ROLES = ['user', 'creator', 'moderator', 'auditor', 'admin'] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

/** `audit:read`: the audit queries for an integrator (an auditing tool), recorded like an auditor's. */
export const API_SCOPES = ['events:read', 'graphql:read', 'graphql:write', 'audit:read'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export function actorId(actor: Actor): string {
  switch (actor.kind) {
    case 'user':
      return `user:${actor.userId}`;
    case 'integration':
      return `integration:${actor.keyId}`;
    case 'system':
      return `system:${actor.process}`;
    case 'anonymous':
      return 'anonymous';
  }
}

/** What a decision may depend on besides the command and the state: never the clock itself. */
export interface DecisionContext {
  actor: Actor;
  now: Date;
}

/** A domain event before it is stored: a type from the context's catalogue and its data. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

export interface Decider<Command, Event extends DomainEvent, State> {
  initialState: State;
  /** Returns a new state; ignores events it does not know. */
  evolve(state: State, event: Event): State;
  /** The events the command produces, or throws a DomainError. An empty array means "nothing to do". */
  decide(command: Command, state: State, context: DecisionContext): Event[];
}

export function fold<Event extends DomainEvent, State>(
  decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
  events: Iterable<Event>,
): State {
  let state = decider.initialState;
  for (const event of events) state = decider.evolve(state, event);
  return state;
}
