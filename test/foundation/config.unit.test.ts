import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

function issuesFor(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => issue.variable);
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('defaults every unset variable to the embedded set-up', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 4000, LOG_LEVEL: 'info', NODE_ENV: 'development' });
    expect(config.DATA_DIR).toBe(path.resolve('.data'));
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '' });
    expect(config.PORT).toBe(4000);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('accepts well-formed values', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/chronicle',
      EVENTSTORE_CONNECTION_STRING: 'esdb://eventstore:2113?tls=false',
      REDIS_URL: 'redis://redis:6379',
      TEMPORAL_ADDRESS: 'temporal:7233',
      OPENAI_API_KEY: 'sk-test-123',
      PORT: '8080',
      DATA_DIR: '/var/lib/chronicle',
      LOG_LEVEL: 'debug',
      NODE_ENV: 'production',
    });
    expect(config).toMatchObject({
      PORT: 8080,
      TEMPORAL_ADDRESS: 'temporal:7233',
      DATA_DIR: '/var/lib/chronicle',
    });
  });

  it('takes an AUTH_SECRET of at least 32 characters and names the rule otherwise', () => {
    const secret = 'x'.repeat(32);
    expect(loadConfig({ AUTH_SECRET: secret }).AUTH_SECRET).toBe(secret);
    expect(loadConfig({}).AUTH_SECRET).toBeUndefined();
    expect(() => loadConfig({ AUTH_SECRET: 'short' })).toThrow(/AUTH_SECRET must be at least 32 characters/);
  });

  it('takes KEY_ROTATION_DAYS as whole days, 90 by default and 0 for never', () => {
    expect(loadConfig({}).KEY_ROTATION_DAYS).toBe(90);
    expect(loadConfig({ KEY_ROTATION_DAYS: '0' }).KEY_ROTATION_DAYS).toBe(0);
    expect(loadConfig({ KEY_ROTATION_DAYS: '30' }).KEY_ROTATION_DAYS).toBe(30);
    expect(issuesFor({ KEY_ROTATION_DAYS: '-1' })).toEqual(['KEY_ROTATION_DAYS']);
    expect(issuesFor({ KEY_ROTATION_DAYS: '1.5' })).toEqual(['KEY_ROTATION_DAYS']);
  });

  it('takes TRUST_PROXY as a hop count or a list of proxy addresses and CIDRs', () => {
    expect(loadConfig({}).TRUST_PROXY).toBeUndefined();
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.0.2.1,::1' }).TRUST_PROXY).toEqual([
      '10.0.0.0/8',
      '192.0.2.1',
      '::1',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: 'evil.example' })).toThrow(/TRUST_PROXY/);
  });

  it('takes S3 storage all or nothing, with the missing variables named', () => {
    const s3 = {
      S3_ENDPOINT: 'http://seaweedfs:8333',
      S3_BUCKET: 'chronicle-media',
      S3_ACCESS_KEY_ID: 'chronicle',
      S3_SECRET_ACCESS_KEY: 'secret-key',
    };
    expect(loadConfig(s3)).toMatchObject({ ...s3, S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: false });
    expect(loadConfig({ ...s3, S3_FORCE_PATH_STYLE: 'true' }).S3_FORCE_PATH_STYLE).toBe(true);
    expect(loadConfig({}).S3_BUCKET).toBeUndefined();
    expect(issuesFor({ S3_BUCKET: 'chronicle-media' })).toEqual([
      'S3_ENDPOINT',
      'S3_ACCESS_KEY_ID',
      'S3_SECRET_ACCESS_KEY',
    ]);
    expect(issuesFor({ ...s3, S3_ENDPOINT: 'seaweedfs:8333' })).toEqual(['S3_ENDPOINT']);
    expect(issuesFor({ ...s3, S3_BUCKET: 'Chronicle_Media' })).toEqual(['S3_BUCKET']);
    expect(issuesFor({ ...s3, S3_FORCE_PATH_STYLE: 'yes' })).toEqual(['S3_FORCE_PATH_STYLE']);
    // The operator's own endpoint: an internal address is expected, not refused as for webhooks.
    expect(issuesFor({ ...s3, S3_ENDPOINT: 'http://10.0.0.5:9000' })).toEqual([]);
  });

  it('names every invalid variable at once', () => {
    expect(issuesFor({ PORT: '0', LOG_LEVEL: 'loud', REDIS_URL: 'http://redis' }).sort()).toEqual([
      'LOG_LEVEL',
      'PORT',
      'REDIS_URL',
    ]);
  });
});
