/** The smallest of some positions (Math.min takes no bigints), or `empty` when there are none. */
export function lowest(positions: Iterable<bigint>, empty: bigint): bigint {
  let min: bigint | undefined;
  for (const position of positions) if (min === undefined || position < min) min = position;
  return min ?? empty;
}
