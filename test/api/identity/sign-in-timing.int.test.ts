import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedSignInCost } from '../../../src/services/identity/sign-in-timing.ts';
import { errorCodes, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { LOGIN, registerUser } from '../support/identity-operations.ts';

/**
 * Refusing a sign-in must not tell which addresses have accounts: an unknown address and a wrong
 * password take the same time. The password check (scrypt) dominates both and varies a lot on a
 * busy machine, so the comparison is of paired attempts with a tolerance above that noise;
 * the other tests pin down, without timing noise, the two things that made real accounts slower.
 */
const READ_YOUR_WRITES_TIMEOUT_MS = 3_000;
const PAIRS = 30;
/**
 * How far apart the two may be: 25 ms, or three standard errors of the median difference when the
 * machine is so busy that the attempts' own noise is larger (other test runs on the same 2 cores).
 */
const TOLERANCE_MS = 25;
const STANDARD_ERRORS = 3;

let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp({
    limits: { logins: { max: 100_000 } },
    readYourWritesTimeoutMs: READ_YOUR_WRITES_TIMEOUT_MS,
  });
});
afterAll(async () => {
  await api?.close();
});

const unknownAddress = () => `nobody-${randomUUID()}@example.org`;

/** How long a refused sign-in took, in milliseconds. */
async function refusal(email: string): Promise<number> {
  const startedAt = performance.now();
  const response = await api.gql(LOGIN, { input: { email, password: 'not the password at all' } });
  const elapsed = performance.now() - startedAt;
  expect(errorCodes(response)).toEqual(['UNAUTHENTICATED/INVALID_CREDENTIALS']);
  return elapsed;
}

/** The `q` quantile of `values`, interpolated between neighbours. */
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const below = sorted[Math.floor(at)] ?? 0;
  return below + ((sorted[Math.ceil(at)] ?? below) - below) * (at - Math.floor(at));
};
const median = (values: number[]) => quantile(values, 0.5);

/** The standard error of the median of `values`, from their spread (normal approximation). */
const medianStandardError = (values: number[]) => {
  const sigma = (quantile(values, 0.75) - quantile(values, 0.25)) / 1.349;
  return (1.2533 * sigma) / Math.sqrt(values.length);
};

describe('how long a refused sign-in takes', () => {
  it('refuses an unknown address and a wrong password in the same time', async () => {
    // Each account takes at most 8 failures: the tenth would lock it.
    const accounts = await Promise.all(Array.from({ length: 4 }, () => registerUser(api)));
    await refusal(unknownAddress());
    const known: number[] = [];
    const unknown: number[] = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      const email = accounts[pair % accounts.length]?.email ?? '';
      // Which goes first alternates, so a machine growing busier favours neither.
      if (pair % 2) {
        known.push(await refusal(email));
        unknown.push(await refusal(unknownAddress()));
      } else {
        unknown.push(await refusal(unknownAddress()));
        known.push(await refusal(email));
      }
    }
    const differences = known.map((ms, pair) => ms - (unknown[pair] ?? 0));
    const difference = median(differences);
    const tolerance = Math.max(TOLERANCE_MS, STANDARD_ERRORS * medianStandardError(differences));
    const summary = `median known ${median(known).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms, paired difference ${difference.toFixed(1)} ms, tolerance ${tolerance.toFixed(1)} ms`;
    expect(Math.abs(difference), summary).toBeLessThan(tolerance);
  }, 120_000);

  it('keeps an unknown address waiting as long as recording a failure has lately taken', async () => {
    // As if every recent failure on a real account had taken a second to read and record.
    for (let sample = 0; sample < 32; sample++) failedSignInCost.observe(1_000);
    expect(await refusal(unknownAddress())).toBeGreaterThanOrEqual(1_000);
  });

  it('refuses a real account without waiting for the read models, which a failure does not change', async () => {
    const { email } = await registerUser(api);
    // With the projector stopped, waiting for it would take the whole read-your-writes timeout.
    await api.stopProjector();
    expect(await refusal(email)).toBeLessThan(READ_YOUR_WRITES_TIMEOUT_MS);
  });
});
