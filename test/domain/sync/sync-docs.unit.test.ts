import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { CONFLICT_RULES, SYNC_CHANGE_TYPES } from '../../../src/domain/sync/change-types.ts';
import { CONFLICT_RULE_TABLE } from '../../../src/domain/sync/conflict-rules.ts';

/**
 * docs/sync.md is what client authors build against: its change-type and conflict-rule tables
 * must say what the code does. A row added, a rule changed or a sentence reworded in one place
 * and not the other fails here.
 */
const doc = () => readFile(new URL('../../../docs/sync.md', import.meta.url), 'utf8');

/** Backticked identifiers in a cell: the payload's top-level fields (`{}` and shapes are not names). */
const fieldsOf = (cell: string) =>
  [...cell.matchAll(/`([A-Za-z]+)`/g)].map(([, name]) => String(name)).sort();

describe('the change types table in docs/sync.md', () => {
  it('names every change type with its entity, payload fields and rule, as SYNC_CHANGE_TYPES does', async () => {
    const rows = [
      ...(await doc()).matchAll(/^\| `([a-z]+\.[A-Za-z]+)` +\| `(\w+)` +\| [^|]+\| ([^|]+)\| `(\w+)` +\|$/gm),
    ];
    const documented = Object.fromEntries(
      rows.map(([, type, entity, payload, rule]) => [
        type,
        { entity, rule, fields: fieldsOf(String(payload)) },
      ]),
    );
    const actual = Object.fromEntries(
      Object.entries(SYNC_CHANGE_TYPES).map(([type, spec]) => [
        type,
        {
          entity: spec.entity,
          rule: spec.rule,
          fields: Object.keys((spec.payload as z.ZodObject).shape).sort(),
        },
      ]),
    );
    expect(documented).toEqual(actual);
  });
});

describe('the conflict rules table in docs/sync.md', () => {
  it('describes every rule in the words of CONFLICT_RULE_TABLE, with what a refusal after a conflict becomes', async () => {
    const rows = [
      ...(await doc()).matchAll(/^\| `(\w+)` +\| (.+?) +\| (refused|superseded, person told) +\|$/gm),
    ];
    const documented = Object.fromEntries(
      rows.map(([, rule, describe, refusal]) => [
        rule,
        { describe, refusalAfterConflict: refusal === 'refused' ? 'refuse' : 'supersedeAndNotify' },
      ]),
    );
    const actual = Object.fromEntries(
      CONFLICT_RULES.map((rule) => [
        rule,
        {
          describe: CONFLICT_RULE_TABLE[rule].describe,
          refusalAfterConflict: CONFLICT_RULE_TABLE[rule].refusalAfterConflict,
        },
      ]),
    );
    expect(documented).toEqual(actual);
  });
});
