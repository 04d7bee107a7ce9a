/**
 * Found by `netsim fuzz-kernel --seed 1`, case 222; shrunk in 14 kernel runs (120 s).
 *
 * Where netsim and the kernel differed:
 * - 2s h0 ping
 *     netsim: 2 packets transmitted, 1 received, 50% packet loss
 *     kernel: 2 packets transmitted, 2 received, 0% packet loss
 * - 9.5s h1 iptables INPUT policy ACCEPT packets
 *     netsim: 1
 *     kernel: 2
 * - 9.5s h1 iptables INPUT policy ACCEPT bytes
 *     netsim: 60
 *     kernel: 144
 *
 * Until the model is fixed (or the difference explained in `lab.explained`, with a note in
 * docs/fidelity.md), this conformance scenario fails.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Found by fuzz-kernel: ping, iptables (d5dc7a20cf)',
  until: '10s',
  build(b) {
    b.host('b0', { interfaces: [{ name: 'p1', mac: '02:00:00:00:b0:01', master: 'br0' }, { name: 'p2', mac: '02:00:00:00:b0:02', master: 'br0' }, { name: 'p3', mac: '02:00:00:00:b0:03', master: 'br0' }, { name: 'br0', kind: 'bridge' }] });
    b.host('b1', { interfaces: [{ name: 'p1', mac: '02:00:00:00:b1:01', master: 'br0' }, { name: 'br0', kind: 'bridge' }] });
    b.switch('sw2', { ports: 2 });
    b.host('h0', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:10', addresses: ['198.18.80.10/24'] }], routes: [{ to: '198.18.81.0/24', via: '198.18.80.254' }, { to: '198.18.82.0/24', via: '198.18.80.254' }], sysctl: {} });
    b.host('h1', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:11', addresses: ['198.18.80.11/24'] }], routes: [{ to: '198.18.81.0/24', via: '198.18.80.254' }, { to: '198.18.82.0/24', via: '198.18.80.254' }], sysctl: {} });
    b.host('r', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:80:fe', addresses: ['198.18.80.254/24'] }, { name: 'eth1', mac: '02:00:00:00:81:fe', addresses: ['198.18.81.254/24'] }, { name: 'eth2', mac: '02:00:00:00:82:fe', addresses: ['198.18.82.254/24'] }], routes: [], sysctl: { 'net.ipv4.ip_forward': 1 } });
    b.link('h0.eth0', 'b0.p1');
    b.link('h1.eth0', 'b0.p2');
    b.link('r.eth0', 'b0.p3');
    b.link('r.eth1', 'b1.p1');
    b.link('r.eth2', 'sw2.p1');
    b.at('1s').exec('b0', 'bridge fdb flush dev br0 dynamic');
    b.at('2s').exec('h0', 'ping -c 2 -i 1 -W 1 198.18.80.11');
    b.at('3s').exec('h1', 'iptables -I INPUT -p icmp -j DROP');
    b.at('3.5s').exec('h0', 'nc -vz -w 1 198.18.80.11 7000');
    b.at('4s').exec('h1', 'iptables -D INPUT -p icmp -j DROP');
    b.at('4.5s').exec('h1', 'ip neigh flush dev eth0');
    b.at('5s').exec('h1', 'ip neigh flush dev eth0');
    b.at('9.5s').exec('h0', 'ip n');
    b.at('9.5s').exec('h1', 'ip n');
    b.at('9.5s').exec('h1', 'iptables -L INPUT -v -n');
    b.at('9.5s').exec('r', 'ip n');
  },
});
