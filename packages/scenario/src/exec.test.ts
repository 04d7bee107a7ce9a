/**
 * `exec` steps: a command line in the timeline does what the structured step does (the same
 * trace, byte for byte), a wrong line is refused when the scenario loads with its YAML place, and
 * the lab script runs the scenario's own command line (addresses remapped, words quoted).
 */
import { describe, expect, it } from 'vitest';
import { parseYamlScenario } from './yaml.js';
import { runScenario } from './run.js';
import { ScenarioError } from './scenario.js';
import { labScript } from './lab.js';

const scenario = (steps: string) => `
title: two hosts
until: 10s
devices:
  sw: { switch: { ports: 2 } }
  h1: { host: { interfaces: [{ name: eth0, mac: '02:00:00:00:00:01', addresses: [198.18.0.1/24] }] } }
  h2: { host: { interfaces: [{ name: eth0, mac: '02:00:00:00:00:02', addresses: [198.18.0.2/24] }] } }
links: [[h1.eth0, sw.p1], [h2.eth0, sw.p2]]
timeline:
${steps}
`;

const fingerprint = (steps: string) => runScenario(parseYamlScenario(scenario(steps))).fingerprint;

describe('exec steps', () => {
  it('a command line and the structured step give the same trace', () => {
    expect(fingerprint("  - { at: 1s, exec: { host: h1, cmd: 'ping -c 3 -i 0.5 198.18.0.2' } }\n  - { at: 4s, exec: { host: h1, cmd: 'ip n' } }")).toBe(
      fingerprint("  - { at: 1s, ping: { host: h1, dst: 198.18.0.2, count: 3, interval: 0.5s } }\n  - { at: 4s, show: { dev: h1, tool: ip neigh } }"),
    );
    expect(fingerprint("  - { at: 1s, exec: { host: h2, cmd: 'ip link set dev eth0 down' } }\n  - { at: 2s, exec: { host: h1, cmd: 'ping -c 2 198.18.0.2' } }")).toBe(
      fingerprint("  - { at: 1s, command: { dev: h2, command: { name: link, dev: eth0, up: false } } }\n  - { at: 2s, ping: { host: h1, dst: 198.18.0.2, count: 2 } }"),
    );
  });

  it('what the line changes really changes: an address on lo answers ping; a neighbour entry replaced shows', () => {
    const run = runScenario(parseYamlScenario(scenario("  - { at: 1s, exec: { host: h2, cmd: 'ip addr add 198.18.5.5 dev lo' } }\n  - { at: 1s, exec: { host: h1, cmd: 'ip route add 198.18.5.5 via 198.18.0.2' } }\n  - { at: 2s, exec: { host: h1, cmd: 'ping -c 2 198.18.5.5' } }\n  - { at: 5s, exec: { host: h1, cmd: 'ip neigh replace 198.18.0.9 lladdr 02:00:00:00:00:09 dev eth0' } }\n  - { at: 6s, exec: { host: h1, cmd: 'ip n show dev eth0' } }")));
    const text = run.recorder.records.filter((r) => r.type === 'ping.output' || r.type === 'output').map((r) => (r as unknown as { text: string }).text).join('\n');
    expect(text).toMatch(/2 packets transmitted, 2 received, 0% packet loss/);
    expect(text).toMatch(/198\.18\.0\.9 lladdr 02:00:00:00:00:09 PERMANENT/);
  });

  it('a wrong command line is a problem when the scenario loads, at its YAML place, with the word and what is supported', () => {
    let problems: readonly string[] = [];
    try {
      runScenario(parseYamlScenario(scenario("  - { at: 1s, exec: { host: h1, cmd: 'ip link set eth0 txqueuelen 9000' } }\n  - { at: 2s, exec: { host: h1, cmd: 'ping 198.18.0.2' } }")));
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      problems = e.problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^timeline\[0\].*'ip link set eth0 txqueuelen 9000': ip link set: 'txqueuelen' is not supported \(supported here: up, down, address MAC, master BR, nomaster, mtu N\)$/),
      expect.stringMatching(/^timeline\[1\].*'ping 198\.18\.0\.2': ping: give -c N or -w SECS \(without them ping never ends\)$/),
    ]);
  });

  it('every one of 32 wrong command lines is named at its YAML place, with the word and what is supported, in one load', () => {
    const wrong: [line: string, says: RegExp][] = [
      ['ifconfig eth0 up', /'ifconfig' is not a supported command \(supported: ip, bridge, sysctl, ping, arping, iptables, arp, tcpdump, nc, traceroute\)/],
      ['ip xfrm state', /'xfrm' is not supported \(supported: address, route, neighbor, neighbour, link\)/],
      ['ip -6 route', /option '-6' is not supported \(supported: -s, -s -s\)/],
      ['ip link set eth0 promisc on', /'promisc' is not supported \(supported here: up, down, address MAC, master BR, nomaster, mtu N\)/],
      ['ip link set eth0', /say up, down, address MAC, master BR, nomaster or mtu N/],
      ['ip link add veth0 type veth peer name veth1', /type 'veth' is not modelled \(supported: bridge, dummy, vxlan/],
      ['ip link add vx0 type vxlan dstport 4789', /needs id VNI/],
      ['ip link add br1 type bridge vlan_filtering 1', /'vlan_filtering' is not supported/],
      ['ip addr add 10.0.0.5/24', /needs dev IF/],
      ['ip addr flush', /Flush requires arguments/],
      ['ip addr add 10.0.0.5/24 dev eth0 label eth0:1', /'label' is not supported \(supported here: dev IF\)/],
      ['ip route add 10.1.0.0/16 via 10.0.0.1 metric 10', /'metric' is not supported \(supported here: via GW, dev IF, onlink\)/],
      ['ip route add 10.1.0.1/16 via 10.0.0.1', /not an IPv4 prefix/],
      ['ip route get', /give one address/],
      ['ip neigh flush', /give dev IF or all/],
      ['ip neigh get 10.0.0.2 dev eth0', /not supported \(supported: add, change, replace, del, flush, show\)/],
      ['ip neigh replace 10.0.0.2 dev eth0', /needs lladdr MAC/],
      ['ip neigh replace 10.0.0.2 lladdr 02:00:00:00:00:02 dev eth0 nud bogus', /nud 'bogus' is not a state/],
      ['bridge vlan show', /'vlan' is not supported \(supported: link, fdb\)/],
      ['bridge fdb flush dev br0 vlan 10', /'vlan' is not supported \(supported here: dev BR, brport PORT, dynamic, static, permanent, nopermanent, master\)/],
      ['bridge fdb show', /name the table/],
      ['sysctl -p /etc/sysctl.conf', /not supported \(supported: -w KEY=VALUE, -a, KEY\)/],
      ['sysctl -w net.ipv4.ip_forward', /is not KEY=INTEGER/],
      ['ping 198.18.0.2', /give -c N or -w SECS \(without them ping never ends\)/],
      ['ping -c 3 -f 198.18.0.2', /'-f' is not supported \(supported here: -c N, -i SECS, -W SECS, -w SECS, -I IF\|ADDR, -M do\|want\|dont, -s BYTES, -t TTL, -q\)/],
      ['ping -c 3 example.com', /'example\.com' is not an IPv4 address/],
      ['arping -c 1 -b 198.18.0.2', /'-b' is not supported \(supported here: -c N, -I IF, -U, -A, -D\)/],
      ['iptables -t nat -A POSTROUTING -j MASQUERADE', /'nat' is not modelled \(the filter table only\)/],
      ['iptables -A INPUT -m conntrack --ctstate NEW -j ACCEPT', /-m 'conntrack' is not supported \(udp, tcp, comment\)/],
      ['iptables -N KUBE-SERVICES', /'-N' is not supported \(supported: -A, -I, -D, -F, -Z, -P, -L -v -n/],
      ['tcpdump -i eth0 -w /tmp/x.pcap', /'-w' is not supported \(supported here: -i DEV, -n, -nn, -e, -v, -p, -l, -c N, FILTER\)/],
      ['ip link set eth0 down; reboot', /';' is shell syntax/],
    ];
    const steps = wrong.map(([line], i) => `  - { at: ${i + 1}s, exec: { host: h1, cmd: ${JSON.stringify(line)} } }`).join('\n');
    let problems: readonly string[] = [];
    try {
      runScenario(parseYamlScenario(scenario(steps)));
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      problems = e.problems;
    }
    expect(wrong.length).toBe(32);
    expect(problems).toHaveLength(wrong.length);
    wrong.forEach(([line, says], i) => {
      expect(problems[i]).toContain(`timeline[${i}] (at ${i + 1}s: exec on 'h1'): '${line}': `);
      expect(problems[i]).toMatch(says);
    });
  });

  it('the lab runs the scenario’s own command line, addresses remapped and words quoted', () => {
    const s = parseYamlScenario(scenario("  - { at: 1s, exec: { host: h1, cmd: 'ip neigh replace 198.18.0.9 lladdr 02:00:00:00:00:09 dev eth0' } }\n  - { at: 2s, exec: { host: h1, cmd: 'ping -c 2 -i 0.5 198.18.0.2' } }"));
    const script = labScript(s).script;
    expect(script).toMatch(/ip netns exec "nsl\$\{TAG\}-"'h1' 'ip' 'neigh' 'replace' \S+ 'lladdr' '02:00:00:00:00:09' 'dev' 'eth0'/);
    expect(script).toMatch(/timeout 13 ip netns exec "nsl\$\{TAG\}-"'h1' 'ping' '-c' '2' '-i' '0\.5' \S+/);
  });
});

describe('the scenario guide', () => {
  it('lists exactly the command lines the parser takes (its table is EXEC_FORMS)', async () => {
    const { readFileSync } = await import('node:fs');
    const { EXEC_FORMS } = await import('@netsim/linux');
    const guide = readFileSync(new URL('../../../docs/scenario-guide.md', import.meta.url), 'utf8');
    const cell = (t: string) => t.replace(/\|/g, '\\|');
    const rows = EXEC_FORMS.map((f) => `| \`${cell(f.form)}\` | ${cell(f.does)} |`).join('\n');
    expect(guide).toContain(`| command line | what it does |\n|---|---|\n${rows}\n<!-- /exec-forms -->`);
  });
});

describe('devices commands name', () => {
  it('a command naming an interface the host lacks is refused when the scenario loads, as iproute2 words it', () => {
    let problems: readonly string[] = [];
    try {
      runScenario(parseYamlScenario(scenario("  - { at: 1s, exec: { host: h1, cmd: 'ip link set eth9 down' } }\n  - { at: 1s, command: { dev: h2, command: { name: neigh-del, dev: etho, ip: 198.18.0.1 } } }\n  - { at: 1s, exec: { host: h1, cmd: 'ip addr add 198.18.9.9 dev lo' } }")));
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      problems = e.problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^timeline\[0\].*: Cannot find device "eth9" \(did you mean 'eth0'\?\) \(h1 has lo, eth0\)$/),
      expect.stringMatching(/^timeline\[1\].*: Cannot find device "etho" \(did you mean 'eth0'\?\) \(h2 has lo, eth0\)$/),
    ]);
  });
});
