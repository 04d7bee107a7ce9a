/**
 * @netsim/linux — the Linux host model: interfaces, bridges, the neighbour cache with NUD states,
 * routing, IPv4 forwarding, ICMP (incl. redirects and their rate limit), ping, and the views
 * iproute2 prints.
 *
 * @example
 * import { linuxHost, ipNeighShow } from '@netsim/linux';
 * sim.addDevice('gw', linuxHost, { interfaces: [{ name: 'eth0', addresses: ['198.18.0.1/24'] }] });
 * console.log(ipNeighShow(sim.state('gw')));
 */
export * from './siphash.js';
export * from './macpolicy.js';
export * from './sysctl.js';
export * from './neighbour.js';
export * from './ping.js';
export * from './config.js';
export * from './fib_trie.js';
export { linuxHost } from './host.js';
export * from './commands.js';
export * from './views.js';
export * from './netfilter.js';
export * from './tcp.js';
export * from './vxlan.js';
export * from './traceroute.js';
export * from './records.js';
export * from './timers.js';
export * from './netdevice.js';
export * from './tools/cmdline.js';
export { parseCaptureFilter, filterMatches, tcpdumpLine, type CaptureSession, type CaptureFilter, type CapturePrimitive } from './tools/tcpdump.js';
