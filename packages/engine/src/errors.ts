/** Errors the engine raises. Each message names the device, port or link and the time. */

/** Base class: a simulation-level problem a user can act on (no stack trace needed). */
export class SimulationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationError';
  }
}

/** A bad topology: unknown device or port, duplicate id, port connected twice. */
export class TopologyError extends SimulationError {
  constructor(message: string) {
    super(message);
    this.name = 'TopologyError';
  }
}

/** A run processed more events than its budget allows. */
export class EventBudgetExceeded extends SimulationError {
  constructor(
    message: string,
    readonly budget: number,
    readonly busiest: readonly { device: string; events: number; broadcastFrames: number }[],
  ) {
    super(message);
    this.name = 'EventBudgetExceeded';
  }
}

/** A run's heap grew past its memory budget (checked every few thousand events). */
export class MemoryBudgetExceeded extends SimulationError {
  constructor(
    message: string,
    readonly budgetBytes: number,
    readonly usedBytes: number,
  ) {
    super(message);
    this.name = 'MemoryBudgetExceeded';
  }
}

/** A device model threw while handling an input. */
export class DeviceError extends SimulationError {
  constructor(
    message: string,
    readonly device: string,
    override readonly cause: unknown,
  ) {
    super(message);
    this.name = 'DeviceError';
  }
}

/**
 * The same frame was forwarded more times than any loop-free path allows: a forwarding loop
 * (switches joined in a ring without spanning tree). Raised long before the event budget.
 */
export class ForwardingLoopError extends SimulationError {
  constructor(
    message: string,
    readonly device: string,
    readonly hops: number,
  ) {
    super(message);
    this.name = 'ForwardingLoopError';
  }
}
