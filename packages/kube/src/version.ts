/** Versions of the agents (`v0.24.1`, `1.27.3`): one parser and one comparison for every agent's version rules. */

/** `vMAJOR.MINOR.PATCH` (the `v` optional, anything after the patch ignored), or undefined. */
export function parseVersion(text: string): readonly [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/**
 * True when `version` is `major.minor.patch` or later.
 * @example versionAtLeast('v0.24.1', 0, 9, 0) // true
 * @throws Error naming `component` when `version` is not a version
 */
export function versionAtLeast(version: string, major: number, minor: number, patch: number, component = 'flannel'): boolean {
  const v = parseVersion(version);
  if (v === undefined) throw new Error(`${component} version '${version}': expected vMAJOR.MINOR.PATCH`);
  const w = [major, minor, patch];
  for (let i = 0; i < 3; i++) if (v[i] !== w[i]) return v[i]! > w[i]!;
  return true;
}
