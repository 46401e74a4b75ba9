import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AUDITED_AGGREGATES, communityOwnedCategories } from '../../src/audit/aggregate-registry.ts';

const DOMAIN = join(import.meta.dirname, '../../src/domain');

/**
 * `audit export --community` reads only the categories the audit registry marks community-owned,
 * so a community-owned aggregate missing there would silently drop out of every community export
 * (and `aggregateAt` could not fold it). Every aggregate spec exported under src/domain that
 * declares `communityOf` is found on disk here, not taken from the registry.
 */
async function communityAggregatesOnDisk(): Promise<{ name: string; catalogue: object }[]> {
  const files = readdirSync(DOMAIN, { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
  );
  const found = [];
  for (const file of files) {
    const module: Record<string, unknown> = await import(pathToFileURL(join(DOMAIN, file)).href);
    for (const [name, value] of Object.entries(module)) {
      if (typeof value !== 'object' || value === null) continue;
      const spec = value as { communityOf?: unknown; catalogue?: unknown; decider?: unknown };
      if (typeof spec.communityOf === 'function' && typeof spec.catalogue === 'object' && spec.decider) {
        found.push({
          name: `${relative(DOMAIN, join(DOMAIN, file))}#${name}`,
          catalogue: spec.catalogue as object,
        });
      }
    }
  }
  return found;
}

describe('community-owned categories', () => {
  it('has every community-owned aggregate of the domain in the audit registry, marked as such', async () => {
    const onDisk = await communityAggregatesOnDisk();
    expect(onDisk.length).toBeGreaterThanOrEqual(8);
    const owned = new Set(AUDITED_AGGREGATES.filter((a) => a.communityOwned).map((a) => a.catalogue));
    expect(onDisk.filter(({ catalogue }) => !owned.has(catalogue)).map(({ name }) => name)).toEqual([]);
    expect(communityOwnedCategories()).toEqual(
      expect.arrayContaining(['community', 'communitymember', 'communitypost', 'checkpoint']),
    );
  });
});
