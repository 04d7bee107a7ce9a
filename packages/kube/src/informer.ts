/**
 * Watches as the API server sends them, and the informer caches agents keep
 * (client-go tools/cache: reflector.go ListAndWatch, the DeltaFIFO into a thread-safe store).
 *
 * - The API store keeps, per kind, a {@link Snapshot}: every object by name and the
 *   resourceVersion of the last change. Each change (an ADDED, MODIFIED or DELETED event with the
 *   store's next resourceVersion) gives a new snapshot; the old one is untouched.
 * - An informer starts from a List (the store's snapshot at that moment) and applies the watch
 *   events that follow; an event whose resourceVersion is not newer than its cache's was already
 *   in the List and is skipped (the reflector watches from the List's resourceVersion).
 * - Sharing: the store sends one event object to every watcher, and records which snapshot the
 *   event turned which snapshot into. An informer whose cache is that very snapshot (it saw the
 *   same events, as every healthy watcher does) gets the store's next snapshot as its own cache —
 *   a lookup, not a copy. A watcher that missed an event (a watch fault) has a cache of its own
 *   and pays for its own copies. The memo is a cache of a pure function: with it or without it,
 *   every cache holds the same objects.
 */

export type WatchKind = 'Node' | 'Service';
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One watch event: the object after the change (before it, for DELETED) and the store's resourceVersion. */
export interface WatchEvent<T> {
  readonly type: WatchEventType;
  readonly object: T;
  readonly resourceVersion: number;
}

/** A kind's objects by name at one resourceVersion. Immutable; `with` gives the next one. */
export class Snapshot<T extends { readonly name: string }> {
  private sorted: readonly T[] | undefined;

  private constructor(
    private readonly items: ReadonlyMap<string, T>,
    readonly resourceVersion: number,
  ) {}

  static empty<T extends { readonly name: string }>(resourceVersion = 0): Snapshot<T> {
    return new Snapshot<T>(new Map(), resourceVersion);
  }

  /** A snapshot of a List's items (an informer's cache after its initial List). */
  static of<T extends { readonly name: string }>(items: readonly T[], resourceVersion: number): Snapshot<T> {
    const known = LISTED.get(items);
    if (known !== undefined && known.resourceVersion === resourceVersion) return known as unknown as Snapshot<T>;
    return new Snapshot<T>(new Map(items.map((x) => [x.name, x])), resourceVersion);
  }

  get size(): number {
    return this.items.size;
  }

  get(name: string): T | undefined {
    return this.items.get(name);
  }

  /** Every object, in name order (what a List returns). Computed once per snapshot. */
  list(): readonly T[] {
    if (this.sorted === undefined) {
      this.sorted = [...this.items.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      LISTED.set(this.sorted, this as unknown as Snapshot<{ readonly name: string }>);
    }
    return this.sorted;
  }

  /** The snapshot after `ev`: the store's own next snapshot when this is the one it was applied to. */
  with(ev: WatchEvent<T>): Snapshot<T> {
    const memo = NEXT.get(this)?.get(ev);
    if (memo !== undefined) return memo as unknown as Snapshot<T>;
    const items = new Map(this.items);
    if (ev.type === 'DELETED') items.delete(ev.object.name);
    else items.set(ev.object.name, ev.object);
    const next = new Snapshot<T>(items, ev.resourceVersion);
    let m = NEXT.get(this);
    if (m === undefined) NEXT.set(this, (m = new WeakMap()));
    m.set(ev, next as unknown as Snapshot<{ readonly name: string }>);
    return next;
  }
}

type AnySnapshot = Snapshot<{ readonly name: string }>;
/** snapshot -> event -> the snapshot it gave. */
const NEXT = new WeakMap<AnySnapshot, WeakMap<object, AnySnapshot>>();
/** A List's item array -> the snapshot it was listed from. */
const LISTED = new WeakMap<readonly unknown[], AnySnapshot>();

/** An informer's cache after a watch event: unchanged when the event is not newer than the cache (or there is no cache yet). */
export function informerApply<T extends { readonly name: string }>(cache: Snapshot<T> | null, ev: WatchEvent<T>): Snapshot<T> | null {
  if (cache === null || ev.resourceVersion <= cache.resourceVersion) return cache;
  return cache.with(ev);
}
