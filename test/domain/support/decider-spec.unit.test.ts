import { describe, expect, it } from 'vitest';
import type { Decider } from '../../../src/domain/shared/decider.ts';
import { conflict } from '../../../src/domain/shared/domain-error.ts';
import { by, theSystem } from './actors.ts';
import { deciderSpec } from './decider-spec.ts';

/** A toy decider: a tally that can be bumped, and closed once. */
type TallyEvent = { type: 'Bumped'; data: { by: number } } | { type: 'Closed'; data: Record<string, never> };
type TallyCommand = { type: 'Bump'; by: number } | { type: 'Close' };
interface Tally {
  total: number;
  closed: boolean;
  history: number[];
}

const tally: Decider<TallyCommand, TallyEvent, Tally> = {
  initialState: { total: 0, closed: false, history: [] },
  evolve: (state, event) =>
    event.type === 'Bumped'
      ? { ...state, total: state.total + event.data.by, history: [...state.history, event.data.by] }
      : { ...state, closed: true },
  decide(command, state) {
    if (state.closed) throw conflict('TALLY_CLOSED', 'The tally is closed');
    if (command.type === 'Close') return [{ type: 'Closed', data: {} }];
    return command.by === 0 ? [] : [{ type: 'Bumped', data: { by: command.by } }];
  },
};

/** The same tally, but its `evolve` appends to the previous state's array in place. */
const mutatingTally: Decider<TallyCommand, TallyEvent, Tally> = {
  ...tally,
  evolve(state, event) {
    if (event.type === 'Bumped') state.history.push(event.data.by);
    return tally.evolve(state, event);
  },
};

const now = new Date('2025-06-02T09:30:00.000Z');
const system = by(theSystem('tally'), now);
const spec = deciderSpec(tally);
const bumped = (amount: number): TallyEvent => ({ type: 'Bumped', data: { by: amount } });

describe('deciderSpec', () => {
  it('passes when the decider decides the expected events', () => {
    spec
      .given([bumped(1)])
      .when({ type: 'Bump', by: 2 }, system)
      .then([bumped(2)]);
  });

  it('fails when the events differ', () => {
    expect(() =>
      spec
        .given([])
        .when({ type: 'Bump', by: 2 }, system)
        .then([bumped(3)]),
    ).toThrow();
  });

  it('fails `then` when the decider throws, naming the code and reason', () => {
    expect(() =>
      spec
        .given([{ type: 'Closed', data: {} }])
        .when({ type: 'Bump', by: 1 }, system)
        .then([bumped(1)]),
    ).toThrow(/CONFLICT TALLY_CLOSED/);
  });

  it('passes `thenThrows` on a DomainError with that code and reason', () => {
    spec
      .given([{ type: 'Closed', data: {} }])
      .when({ type: 'Bump', by: 1 }, system)
      .thenThrows('CONFLICT', 'TALLY_CLOSED');
  });

  it('fails `thenThrows` on another code or reason', () => {
    const closed = spec.given([{ type: 'Closed', data: {} }]).when({ type: 'Bump', by: 1 }, system);
    expect(() => closed.thenThrows('FORBIDDEN', 'TALLY_CLOSED')).toThrow();
    expect(() => closed.thenThrows('CONFLICT', 'OTHER_REASON')).toThrow();
  });

  it('fails `thenThrows` when the decider decides instead', () => {
    expect(() =>
      spec.given([]).when({ type: 'Bump', by: 1 }, system).thenThrows('CONFLICT', 'TALLY_CLOSED'),
    ).toThrow(/but decided/);
  });

  it('passes `thenNothing` only on an empty decision', () => {
    spec.given([]).when({ type: 'Bump', by: 0 }, system).thenNothing();
    expect(() => spec.given([]).when({ type: 'Bump', by: 1 }, system).thenNothing()).toThrow();
  });

  it('fails a spec whose evolve mutates the state it is given', () => {
    expect(() =>
      deciderSpec(mutatingTally)
        .given([bumped(1), bumped(2)])
        .when({ type: 'Bump', by: 1 }, system)
        .then([bumped(1)]),
    ).toThrow(TypeError);
    expect(tally.initialState).toEqual({ total: 0, closed: false, history: [] });
  });
});
