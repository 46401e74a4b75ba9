import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import {
  errorCodes,
  fieldOf,
  type IdentityApp,
  startIdentityApp,
  TEST_AUTH_SECRET,
} from './support/identity-app.ts';
import { ME, makeAdmin, registerAndSignIn } from './support/identity-operations.ts';

const PROJECTIONS = `{ projections { name codeVersion liveVersion checkpoint head lagEvents lagSeconds state error } }`;

describe('operations', () => {
  let api: IdentityApp;
  beforeAll(async () => {
    api = await startIdentityApp();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('shows admins every projection`s version, checkpoint, lag and state', async () => {
    const admin = await makeAdmin(api);
    const response = await api.gql(PROJECTIONS, {}, admin.accessToken);
    expect(response.errors).toBeUndefined();
    const statuses = response.data?.projections as { name: string; state: string; checkpoint: string }[];
    expect(statuses.map((s) => s.name).sort()).toEqual([
      'ai_generations',
      'api_keys',
      'audit_index',
      'brands',
      'chat',
      'communities',
      'community_discussions',
      'community_learning',
      'community_progress',
      'community_trust',
      'contents',
      'devices',
      'event_webhooks',
      'media',
      'mentorship_conversations',
      'mentorship_matching',
      'mentorship_profiles',
      'mentorship_sessions',
      'notification_preferences',
      'notifications',
      'passkeys',
      'sessions',
      'social_engagement',
      'social_graph',
      'social_moderation',
      'stream_catalogue',
      'sync_conflicts',
      'sync_feed',
      'users',
      'video_posts',
    ]);
    for (const status of statuses) {
      expect(status).toMatchObject({ state: expect.stringMatching(/^(live|catching_up)$/), error: null });
      expect(status.checkpoint).toMatch(/^-?\d+$/);
    }
  });

  it('refuses the projection status to non-admins', async () => {
    const user = await registerAndSignIn(api);
    expect(errorCodes(await api.gql(PROJECTIONS, {}, user.accessToken))).toEqual(['FORBIDDEN/ADMIN_ONLY']);
    expect(errorCodes(await api.gql(PROJECTIONS))).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
  });

  it('makes an admin from the command line (`chronicle users set-role`)', async () => {
    const user = await registerAndSignIn(api);
    const env = { DATABASE_URL: api.databaseUrl, AUTH_SECRET: TEST_AUTH_SECRET, LOG_LEVEL: 'warn' };
    const result = await runCli(['users', 'set-role', user.email.toUpperCase(), 'admin'], env);
    expect(result).toMatchObject({ code: 0, stdout: `${user.email.toUpperCase()} is now admin\n` });
    // The command answers once the read model shows the change, so the API agrees at once.
    expect(fieldOf<{ role: string }>(await api.gql(ME, {}, user.accessToken), 'me').role).toBe('admin');
    expect(await runCli(['users', 'set-role', 'nobody@example.org', 'admin'], env)).toMatchObject({
      code: 1,
    });
    expect(await runCli(['users', 'set-role', user.email, 'overlord'], env)).toMatchObject({ code: 2 });
  });
});
