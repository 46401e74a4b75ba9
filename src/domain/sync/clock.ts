/**
 * Device clocks. A device's time orders offline changes (the later client time wins), so a time
 * ahead of the server's would let a device win every conflict by setting its clock forward: such a
 * time is clamped to the server's now, and the outcome says so.
 */
export function clampClientTime(clientTime: string, now: Date): { clientTime: string; clamped: boolean } {
  const at = Date.parse(clientTime);
  if (Number.isNaN(at) || at <= now.getTime()) return { clientTime, clamped: false };
  return { clientTime: now.toISOString(), clamped: true };
}

/**
 * The client times of one sync's changes, each clamped as `clampClientTime` does but without
 * collapsing their order: every future time becoming the same `now` would make them ties, and a tie
 * goes to the server, so a phone with a fast clock that edited its bio twice offline would see its
 * second edit lose to its first. The clamped times are instead spread over the last milliseconds up
 * to `now`, in the order of the times as sent: the latest sent becomes `now`, the one before it
 * `now - 1 ms`, and so on (times sent equal stay equal, a tie as the device made it). They still
 * never pass `now`, so the device wins nothing by its clock. Times in the past are kept as sent.
 */
export function clampClientTimes(
  clientTimes: readonly string[],
  now: Date,
): { clientTime: string; clamped: boolean }[] {
  const nowMs = now.getTime();
  const ahead = [
    ...new Set(clientTimes.map((time) => Date.parse(time)).filter((at) => !Number.isNaN(at) && at > nowMs)),
  ].sort((a, b) => a - b);
  // Rank 0 is the earliest future time; the last rank lands on now itself.
  const rank = new Map(ahead.map((at, index) => [at, index]));
  return clientTimes.map((clientTime) => {
    const position = rank.get(Date.parse(clientTime));
    if (position === undefined) return { clientTime, clamped: false };
    return { clientTime: new Date(nowMs - (ahead.length - 1 - position)).toISOString(), clamped: true };
  });
}

/**
 * How far the device's clock is ahead of the server's (negative: behind), in milliseconds, as the
 * device reported it at the start of a sync; 0 when it reported none (or nothing readable). Shown
 * on the device so a person sees why their changes were clamped.
 */
export function clockSkewMs(deviceTime: string | undefined, now: Date): number {
  if (deviceTime === undefined) return 0;
  const at = Date.parse(deviceTime);
  return Number.isNaN(at) ? 0 : at - now.getTime();
}
