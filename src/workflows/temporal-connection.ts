import { Client, Connection, type ConnectionOptions } from '@temporalio/client';

/** Chronicle runs in one namespace; the dev server creates it, a real cluster must have it registered. */
export const TEMPORAL_NAMESPACE = 'default';

export interface TemporalClient {
  readonly client: Client;
  /** Closes the gRPC connection; calls in flight fail. */
  close(): Promise<void>;
}

export interface TemporalClientOptions {
  namespace?: string;
  /**
   * Connect on the first call instead of now. The process manager retries its calls anyway, so a
   * lazy client lets it start while Temporal is still coming up; a role that should fail fast
   * when Temporal is unreachable connects eagerly.
   */
  lazy?: boolean;
  /** gRPC channel arguments, e.g. a shorter reconnect backoff. */
  channelArgs?: ConnectionOptions['channelArgs'];
}

/** A Temporal client for `address` (host:port, from TEMPORAL_ADDRESS or the dev server). */
export async function connectTemporalClient(
  address: string,
  options: TemporalClientOptions = {},
): Promise<TemporalClient> {
  const connectionOptions: ConnectionOptions = {
    address,
    ...(options.channelArgs ? { channelArgs: options.channelArgs } : {}),
  };
  const connection = options.lazy
    ? Connection.lazy(connectionOptions)
    : await Connection.connect(connectionOptions);
  const client = new Client({ connection, namespace: options.namespace ?? TEMPORAL_NAMESPACE });
  return { client, close: () => connection.close() };
}
