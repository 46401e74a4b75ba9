import { expect } from 'vitest';
import {
  type Decider,
  type DecisionContext,
  type DomainEvent,
  fold,
} from '../../../src/domain/shared/decider.ts';
import { DomainError, type ErrorCode } from '../../../src/domain/shared/domain-error.ts';

/**
 * Given-events / when-command / then-events specs for a pure decider (Emmett's shape):
 *
 *   const spec = deciderSpec(userDecider);
 *   spec.given([registered]).when(command, context).then([expectedEvent]);
 *   spec.given([]).when(command, context).thenThrows('NOT_FOUND', 'USER_NOT_FOUND');
 *
 * The history and every state folded from it are frozen, so a `decide` or an `evolve` that mutates
 * what it is given fails the spec instead of passing by accident.
 */
export interface DeciderSpecification<Command, Event extends DomainEvent> {
  given(events: readonly Event[]): {
    when(command: Command, context: DecisionContext): DecisionExpectations<Event>;
  };
}

export interface DecisionExpectations<Event extends DomainEvent> {
  /** The command produces exactly these events, in this order. */
  then(expected: readonly Event[]): void;
  /** The command is rejected with a DomainError carrying this code and reason. */
  thenThrows(code: ErrorCode, reason: string): void;
  /** The command is accepted and changes nothing (an idempotent repeat). */
  thenNothing(): void;
}

export function deciderSpec<Command, Event extends DomainEvent, State>(
  decider: Decider<Command, Event, State>,
): DeciderSpecification<Command, Event> {
  return {
    given: (history) => ({
      when: (command, context) => {
        const decide = (): Outcome<Event> => {
          const state = fold(
            {
              initialState: deepFreeze(structuredClone(decider.initialState)),
              evolve: (previous, event) => deepFreeze(decider.evolve(previous, event)),
            },
            deepFreeze(structuredClone(history)),
          );
          try {
            return { kind: 'decided', events: decider.decide(command, state, context) };
          } catch (error) {
            return { kind: 'threw', error };
          }
        };
        return {
          // biome-ignore lint/suspicious/noThenProperty: given/when/then is the vocabulary of the spec; never awaited.
          then(expected) {
            expect(eventsOf(decide())).toEqual(expected);
          },
          thenThrows(code, reason) {
            const outcome = decide();
            if (outcome.kind === 'decided') {
              expect.unreachable(`expected ${code} ${reason}, but decided ${JSON.stringify(outcome.events)}`);
            }
            expect(outcome.error).toBeInstanceOf(DomainError);
            expect(outcome.error).toMatchObject({ code, reason });
          },
          thenNothing() {
            expect(eventsOf(decide())).toEqual([]);
          },
        };
      },
    }),
  };
}

type Outcome<Event> = { kind: 'decided'; events: Event[] } | { kind: 'threw'; error: unknown };

function eventsOf<Event>(outcome: Outcome<Event>): Event[] {
  if (outcome.kind === 'decided') return outcome.events;
  const { error } = outcome;
  const description =
    error instanceof DomainError ? `${error.code} ${error.reason} (${error.message})` : String(error);
  return expect.unreachable(`expected a decision, but the decider threw ${description}`);
}

function deepFreeze<Value>(value: Value): Value {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
