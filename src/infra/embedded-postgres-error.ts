/**
 * Why the embedded PostgreSQL cannot start, in one line that says what to do about it. The roles
 * turn it into an operator message (no stack); `reason` is a stable name tests and logs can match.
 */
export type EmbeddedPostgresFailure =
  /** As root, with no `postgres` user and none could be made. */
  | 'POSTGRES_USER_MISSING'
  /** As root, the server's user can reach neither the packaged binaries nor a copy of them. */
  | 'BINARIES_UNREACHABLE'
  /** As root, a cluster the server's user cannot reach already holds data. */
  | 'CLUSTER_UNREACHABLE'
  /** The directory for relocated binaries and clusters is not safe to use. */
  | 'SYSTEM_DIR_UNSAFE'
  | 'INITDB_FAILED'
  | 'SERVER_FAILED';

export class EmbeddedPostgresError extends Error {
  constructor(
    readonly reason: EmbeddedPostgresFailure,
    message: string,
  ) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}
