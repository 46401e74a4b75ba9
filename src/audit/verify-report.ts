import type { Finding, VerificationReport } from './verify.ts';

/** `chronicle audit verify`'s output: what was checked, what is wrong, and the first broken thing. */
export function formatVerificationReport(report: VerificationReport): string {
  const lines: string[] = [];
  const scope = report.scope.kind === 'all' ? 'every stream and anchor' : `stream ${report.scope.stream}`;
  lines.push(`Chronicle audit verify: ${scope}`);
  const { streams } = report;
  lines.push(`  streams     ${count(streams.checked)} hash chains, ${count(streams.events)} events`);
  if (streams.unreadable.length > 0) {
    lines.push(
      `              ${count(streams.unreadable.length)} deleted streams the store no longer reads back, checked from $all instead: ${streams.unreadable.slice(0, 5).join(', ')}${streams.unreadable.length > 5 ? ', ...' : ''}`,
    );
  }
  if (report.anchors) {
    const { anchors } = report;
    lines.push(
      anchors.count === 0
        ? '  anchors     none yet'
        : `  anchors     ${count(anchors.count)} over positions ${anchors.fromPosition}..${anchors.toPosition} (${count(anchors.events)} events)`,
    );
  }
  if (report.unanchored) {
    const { unanchored } = report;
    lines.push(
      unanchored.events === 0
        ? '  unanchored  none'
        : `  unanchored  ${count(unanchored.events)} events at positions ${unanchored.fromPosition}..${unanchored.toPosition} (oldest ${unanchored.oldestAt?.toISOString()}): only their stream chains vouch for them until the next anchor`,
    );
  }
  if (report.signatures) {
    const { keyId, signedFrom } = report.signatures;
    lines.push(`  signatures  every anchor from position ${signedFrom} signed by key ${keyId}`);
  }
  if (report.published) {
    const { roots, toPosition } = report.published;
    lines.push(
      roots === 0
        ? '  published   the published copy holds no roots'
        : `  published   ${count(roots)} root${roots === 1 ? '' : 's'} published outside the database, up to position ${toPosition}`,
    );
  }
  const seconds = report.durationMs / 1000;
  const rate = seconds > 0 ? Math.round(streams.events / seconds) : streams.events;
  lines.push(`  time        ${seconds.toFixed(2)} s (${count(rate)} events/s)`);
  lines.push('');
  if (report.ok) {
    const extra = [
      report.signatures ? 'every anchor is signed by the key given' : '',
      report.published ? 'every published root is still in the store' : '',
    ].filter(Boolean);
    lines.push(
      `INTACT: every hash chain verifies and every anchor matches its events${extra.map((e) => `; ${e}`).join('')}.`,
    );
    return `${lines.join('\n')}\n`;
  }
  lines.push(`BROKEN: ${report.findings.length} problem${report.findings.length === 1 ? '' : 's'}`);
  report.findings.forEach((finding, index) => {
    lines.push(`  ${index + 1}. [${finding.code}] ${describe(finding)}`);
  });
  const [first] = report.findings;
  if (first) {
    lines.push('');
    lines.push(`First broken: ${firstBroken(first)}`);
  }
  return `${lines.join('\n')}\n`;
}

function describe(finding: Finding): string {
  const event = finding.event;
  const where = event ? `${eventWhere(event)}: ` : '';
  return `${where}${finding.message}`;
}

function firstBroken(finding: Finding): string {
  if (
    finding.code === 'CHAIN_BROKEN' ||
    finding.code === 'OUT_OF_ORDER' ||
    finding.code === 'STREAM_HEAD_MISMATCH' ||
    finding.code === 'ANCHOR_MALFORMED'
  ) {
    return `${finding.event ? eventWhere(finding.event) : 'an event'} (${finding.code})`;
  }
  const anchor = finding.anchor;
  const anchorText = anchor
    ? `anchor ${anchor.stream} covering positions ${anchor.fromPosition}..${anchor.toPosition}${anchor.position === undefined ? '' : ` (anchor event at position ${anchor.position}, id ${anchor.eventId})`}`
    : 'an anchor';
  const from = finding.event ? `; the range's first stored event is ${eventWhere(finding.event)}` : '';
  return `${anchorText} (${finding.code})${from}`;
}

function eventWhere(event: NonNullable<Finding['event']>): string {
  const position = event.position === undefined ? '' : `, position ${event.position}`;
  return `stream ${event.stream} revision ${event.revision}${position}, event id ${event.eventId}`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
