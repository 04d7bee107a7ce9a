/**
 * Command lines as engineers type them: each supported form becomes the host command or show
 * tool it means (iproute2's abbreviations included), and every line outside the subset is refused
 * with the word that is wrong and what is supported — never a stack trace, never silence.
 */
import { describe, expect, it } from 'vitest';
import { parseExec, splitWords } from './cmdline.js';

describe('exec command lines', () => {
  it.each([
    ['ip link set eth0 down', { kind: 'command', command: { name: 'link', dev: 'eth0', up: false } }],
    ['ip l s dev eth1 up', { kind: 'command', command: { name: 'link', dev: 'eth1', up: true } }],
    ['ip addr add 10.0.0.5 dev lo', { kind: 'command', command: { name: 'addr-add', dev: 'lo', address: '10.0.0.5/32' } }],
    ['ip a del 10.0.0.5/24 dev eth0', { kind: 'command', command: { name: 'addr-del', dev: 'eth0', address: '10.0.0.5/24' } }],
    ['ip route add 10.1.0.0/16 via 10.0.0.1', { kind: 'command', command: { name: 'route-add', to: '10.1.0.0/16', via: '10.0.0.1' } }],
    ['ip r replace default via 10.0.0.254 dev eth0 onlink', { kind: 'command', command: { name: 'route-replace', to: 'default', via: '10.0.0.254', dev: 'eth0', onlink: true } }],
    ['ip ro del 10.9.9.9', { kind: 'command', command: { name: 'route-del', to: '10.9.9.9/32' } }],
    ['ip neigh replace 10.0.0.2 lladdr 02:AA:00:00:00:02 dev eth0 nud reachable', { kind: 'command', command: { name: 'neigh-replace', dev: 'eth0', ip: '10.0.0.2', mac: '02:aa:00:00:00:02', state: 'REACHABLE' } }],
    ['ip n del 10.0.0.2 dev eth0', { kind: 'command', command: { name: 'neigh-del', dev: 'eth0', ip: '10.0.0.2' } }],
    ['bridge fdb append 00:00:00:00:00:00 dev vx0 dst 192.168.1.2 self permanent', { kind: 'command', command: { name: 'fdb-add', dev: 'vx0', mac: '00:00:00:00:00:00', dst: '192.168.1.2', permanent: true } }],
    ['bridge fdb del 02:00:00:00:00:09 dev br0', { kind: 'command', command: { name: 'fdb-del', dev: 'br0', mac: '02:00:00:00:00:09' } }],
    ['sysctl -w net.ipv4.conf.all.arp_ignore=1', { kind: 'command', command: { name: 'sysctl-set', key: 'net.ipv4.conf.all.arp_ignore', value: 1 } }],
    ['sysctl -w net/ipv4/conf/eth0/rp_filter=2', { kind: 'command', command: { name: 'sysctl-set', key: 'net.ipv4.conf.eth0.rp_filter', value: 2 } }],
    ['ping -c 5 -i 0.2 -s 100 -t 3 -q 10.0.0.2', { kind: 'command', command: { name: 'ping', dst: '10.0.0.2', count: 5, intervalNs: 200_000_000, size: 100, ttl: 3 } }],
    ['arping -U -c 2 -I eth0 10.0.0.9', { kind: 'command', command: { name: 'arping', dst: '10.0.0.9', count: 2, dev: 'eth0', unsolicited: true } }],
    ['ip n', { kind: 'show', tool: 'ip neigh' }],
    ['ip neighbour show dev br0', { kind: 'show', tool: 'ip neigh show dev br0' }],
    ['ip a', { kind: 'show', tool: 'ip addr' }],
    ['ip addr show eth0', { kind: 'show', tool: 'ip addr show eth0' }],
    ['ip r', { kind: 'show', tool: 'ip route' }],
    ['ip route show cache', { kind: 'show', tool: 'ip route show cache' }],
    ['ip route get 10.0.0.7', { kind: 'show', tool: 'ip route get 10.0.0.7' }],
    ['ip -s link', { kind: 'show', tool: 'ip -s link' }],
    ['bridge fdb show br br0', { kind: 'show', tool: 'bridge fdb show br br0' }],
    ['bridge fdb show dev vx0', { kind: 'show', tool: 'bridge fdb show dev vx0' }],
    ['iptables -nvL', { kind: 'show', tool: 'iptables -L -v -n' }],
    ['arp -n -i eth0', { kind: 'show', tool: 'arp -n -i eth0' }],
    ['sysctl -a', { kind: 'show', tool: 'sysctl -a' }],
    ["ip link set 'eth0' down", { kind: 'command', command: { name: 'link', dev: 'eth0', up: false } }],
  ])('%s', (line, expected) => {
    expect(parseExec(line)).toEqual(expected);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['ip link set eth0 down; reboot', /';' is shell syntax/],
    ['ip n | grep 10.0', /'\|' is shell syntax/],
    ['ping -c 1 $GW', /'\$' is shell syntax/],
    ['ip link set "eth$0" down', /shell expansions/],
    ["ip link set 'eth0 down", /unterminated single quote/],
    ['ifconfig eth0 down', /'ifconfig' is not a supported command \(supported: ip, bridge, sysctl, ping, arping, iptables, arp\)/],
    ['ip xfrm state', /ip: 'xfrm' is not supported \(supported: address, route, neighbor, neighbour, link\)/],
    ['ip -4 addr', /ip: option '-4' is not supported/],
    ['ip -s addr', /only 'ip -s link' is supported/],
    ['ip link set eth0 address 02:aa:00:00:00:01', /ip link set: 'address' is not supported \(supported here: up, down\)/],
    ['ip link set eth0 mtu 9000', /'mtu' is not supported/],
    ['ip link set eth0', /say up or down/],
    ['ip link set', /which device/],
    ['ip link add br0 type bridge', /ip link: 'add' is not supported \(supported: set, show, list\)/],
    ['ip link show', /use 'ip -s link'/],
    ['ip addr add 10.0.0.5/24', /needs dev IF/],
    ['ip addr add 10.0.0.500/24 dev eth0', /'10\.0\.0\.500\/24' is not an IPv4 address/],
    ['ip addr flush dev eth0', /ip addr: 'flush' is not supported \(supported: add, delete, show, list\)/],
    ['ip addr add 10.0.0.5/24 dev eth0 label eth0:1', /'label' is not supported \(supported here: dev IF\)/],
    ['ip route add 10.1.0.0/16 via 10.0.0.1 metric 10', /'metric' is not supported \(supported here: via GW, dev IF, onlink\)/],
    ['ip route add 10.1.0.1/16 via 10.0.0.1', /not an IPv4 prefix/],
    ['ip route add 10.1.0.0/16 via gateway', /'gateway' is not an IPv4 address/],
    ['ip route flush cache', /ip route: 'flush' is not supported/],
    ['ip route get', /give one address/],
    ['ip neigh flush dev eth0', /ip neigh flush: not supported yet \(supported: replace, del, show\)/],
    ['ip neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev eth0', /ip neigh add: not supported yet/],
    ['ip neigh replace 10.0.0.2 dev eth0', /needs lladdr MAC/],
    ['ip neigh replace 10.0.0.2 lladdr 02:00:00:00:00 dev eth0', /is not a MAC address/],
    ['ip neigh replace 10.0.0.2 lladdr 02:00:00:00:00:02 dev eth0 nud bogus', /nud 'bogus' is not a state \(incomplete, reachable/],
    ['ip neigh del 10.0.0.2', /needs dev IF/],
    ['ip neigh show proxy', /'proxy' is not supported \(supported here: dev IF\)/],
    ['bridge link set dev eth0 hairpin on', /bridge: 'link' is not supported \(supported: fdb\)/],
    ['bridge fdb flush dev br0', /bridge fdb: 'flush' is not supported/],
    ['bridge fdb add 02:00:00:00:00:09 dev br0 vlan 10', /'vlan' is not supported/],
    ['bridge fdb show', /name the table/],
    ['sysctl net.ipv4.ip_forward', /sysctl: 'net\.ipv4\.ip_forward' is not supported \(supported: -w KEY=VALUE, -a\)/],
    ['sysctl -w net.ipv4.ip_forward', /is not KEY=INTEGER/],
    ['sysctl -w a=1 b=2', /give one KEY=VALUE/],
    ['ping 10.0.0.2', /give -c N \(without it ping never ends\)/],
    ['ping -c 3 -W 1 10.0.0.2', /ping: '-W' is not supported \(supported here: -c N, -i SECS, -s BYTES, -t TTL, -q\)/],
    ['ping -c 3 -I eth1 10.0.0.2', /'-I' is not supported/],
    ['ping -c 0 10.0.0.2', /'0' is not a count/],
    ['ping -c 3 -i fast 10.0.0.2', /'fast' is not an interval/],
    ['ping -c 3 example.com', /'example\.com' is not an IPv4 address/],
    ['ping -c 3 10.0.0.2 10.0.0.3', /a second destination/],
    ['ping -c', /'-c' needs a value/],
    ['arping 10.0.0.2', /give -c N/],
    ['arping -c 1 -A 10.0.0.2', /'-A' is not supported/],
    ['iptables -D FORWARD 1', /iptables: '-D FORWARD 1' is not supported yet \(supported: -L -v -n\)/],
    ['arp -a', /arp: '-a' is not supported/],
    ['__proto__ x', /'__proto__' is not a supported command/],
  ])('refuses %j, naming the word', (line, message) => {
    expect(() => parseExec(line)).toThrow(message);
  });

  it('splits words as a shell splits plain words and quotes', () => {
    expect(splitWords("  ip  link set 'my dev' \"up\"  ")).toEqual(['ip', 'link', 'set', 'my dev', 'up']);
    expect(() => splitWords('x'.repeat(5000))).toThrow(/at most 4096/);
  });
});
