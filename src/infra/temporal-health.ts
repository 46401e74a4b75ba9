import { Connection } from '@temporalio/client';

/**
 * Resolves when the Temporal frontend at `address` (host:port) answers GetSystemInfo within
 * `timeoutMs`. A fresh connection each time: a cached channel would keep reporting a server that
 * has since gone away as reachable until its next call times out.
 */
export async function checkTemporal(address: string, timeoutMs: number): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
  try {
    await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}));
  } finally {
    await connection.close();
  }
}
