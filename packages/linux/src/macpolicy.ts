/**
 * Where interface MACs come from.
 * - explicit: the scenario says so;
 * - networkd: systemd-networkd's persistent MAC for virtual devices it creates (bridges, dummies):
 *   siphash24(machine-id ‖ ifname) with a fixed key, first 6 bytes of the little-endian result,
 *   multicast bit cleared and locally-administered bit set
 *   (systemd src/network/netdev/netdev.c `netdev_generate_hw_addr`, HASH_KEY
 *   52e145bd006f299621c6306d83710448; src/shared/netif-util.c
 *   `net_get_unique_predictable_data_from_name` and `net_verify_hardware_address`).
 *   Two VMs cloned with the same /etc/machine-id get the same bridge MAC.
 * - kernel (bridges): the numerically lowest MAC among the ports, recomputed as ports come and go
 *   (net/bridge/br_stp_if.c `br_stp_recalculate_bridge_id`), unless set explicitly.
 */
import { readMac, type Mac } from '@netsim/packets';
import { siphash24 } from './siphash.js';

const NETWORKD_HASH_KEY = new Uint8Array([0x52, 0xe1, 0x45, 0xbd, 0x00, 0x6f, 0x29, 0x96, 0x21, 0xc6, 0x30, 0x6d, 0x83, 0x71, 0x04, 0x48]);

/** Parses /etc/machine-id text (32 hex digits) into its 16 bytes. */
export function parseMachineId(text: string): Uint8Array {
  const t = text.trim().toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(t)) throw new Error(`machine-id '${text}' must be 32 hex digits (as in /etc/machine-id)`);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * The MAC systemd-networkd gives a virtual device named `ifname` on a machine with `machineId`.
 * @example networkdMac('0123456789abcdef0123456789abcdef', 'br-bus')
 */
export function networkdMac(machineId: string, ifname: string): Mac {
  const id = parseMachineId(machineId);
  const name = new TextEncoder().encode(ifname);
  const v = new Uint8Array(16 + name.length);
  v.set(id);
  v.set(name, 16);
  const h = siphash24(v, NETWORKD_HASH_KEY);
  const b = new Uint8Array(8);
  for (let i = 0; i < 8; i++) b[i] = Number((h >> BigInt(8 * i)) & 0xffn);
  b[0] = (b[0]! & 0xfe) | 0x02;
  return readMac(b, 0);
}
