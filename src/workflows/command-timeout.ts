/**
 * How long one attempt of a saga's command activity may take. A command is a read and an append
 * (milliseconds); the timeout is what a saga waits before retrying an attempt whose worker died
 * mid-way (a killed worker reports nothing), so it stays short. Safe because commands are
 * idempotent by command id and retried until they answer.
 */
export const COMMAND_ATTEMPT_TIMEOUT_MS = 10_000;
