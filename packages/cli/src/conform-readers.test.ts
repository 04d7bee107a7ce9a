/**
 * conform's readers on what the kernel printed: `ip -s -s link` of a veth that dropped two
 * datagrams to another host's MAC (recorded on Linux 6.18 with iproute2 6.1), read the same from
 * netsim's view of the same counters.
 */
import { describe, expect, it } from 'vitest';
import { statsSet } from './conform-readers.js';

const KERNEL = `2: eth0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000
    link/ether 02:00:00:00:c0:11 brd ff:ff:ff:ff:ff:ff link-netns nsc-a-20044
    RX:  bytes packets errors dropped  missed   mcast           
           196       2      0       0       0       0 
    RX errors:  length    crc   frame    fifo overrun otherhost
                     0      0       0       0       0         2 
    TX:  bytes packets errors dropped carrier collsns           
             0       0      0       3       0       0 
    TX errors: aborted   fifo  window heartbt transns
                     0      0       0       0       2 `;

describe('statsSet', () => {
  it("reads each device's rx, tx, otherhost and carrier changes", () => {
    expect(Object.fromEntries(statsSet(KERNEL))).toEqual({
      'eth0 rx': '196 bytes 2 packets 0 dropped',
      'eth0 otherhost': '2',
      'eth0 tx': '0 bytes 0 packets 3 dropped',
      'eth0 transns': '2',
    });
  });

  it('reads no otherhost column as none, and plain -s as packets and bytes only', () => {
    const plain = KERNEL.split('\n').filter((l) => !/errors:|^ {21}0/.test(l)).join('\n');
    expect(Object.fromEntries(statsSet(plain))).toEqual({ 'eth0 rx': '196 bytes 2 packets 0 dropped', 'eth0 tx': '0 bytes 0 packets 3 dropped' });
    const noOtherhost = KERNEL.replace(' otherhost', '').replace('         2 \n', '\n');
    expect(statsSet(noOtherhost).get('eth0 otherhost')).toBe('0');
  });
});
