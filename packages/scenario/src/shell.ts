/**
 * What a generated shell script may say. `netsim lab` writes a bash script that `netsim conform`
 * runs as root, from a scenario that is untrusted data, so every value from the scenario reaches
 * the script through these functions and nothing else: words through {@link shq} (single quotes,
 * a `'` written as `'\''` — nothing inside single quotes is special to bash), numbers through
 * {@link shNum} (a finite number or an error), and comment lines through {@link shComment}
 * (control characters made visible, so a newline in a title cannot end the comment and start a
 * command).
 */

/**
 * One shell word holding exactly `value`.
 * @example shq("it's") // 'it'\''s'
 * @throws Error for a NUL byte (no shell word or C string can hold one)
 */
export function shq(value: string | number): string {
  const s = String(value);
  if (s.includes('\0')) throw new Error(`a NUL byte cannot be written into a shell script (${JSON.stringify(s.slice(0, 40))})`);
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A number as a shell word: finite, and an integer within `[min, max]` when `integer` is set.
 * @throws Error naming `what` when `v` is anything else
 */
export function shNum(v: unknown, what: string, opts: { integer?: boolean; min?: number; max?: number } = {}): string {
  const n = typeof v === 'number' ? v : Number.NaN;
  const { integer = true, min = 0, max = Number.MAX_SAFE_INTEGER } = opts;
  if (!Number.isFinite(n) || (integer && !Number.isSafeInteger(n)) || n < min || n > max) {
    throw new Error(`${what}: ${JSON.stringify(v)} is not ${integer ? 'an integer' : 'a number'} in ${min}..${max}`);
  }
  return String(n);
}

/** A comment line (`# ` + text) that stays one line whatever `text` holds. */
export function shComment(text: string): string {
  // eslint-disable-next-line no-control-regex
  return `# ${text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}`;
}
