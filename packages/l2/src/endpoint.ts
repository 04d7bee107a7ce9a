/**
 * A raw frame endpoint: one NIC with a MAC that sends the frames a scenario tells it to and
 * accepts frames addressed to it. Used to exercise switches before the Linux host exists, and in
 * benchmarks. With `echo`, it answers each unicast frame of the experimental EtherType 0x88b5 by sending
 * the payload back (source and destination swapped) with EtherType 0x88b6, which is never
 * answered — so two echoing endpoints do not ping-pong forever.
 *
 * Not modelled: any protocol stack (no ARP, no IP processing: IPv4 frames are accepted and left).
 */
import { defineDevice, type ModelRecordData } from '@netsim/engine';
import type { EndpointCommand, SendCommand } from './commands.js';
import { ETHERTYPE_EXPERIMENTAL, ETHERTYPE_EXPERIMENTAL_2, isGroupMac, parseMac, type EthernetFrame, type Mac } from '@netsim/packets';

export interface EndpointConfig {
  mac: string;
  /** Port name (default `eth0`). */
  port?: string;
  /** Answer unicast experimental-EtherType frames (default false). */
  echo?: boolean;
  /** Accept frames for any destination (default false: others are dropped as OTHERHOST). */
  promiscuous?: boolean;
}

export interface EndpointState {
  readonly mac: Mac;
  readonly port: string;
  readonly echo: boolean;
  readonly promiscuous: boolean;
}

/**
 * The command an endpoint understands: `send` a frame (the source MAC defaults to its own).
 * @example sim.command('1s', 'h1', sendFrame({ dst: 'ff:ff:ff:ff:ff:ff', etherType: 0x88b5, payload: { kind: 'raw', bytes } }))
 */
export function sendFrame(frame: Omit<EthernetFrame, 'src'> & { src?: Mac }): SendCommand {
  return { name: 'send', frame };
}

export const endpoint = defineDevice<EndpointState, EndpointConfig, EthernetFrame, ModelRecordData, EndpointCommand>({
  kind: 'endpoint',
  ports: (c) => [c.port ?? 'eth0'],
  init(c) {
    return { mac: parseMac(c.mac), port: c.port ?? 'eth0', echo: c.echo ?? false, promiscuous: c.promiscuous ?? false };
  },
  on: {
    frame(s, { port, frame }, _ctx, fx) {
      const forUs = frame.dst === s.mac || isGroupMac(frame.dst);
      if (!forUs && !s.promiscuous) {
        fx.drop('OTHERHOST', `destination ${frame.dst} is not ${s.mac}`, port, frame);
        return;
      }
      if (s.echo && frame.dst === s.mac && frame.etherType === ETHERTYPE_EXPERIMENTAL && frame.src !== s.mac) {
        fx.tx(s.port, { dst: frame.src, src: s.mac, etherType: ETHERTYPE_EXPERIMENTAL_2, payload: frame.payload });
      }
    },
    command(s, { command }, _ctx, fx) {
      if (command.name !== 'send') throw new Error(`endpoint has no command '${(command as { name: string }).name}' (commands: send)`);
      // The frame's shape is checked when the scenario loads (frameProblems); a library caller may skip that.
      const f = command.frame as SendCommand['frame'] | undefined;
      if (!f || typeof f.dst !== 'string') throw new Error("send: needs { frame: { dst, etherType, payload } }");
      fx.tx(s.port, { ...f, src: f.src ?? s.mac } as EthernetFrame);
    },
  },
});
