import { z } from 'zod';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../auth/passwords.ts';
import { API_SCOPES, PLATFORM_ROLES } from '../../domain/shared/decider.ts';

/** Input validation at the edge: every use case parses its input with one of these first. */
const password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`);
const displayName = z.string().trim().min(1, 'must not be empty').max(100);
const idempotencyKey = z.string().min(8).max(128).optional();

export const registerInput = z.object({
  email: z.email().max(254),
  password,
  displayName,
  idempotencyKey,
});

export const signInInput = z.object({
  email: z.string().max(254),
  password: z.string().max(MAX_PASSWORD_LENGTH),
  /** A 6-digit TOTP code or a backup code. */
  secondFactor: z.string().trim().max(32).optional(),
});

export const updateProfileInput = z
  .object({
    displayName: displayName.optional(),
    bio: z.string().max(2_000).nullable().optional(),
    /**
     * The device's time of a change made offline, given by offline sync only (GraphQL does not
     * expose it): kept on the event, where profile fields are last-write-wins by it.
     */
    clientTime: z.iso.datetime({ offset: true }).optional(),
    idempotencyKey,
  })
  .refine((input) => input.displayName !== undefined || input.bio !== undefined, {
    message: 'give displayName or bio',
  });

export const changePasswordInput = z.object({
  currentPassword: z.string().max(MAX_PASSWORD_LENGTH),
  newPassword: password,
  idempotencyKey,
});

export const setRoleInput = z.object({ userId: z.uuid(), role: z.enum(PLATFORM_ROLES), idempotencyKey });

export const totpCodeInput = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'must be 6 digits'),
});

export const createApiKeyInput = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(API_SCOPES)).min(1, 'give at least one scope').max(API_SCOPES.length),
});

export const userIdInput = z.object({ userId: z.uuid(), idempotencyKey });

/** Defaults to the signed-in user. */
export const optionalUserIdInput = z.object({ userId: z.uuid().optional(), idempotencyKey }).default({});

export const idInput = z.object({ id: z.uuid(), idempotencyKey });

export const signOutInput = z.object({ idempotencyKey }).default({});
