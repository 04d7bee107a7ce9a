/**
 * Every record a netsim trace holds, typed: the engine's own (tx, rx, drop, timer, command, link,
 * log, output) and each model's, as the models declare them (@netsim/linux `HostRecord`,
 * @netsim/l2 `SwitchRecord`/`L3SwitchRecord`, @netsim/kube `ApiRecord`/`AgentRecord`). Narrow on
 * `type` to read a record's fields; nothing reads them by string.
 */
import type { EngineRecord, TraceRecord, Traced } from '@netsim/engine';
import type { EthernetFrame } from '@netsim/packets';
import type { HostRecord } from '@netsim/linux';
import type { L3SwitchRecord } from '@netsim/l2';
import type { AgentRecord, ApiRecord } from '@netsim/kube';

/** The records of every model netsim ships (an L3 switch's include a learning switch's). */
export type ModelRecords = HostRecord | L3SwitchRecord | ApiRecord | AgentRecord;

/** One record of a netsim trace. */
export type NetsimRecord = EngineRecord<EthernetFrame> | Traced<ModelRecords>;

/** A record of one type. */
export type RecordOf<T extends NetsimRecord['type']> = Extract<NetsimRecord, { readonly type: T }>;

/**
 * A trace's records seen through the models' types. The engine carries a model's records as it
 * emitted them, and each model's `record` calls are checked against its union, so this is a view,
 * not a conversion (a custom device's records show up as whatever it emitted).
 */
export function typedRecords(records: readonly TraceRecord<EthernetFrame>[]): readonly NetsimRecord[] {
  return records as readonly NetsimRecord[];
}
