import type pg from 'pg';

/**
 * Small helpers the read-model queries share: positional parameters built as the WHERE grows,
 * counts, and a sort key at full (microsecond) precision so cursors never skip rows sharing a
 * millisecond.
 */
export function parameters() {
  const values: unknown[] = [];
  return {
    values,
    add(value: unknown): string {
      values.push(value);
      return `$${values.length}`;
    },
  };
}

export const sortKey = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as sort_key`;

export const whereClause = (where: readonly string[]) =>
  where.length > 0 ? `where ${where.join(' and ')}` : '';

export async function countWhere(
  pool: pg.Pool,
  from: string,
  where: readonly string[],
  values: readonly unknown[],
): Promise<number> {
  const { rows } = await pool.query<{ count: string }>(`select count(*) from ${from} ${whereClause(where)}`, [
    ...values,
  ]);
  return Number(rows[0]?.count ?? 0);
}

/** `text%` for LIKE, with the caller's `%`, `_` and `\` taken literally. */
export const likePrefix = (text: string) => `${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
