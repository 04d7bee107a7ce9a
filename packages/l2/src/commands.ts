/**
 * The commands a learning switch and an L3 switch take, one union member each, with constructors
 * (an endpoint's only command is `sendFrame`, in endpoint.ts). A scenario's `command` steps are
 * checked against these types when it loads.
 */
import type { EthernetFrame, Mac } from '@netsim/packets';

/** A static MAC table entry (`mac-address-table static MAC interface PORT`). */
export type AddStaticCommand = { name: 'add-static'; mac: string; port: string };
/** Clears the dynamic entries of one port, or of every port (`clear mac-address-table dynamic [interface PORT]`). */
export type FlushCommand = { name: 'flush'; port?: string };
export type SwitchCommand = AddStaticCommand | FlushCommand;
export const SWITCH_COMMAND_NAMES = ['add-static', 'flush'] as const satisfies readonly SwitchCommand['name'][];

/** `ping -c count dst` from the switch's own VLAN interface. */
export type L3PingCommand = { name: 'ping'; dst: string; count?: number; session?: string };
export type L3SwitchCommand = L3PingCommand;

/** An endpoint transmits a frame (the source MAC defaults to the endpoint's). */
export type SendCommand = { name: 'send'; frame: Omit<EthernetFrame, 'src'> & { src?: Mac } };
export type EndpointCommand = SendCommand;

export const switchCommand = {
  addStatic: (mac: string, port: string): AddStaticCommand => ({ name: 'add-static', mac, port }),
  flush: (port?: string): FlushCommand => (port === undefined ? { name: 'flush' } : { name: 'flush', port }),
};

export const l3SwitchCommand = {
  ping: (a: Omit<L3PingCommand, 'name'>): L3PingCommand => ({ name: 'ping', ...a }),
};
