import { cpus, freemem, totalmem } from 'node:os';

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function describeMachine(): Machine {
  const all = cpus();
  return {
    cores: all.length,
    cpu: all[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function printMachine(extra: Record<string, string> = {}): void {
  const m = describeMachine();
  console.log(
    `machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB (${Math.round(freemem() / 2 ** 30)} GiB free)`,
  );
  console.log(
    `runtime: Node ${m.node} on ${m.platform}${Object.entries(extra)
      .map(([k, v]) => `, ${k} ${v}`)
      .join('')}`,
  );
}

/** Runs `work` from `workers` concurrent loops until `seconds` pass; returns operations per second. */
export async function throughput(
  workers: number,
  seconds: number,
  work: (worker: number, iteration: number) => Promise<unknown>,
): Promise<{ opsPerSecond: number; operations: number }> {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let operations = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await work(worker, i);
        operations++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { opsPerSecond: operations / elapsed, operations };
}

export const round = (n: number) => Math.round(n);
export const ratio = (value: number, ceiling: number) => Math.round((value / ceiling) * 100) / 100;
