/**
 * The timeline: what happens at one instant (`b.at('2s').send(...).ping(...)`), each step checked
 * as far as one call can be and recorded both as an engine action and as data (for YAML).
 */
import { errorText, parseDuration, type Command, type Duration } from '@netsim/engine';
import { parseIpv4, type EthernetFrame, type Mac } from '@netsim/packets';
import { endpoint, sendFrame } from '@netsim/l2';
import { type ServiceSpec } from '@netsim/kube';
import { parseExec, type ExecParsed } from '@netsim/linux';
import { frameProblems } from './checks.js';
import { configProblems } from './validate.js';

import type { ScenarioBuilder } from './builder.js';

export type Action =
  | { kind: 'command'; at: Duration; dev: string; command: Command; where: string }
  | { kind: 'link'; at: Duration; link: string; up: boolean; where: string }
  | { kind: 'show'; at: Duration; dev: string; tool: string | undefined; where: string };

/** The timeline's steps, as a YAML scenario names them, with their required fields. */
export const TIMELINE_STEPS = {
  send: ['dev', 'frame'],
  command: ['dev', 'command'],
  reboot: ['dev'],
  linkDown: ['link'],
  linkUp: ['link'],
  show: ['dev'],
  applyService: ['api', 'service'],
  arping: ['host', 'dst'],
  nc: ['host', 'dst', 'port'],
  telnet: ['host', 'dst', 'port'],
  listen: ['host', 'port'],
  traceroute: ['host', 'dst'],
  ping: ['host', 'dst'],
  exec: ['host', 'cmd'],
} as const;
export type TimelineVerb = keyof typeof TIMELINE_STEPS;

/** The timeline at one instant: `b.at('2s').send(...).show('sw1')`. */
export class TimelineStep {
  constructor(
    private readonly b: ScenarioBuilder,
    private readonly time: Duration,
  ) {}

  /** A destination must be an IPv4 address (the tools take addresses, not names). */
  private checkAddress(dst: unknown, verb: string): void {
    try {
      parseIpv4(String(dst));
    } catch {
      this.b.problems.push(`${this.b.here(`at ${String(this.time)}: ${verb}`)}: dst '${String(dst)}' is not an IPv4 address`);
    }
  }

  /** An endpoint sends a frame (source MAC defaults to the endpoint's). */
  send(dev: string, frame: Omit<EthernetFrame, 'src'> & { src?: Mac }): this {
    this.b.noteStep(this.time, 'send', { dev, frame });
    const at = this.b.here(`at ${String(this.time)}: send from '${dev}'`);
    const wrong = frameProblems(frame);
    if (wrong.length) {
      for (const w of wrong) this.b.problems.push(`${at}: frame${w}`);
      return this;
    }
    this.b.pushAction({ kind: 'command', at: this.time, dev, command: sendFrame(frame), where: this.b.here(`at ${String(this.time)}: send from '${dev}'`) });
    return this;
  }

  /**
   * A host runs a command line as an engineer types it (`ip link set eth0 down`, `ip n`,
   * `sysctl -w net.ipv4.conf.all.arp_ignore=1`, `ping -c 3 10.0.0.2`): the host's command, or the
   * table it prints. A line outside the supported subset (EXEC_FORMS) is a problem at load time.
   */
  exec(host: string, cmd: string): this {
    this.b.noteStep(this.time, 'exec', { host, cmd });
    const where = this.b.here(`at ${String(this.time)}: exec on '${host}'`);
    let parsed: ExecParsed;
    try {
      parsed = parseExec(cmd);
    } catch (e) {
      this.b.problems.push(`${where}: '${String(cmd).slice(0, 200)}': ${errorText(e)}`);
      return this;
    }
    if (parsed.kind === 'show') this.b.pushAction({ kind: 'show', at: this.time, dev: host, tool: parsed.tool, where });
    else this.b.pushAction({ kind: 'command', at: this.time, dev: host, command: parsed.command, where });
    return this;
  }

  /** Any command to a device. */
  command(dev: string, command: Command): this {
    this.b.noteStep(this.time, 'command', { dev, command });
    this.b.pushAction({ kind: 'command', at: this.time, dev, command, where: this.b.here(`at ${String(this.time)}: command '${command.name}' to '${dev}'`) });
    return this;
  }

  /** A Kubernetes node reboots: its host comes back as configured, its agents start again. */
  reboot(dev: string): this {
    this.b.noteStep(this.time, 'reboot', { dev });
    this.b.pushAction({ kind: 'command', at: this.time, dev, command: { name: 'reboot' }, where: this.b.here(`at ${String(this.time)}: reboot '${dev}'`) });
    return this;
  }

  /** Takes a link down; `link` is a link id or one of its ports (`'sw2.p3'`). */
  linkDown(link: string): this {
    this.b.noteStep(this.time, 'linkDown', { link });
    this.b.pushAction({ kind: 'link', at: this.time, link, up: false, where: this.b.here(`at ${String(this.time)}: link down '${link}'`) });
    return this;
  }

  linkUp(link: string): this {
    this.b.noteStep(this.time, 'linkUp', { link });
    this.b.pushAction({ kind: 'link', at: this.time, link, up: true, where: this.b.here(`at ${String(this.time)}: link up '${link}'`) });
    return this;
  }

  /**
   * Prints a device's table into the timeline: `show mac-address-table` for a switch; for a host
   * `tool` is one of `ip neigh` (default), `ip addr`, `ip route`, `ip route show cache`, `ip route get A`, `bridge fdb <br>`, `ip -s link`.
   */
  show(dev: string, tool?: string): this {
    this.b.noteStep(this.time, 'show', { dev, ...(tool === undefined ? {} : { tool }) });
    this.b.pushAction({ kind: 'show', at: this.time, dev, tool, where: this.b.here(`at ${String(this.time)}: show '${dev}'${tool ? ` '${tool}'` : ''}`) });
    return this;
  }

  /** `kubectl apply` of a Service to the API store `api`. */
  applyService(api: string, service: ServiceSpec): this {
    this.b.noteStep(this.time, 'applyService', { api, service });
    const wrong = configProblems('service', service);
    if (wrong.length) {
      const at = this.b.here(`at ${String(this.time)}: apply service`);
      for (const w of wrong) this.b.noteShape(`${at}: service${w.path}: ${w.message}`);
      return this;
    }
    const at = () => this.b.here(`at ${String(this.time)}: apply service '${service.name}'`);
    const addrs: [string, readonly string[]][] = [['clusterIP', [service.clusterIP]], ['externalIPs', service.externalIPs ?? []], ['loadBalancerIPs', service.loadBalancerIPs ?? []], ['endpoints', service.endpoints ?? []]];
    for (const [key, list] of addrs) {
      for (const a of list) {
        try {
          parseIpv4(a);
        } catch {
          this.b.problems.push(`${at()}: service.${key}: '${a}' is not an IPv4 address`);
        }
      }
    }
    for (const p of service.ports) if (!(Number.isInteger(p.port) && p.port > 0 && p.port < 65536)) this.b.problems.push(`${at()}: service.ports: ${p.port} is not a port number (1..65535)`);
    this.b.pushAction({ kind: 'command', at: this.time, dev: api, command: { name: 'apply-service', service }, where: this.b.here(`at ${String(this.time)}: apply service '${service.name}'`) });
    return this;
  }

  /** A host runs `arping -c count [-I dev] dst` (iputils output in the timeline). */
  arping(host: string, dst: string, opts: { count?: number; dev?: string; session?: string; unsolicited?: boolean } = {}): this {
    this.b.noteStep(this.time, 'arping', { host, dst, ...opts });
    this.checkAddress(dst, 'arping');
    const command = { name: 'arping', dst, count: opts.count ?? 3, ...(opts.dev === undefined ? {} : { dev: opts.dev }), ...(opts.session === undefined ? {} : { session: opts.session }), ...(opts.unsolicited ? { unsolicited: true } : {}) };
    this.b.pushAction({ kind: 'command', at: this.time, dev: host, command, where: this.b.here(`at ${String(this.time)}: arping from '${host}' to ${dst}`) });
    return this;
  }

  /**
   * A host runs `nc -vz [-w secs] dst port` (OpenBSD netcat). With `udp`, `nc -vzu`: two
   * datagrams, then one a second for `wait` (whole seconds, default 3 s); a port unreachable in
   * that time makes it fail silently, else it reports success — as netcat's udptest does.
   */
  nc(host: string, dst: string, port: number, opts: { udp?: boolean; wait?: Duration; session?: string } = {}): this {
    this.b.noteStep(this.time, 'nc', { host, dst, port, ...opts });
    this.checkAddress(dst, 'nc');
    const command = opts.udp
      ? { name: 'nc-udp', dst, port, ...(opts.wait === undefined ? {} : { waitS: Math.floor(parseDuration(opts.wait) / 1e9) }), ...(opts.session === undefined ? {} : { session: opts.session }) }
      : { name: 'tcp-connect', dst, port, tool: 'nc', ...(opts.wait === undefined ? {} : { timeoutNs: parseDuration(opts.wait) }), ...(opts.session === undefined ? {} : { session: opts.session }) };
    this.b.pushAction({ kind: 'command', at: this.time, dev: host, command, where: this.b.here(`at ${String(this.time)}: nc from '${host}' to ${dst} ${port}`) });
    return this;
  }

  /** A host runs `telnet dst port` (connect only). */
  telnet(host: string, dst: string, port: number, opts: { session?: string } = {}): this {
    this.b.noteStep(this.time, 'telnet', { host, dst, port, ...opts });
    this.checkAddress(dst, 'telnet');
    const command = { name: 'tcp-connect', dst, port, tool: 'telnet', ...(opts.session === undefined ? {} : { session: opts.session }) };
    this.b.pushAction({ kind: 'command', at: this.time, dev: host, command, where: this.b.here(`at ${String(this.time)}: telnet from '${host}' to ${dst} ${port}`) });
    return this;
  }

  /** A host listens on a TCP port (a server answering each request with `reply`). */
  listen(host: string, port: number, reply = 'OK'): this {
    this.b.noteStep(this.time, 'listen', { host, port, reply });
    this.b.pushAction({ kind: 'command', at: this.time, dev: host, command: { name: 'tcp-listen', port, reply }, where: this.b.here(`at ${String(this.time)}: listen on '${host}' port ${port}`) });
    return this;
  }

  /**
   * A host runs `traceroute -n` to `dst`: UDP (default), `-U` (`udp-port`, one port, default 53),
   * `-I` (`icmp`) or `-T` (`tcp`, port default 80); `-m maxHops` (default 30).
   */
  traceroute(host: string, dst: string, opts: { mode?: 'udp' | 'udp-port' | 'icmp' | 'tcp'; port?: number; maxHops?: number; wait?: Duration; session?: string } = {}): this {
    this.b.noteStep(this.time, 'traceroute', { host, dst, ...opts });
    this.checkAddress(dst, 'traceroute');
    if (opts.maxHops !== undefined && !(Number.isInteger(opts.maxHops) && opts.maxHops >= 1 && opts.maxHops <= 255)) this.b.problems.push(`${this.b.here(`at ${String(this.time)}: traceroute`)}: maxHops ${opts.maxHops} is not 1..255 (traceroute: max hops cannot be more than 255)`);
    const command = { name: 'traceroute', dst, ...(opts.mode ? { mode: opts.mode } : {}), ...(opts.port === undefined ? {} : { port: opts.port }), ...(opts.maxHops === undefined ? {} : { maxHops: opts.maxHops }), ...(opts.wait === undefined ? {} : { waitNs: parseDuration(opts.wait) }), ...(opts.session === undefined ? {} : { session: opts.session }) };
    this.b.pushAction({ kind: 'command', at: this.time, dev: host, command, where: this.b.here(`at ${String(this.time)}: traceroute from '${host}' to ${dst}`) });
    return this;
  }

  /** A host runs `ping -c count [-i interval] dst` (iputils output in the timeline). */
  ping(host: string, dst: string, opts: { count?: number; interval?: Duration; session?: string } = {}): this {
    this.b.noteStep(this.time, 'ping', { host, dst, ...opts });
    this.checkAddress(dst, 'ping');
    const command = {
      name: 'ping',
      dst,
      count: opts.count ?? 3,
      ...(opts.interval === undefined ? {} : { intervalNs: parseDuration(opts.interval) }),
      ...(opts.session === undefined ? {} : { session: opts.session }),
    };
    this.b.pushAction({ kind: 'command', at: this.time, dev: host, command, where: this.b.here(`at ${String(this.time)}: ping from '${host}' to ${dst}`) });
    return this;
  }
}

