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
 * How far the device's clock is ahead of the server's (negative: behind), in milliseconds, as the
 * device reported it at the start of a sync; 0 when it reported none (or nothing readable). Shown
 * on the device so a person sees why their changes were clamped.
 */
export function clockSkewMs(deviceTime: string | undefined, now: Date): number {
  if (deviceTime === undefined) return 0;
  const at = Date.parse(deviceTime);
  return Number.isNaN(at) ? 0 : at - now.getTime();
}
