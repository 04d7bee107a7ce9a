import { frameLength } from './codec.js';
import { describeFrame } from './describe.js';
import { BROADCAST_MAC } from './mac.js';
import type { EthernetFrame } from './types.js';

/**
 * What the engine needs to carry Ethernet frames: wire length, a one-line description, broadcast
 * test. Structurally an engine `FrameInfo<EthernetFrame>`.
 * @example new Simulation({ frames: ethernetFrames })
 */
export const ethernetFrames = {
  length: frameLength,
  describe: describeFrame,
  isBroadcast: (f: EthernetFrame): boolean => f.dst === BROADCAST_MAC,
} as const;
