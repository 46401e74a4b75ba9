import type { RebuildProgress, RebuildReport } from './rebuild.ts';
import type { ProjectionStatus } from './status.ts';

/** The `chronicle projections status` table. */
export function formatStatusTable(statuses: readonly ProjectionStatus[]): string {
  const header = ['projection', 'version', 'gen', 'checkpoint', 'head', 'lag events', 'lag s', 'state'];
  const rows = statuses.map((s) => [
    s.name,
    s.codeVersion === undefined || s.codeVersion === s.liveVersion
      ? String(s.liveVersion)
      : `${s.liveVersion} (code ${s.codeVersion})`,
    String(s.generation),
    s.checkpoint.toString(),
    s.head.toString(),
    `${s.lagEvents}${s.lagCapped ? '+' : ''}`,
    s.lagSeconds.toFixed(1),
    s.state,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const details = statuses.flatMap((s) => [
    ...(s.state === 'failed' ? [`${s.name}: failed at position ${s.errorPosition}: ${s.error}`] : []),
    ...(s.rebuild
      ? [
          `${s.name}: rebuild of generation ${s.rebuild.generation} at ${s.rebuild.checkpoint} (${s.rebuild.eventsDone} events), started ${s.rebuild.startedAt.toISOString()}`,
        ]
      : []),
  ]);
  return [line(header), ...rows.map(line), ...(details.length ? ['', ...details] : [])].join('\n');
}

export function formatProgress(p: RebuildProgress): string {
  const eta = p.etaSeconds === undefined ? '' : `, ETA ${Math.ceil(p.etaSeconds)} s`;
  return `${p.projection}: ${p.eventsDone} events, ${Math.round(p.eventsPerSecond)} events/s${eta}`;
}

export function formatReport(report: RebuildReport): string {
  const lines = [
    `${report.projection}: generation ${report.generation} built from ${report.eventsDone} events in ${report.seconds.toFixed(1)} s (${Math.round(report.eventsPerSecond)} events/s)`,
  ];
  for (const c of report.comparison ?? []) {
    lines.push(
      `  ${c.table}: ${c.same ? 'same' : 'DIFFERENT'} (live ${c.live.rows} rows ${c.live.checksum.slice(0, 12)}, rebuilt ${c.rebuilt.rows} rows ${c.rebuilt.checksum.slice(0, 12)})`,
    );
  }
  lines.push(
    report.swapped
      ? '  swapped in: readers now see the new generation'
      : '  not swapped (--no-swap): run again to resume and swap, or abandon',
  );
  return lines.join('\n');
}
