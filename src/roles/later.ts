/** Roles whose implementation lands with a later issue: they say so and fail, never pretend to run. */
export function runNotYetAvailable(role: 'projector' | 'worker', issue: string): number {
  process.stderr.write(
    `chronicle ${role}: not available yet; the ${role} role arrives with ${issue}. ` +
      'Use `chronicle dev` or `chronicle api` for now.\n',
  );
  return 1;
}
