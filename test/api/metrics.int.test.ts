import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscriptionClosed, subscriptionOpened } from '../../src/api/metrics/subscriptions.ts';
import { errorCodes, type IdentityApp, startIdentityApp } from './support/identity-app.ts';
import { freshEmail, PASSWORD } from './support/identity-operations.ts';

const REGISTER = `mutation Register($input: RegisterInput!) { register(input: $input) { id } }`;
const ME = `query Me { me { id } }`;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, one sample per line (comments skipped). */
function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .map((line) => /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line))
    .filter((match) => match !== null)
    .map(([, name = '', labels = '', value = '']) => ({
      name,
      labels: Object.fromEntries(
        [...labels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k, v]),
      ),
      value: Number(value),
    }));
}

describe('GraphQL, command and subscription metrics on GET /metrics', () => {
  let api: IdentityApp;
  beforeAll(async () => {
    api = await startIdentityApp({ metrics: new Registry() });
  });
  afterAll(async () => {
    await api?.close();
  });

  const scrape = async () => {
    const response = await api.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    return parseSamples(response.body);
  };
  const sampleValue = (samples: Sample[], name: string, labels: Record<string, string>) =>
    samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      ?.value;

  it('times requests by operation and type, counts errors by code, and times commands by type', async () => {
    const email = freshEmail();
    const register = await api.gql(REGISTER, { input: { email, password: PASSWORD, displayName: 'Ada' } });
    expect(register.errors).toBeUndefined();
    const again = await api.gql(REGISTER, { input: { email, password: PASSWORD, displayName: 'Ada' } });
    expect(errorCodes(again)).toEqual(['CONFLICT/EMAIL_TAKEN']);
    expect(errorCodes(await api.gql(ME))).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
    expect(errorCodes(await api.gql(ME))).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
    expect(errorCodes(await api.gql('{ version noSuchField }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect((await api.gql('{ version }')).errors).toBeUndefined();

    const samples = await scrape();
    const requests = 'chronicle_graphql_request_duration_seconds_count';
    expect(sampleValue(samples, requests, { operation: 'Register', type: 'mutation' })).toBe(2);
    expect(sampleValue(samples, requests, { operation: 'Me', type: 'query' })).toBe(2);
    expect(sampleValue(samples, requests, { operation: 'anonymous', type: 'query' })).toBe(1);
    // Refused before it ran: no operation to name.
    expect(sampleValue(samples, requests, { operation: 'unknown', type: 'unknown' })).toBe(1);
    const buckets = samples.filter((s) => s.name === 'chronicle_graphql_request_duration_seconds_bucket');
    expect(buckets.find((s) => s.labels.le === '+Inf' && s.labels.operation === 'Me')?.value).toBe(2);

    const errors = 'chronicle_graphql_errors_total';
    expect(sampleValue(samples, errors, { code: 'UNAUTHENTICATED' })).toBe(2);
    expect(sampleValue(samples, errors, { code: 'CONFLICT' })).toBe(1);
    expect(sampleValue(samples, errors, { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);

    const commands = 'chronicle_command_duration_seconds_count';
    expect(sampleValue(samples, commands, { command: 'RegisterUser', outcome: 'ok' })).toBe(1);
    const commandSum = sampleValue(samples, 'chronicle_command_duration_seconds_sum', {
      command: 'RegisterUser',
    });
    expect(commandSum).toBeGreaterThan(0);
    expect(commandSum).toBeLessThan(30);
  });

  it('shows how many subscriptions are open', async () => {
    const open = async () => sampleValue(await scrape(), 'chronicle_subscriptions_open', {});
    const before = await open();
    expect(before).toBeGreaterThanOrEqual(0);
    subscriptionOpened();
    subscriptionOpened();
    subscriptionClosed();
    expect(await open()).toBe((before ?? 0) + 1);
    subscriptionClosed();
    expect(await open()).toBe(before);
  });
});
