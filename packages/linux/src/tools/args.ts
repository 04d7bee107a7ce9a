/**
 * Reading a command line's words as the tools read them: iproute2's keyword abbreviations
 * (utils.c matches, first keyword in the tool's order wins), `key value` pairs, and the values
 * (addresses, prefixes, MACs, counts) checked as the tools check them, each mistake named.
 */
import { parseCidr, parseIpv4, parseMac } from '@netsim/packets';
import type { HostCommand } from '../commands.js';

/** What a command line is to the simulator: a command the host runs, or a table it prints. */
export type ExecParsed = { kind: 'command'; command: HostCommand } | { kind: 'show'; tool: string };

/** iproute2's `matches`: `word` is a non-empty prefix of `keyword`. */
export const matches = (word: string, keyword: string) => word.length > 0 && keyword.startsWith(word);

/** The first keyword `word` abbreviates, in the tool's own order, or an error listing them. */
export function keyword(word: string | undefined, keywords: readonly string[], what: string): string {
  if (word === undefined) throw new Error(`${what}: missing (one of: ${keywords.join(', ')})`);
  const k = keywords.find((kw) => matches(word, kw));
  if (k === undefined) throw new Error(`${what}: '${word}' is not supported (supported: ${keywords.join(', ')})`);
  return k;
}

/** Reads `key value` pairs and flags after a fixed part; unknown words are named. */
export class Args {
  private i = 0;
  constructor(
    private readonly words: readonly string[],
    private readonly what: string,
  ) {}

  next(): string | undefined {
    return this.words[this.i++];
  }

  peek(): string | undefined {
    return this.words[this.i];
  }

  value(key: string): string {
    const v = this.next();
    if (v === undefined) throw new Error(`${this.what}: '${key}' needs a value`);
    return v;
  }

  done(): boolean {
    return this.i >= this.words.length;
  }

  unsupported(word: string, supported: readonly string[]): never {
    throw new Error(`${this.what}: '${word}' is not supported (supported here: ${supported.join(', ')})`);
  }
}

export function address(text: string, what: string): string {
  try {
    parseIpv4(text);
  } catch {
    throw new Error(`${what}: '${text}' is not an IPv4 address`);
  }
  return text;
}

/** `A.B.C.D[/LEN]` (/32 without a length); an interface address may have host bits, a route prefix may not. */
export function cidr(text: string, what: string, hostBits = false): string {
  const withLen = text.includes('/') ? text : `${text}/32`;
  try {
    parseCidr(withLen, hostBits);
  } catch (e) {
    throw new Error(`${what}: '${text}' is not an IPv4 ${hostBits ? 'address' : 'prefix'} (${e instanceof Error ? e.message : String(e)})`);
  }
  return withLen;
}

export function mac(text: string, what: string): string {
  try {
    parseMac(text);
  } catch {
    throw new Error(`${what}: '${text}' is not a MAC address (e.g. 02:00:00:00:00:01)`);
  }
  return text.toLowerCase();
}

export function count(text: string, what: string, max = 1_000_000): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) throw new Error(`${what}: '${text}' is not a count (1..${max})`);
  return Number(text);
}

