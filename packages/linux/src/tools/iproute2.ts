/**
 * `ip` and `bridge` command lines (iproute2: ip/ip.c, ipaddress.c, iproute.c, ipneigh.c,
 * iplink.c, bridge/fdb.c) as the host's commands or the views that print what they print.
 */
import { NUD_STATES, type NudState } from '../neighbour.js';
import { unicastMac } from '../netdevice.js';
import type { HostCommand } from '../commands.js';
import { address, Args, cidr, count, keyword, mac, matches, type ExecParsed } from './args.js';

/** `ip ...` (ip/ip.c: address, route, neighbour, link in the order ip.c tries them). */
export function ip(words: string[]): ExecParsed {
  const rest = [...words];
  // -s (-stats, -statistics) once for the counters, twice for the error counters as well.
  let level = 0;
  while (rest[0] === '-s' || rest[0] === '-stats' || rest[0] === '-statistics') {
    rest.shift();
    level = Math.min(2, level + 1);
  }
  const stats = level > 0;
  if (rest[0]?.startsWith('-')) throw new Error(`ip: option '${rest[0]}' is not supported (supported: -s, -s -s)`);
  const object = keyword(rest[0], ['address', 'route', 'neighbor', 'neighbour', 'link'], 'ip');
  const sub = rest.slice(1);
  if (stats && object !== 'link') throw new Error(`ip -s ${rest[0]}: only 'ip -s link' is supported`);
  switch (object) {
    case 'address':
      return ipAddr(sub);
    case 'route':
      return ipRoute(sub);
    case 'neighbor':
    case 'neighbour':
      return ipNeigh(sub);
    default:
      return ipLink(sub, stats, level === 2 ? 'ip -s -s link' : 'ip -s link');
  }
}

function ipLink(words: string[], stats: boolean, view = 'ip -s link'): ExecParsed {
  const verb = keyword(words[0] ?? 'show', stats ? ['show', 'list'] : ['add', 'delete', 'set', 'show', 'list'], 'ip link');
  if (verb === 'add') return ipLinkAdd(words.slice(1));
  if (verb === 'delete') {
    const a = new Args(words.slice(1), 'ip link del');
    let dev = a.next();
    if (dev === 'dev') dev = a.value('dev');
    if (dev === undefined) throw new Error('ip link del: which device? (ip link del br0)');
    if (!a.done()) a.unsupported(a.peek()!, []);
    return { kind: 'command', command: { name: 'link-del', dev } };
  }
  if (verb !== 'set') {
    if (!stats) throw new Error("ip link show: use 'ip -s link' (the view with counters)");
    const a = new Args(words.slice(1), 'ip -s link show');
    let dev = a.next();
    if (dev === 'dev') dev = a.value('dev');
    if (!a.done()) a.unsupported(a.peek()!, ['dev IF']);
    return { kind: 'show', tool: dev === undefined ? view : `${view} show dev ${dev}` };
  }
  const a = new Args(words.slice(1), 'ip link set');
  let dev = a.next();
  if (dev === 'dev') dev = a.value('dev');
  if (dev === undefined) throw new Error('ip link set: which device? (ip link set dev eth0 up)');
  const changes: HostCommand[] = [];
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (w === 'up' || w === 'down') changes.push({ name: 'link', dev, up: w === 'up' });
    else if (w === 'address') changes.push({ name: 'link-address', dev, mac: unicastMac(mac(a.value('address'), 'ip link set address'), 'ip link set address') });
    else if (w === 'master') changes.push({ name: 'link-master', dev, master: a.value('master') });
    else if (w === 'nomaster') changes.push({ name: 'link-master', dev });
    else if (w === 'mtu') changes.push({ name: 'link-mtu', dev, mtu: count(a.value('mtu'), 'ip link set mtu', 65535) });
    else a.unsupported(w, ['up', 'down', 'address MAC', 'master BR', 'nomaster', 'mtu N']);
  }
  if (changes.length === 0) throw new Error('ip link set: say up, down, address MAC, master BR, nomaster or mtu N');
  if (changes.length > 1) throw new Error('ip link set: one change per line here (e.g. master, then up on a line of its own)');
  return { kind: 'command', command: changes[0]! };
}

/** `ip link add NAME [address MAC] [mtu N] type bridge|dummy|vxlan [vxlan options]` (ip/iplink.c, iplink_vxlan.c). */
function ipLinkAdd(words: string[]): ExecParsed {
  const a = new Args(words, 'ip link add');
  const out: { dev?: string; mac?: string; mtu?: number; kind?: 'bridge' | 'dummy' | 'vxlan'; vni?: number; dstport?: number; local?: string; underlay?: string; learning?: boolean; proxy?: boolean } = {};
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (out.kind === 'vxlan') {
      if (w === 'id' || w === 'vni') out.vni = count(a.value(w), 'ip link add type vxlan id', 0xffffff);
      else if (w === 'dstport') out.dstport = count(a.value('dstport'), 'ip link add type vxlan dstport', 65535);
      else if (w === 'local') out.local = address(a.value('local'), 'ip link add type vxlan local');
      else if (w === 'dev') out.underlay = a.value('dev');
      else if (w === 'nolearning') out.learning = false;
      else if (w === 'learning') out.learning = true;
      else if (w === 'proxy') out.proxy = true;
      else a.unsupported(w, ['id VNI', 'dstport PORT', 'local ADDR', 'dev LOWER', 'nolearning', 'proxy']);
    } else if (out.kind !== undefined) a.unsupported(w, []);
    else if (w === 'name' || w === 'dev') out.dev = a.value(w);
    else if (w === 'address') out.mac = unicastMac(mac(a.value('address'), 'ip link add address'), 'ip link add address');
    else if (w === 'mtu') out.mtu = count(a.value('mtu'), 'ip link add mtu', 65535);
    else if (w === 'type') {
      const t = a.value('type');
      if (t !== 'bridge' && t !== 'dummy' && t !== 'vxlan') throw new Error(`ip link add: type '${t}' is not modelled (supported: bridge, dummy, vxlan; NICs come from the scenario's interfaces)`);
      out.kind = t;
    } else if (w.startsWith('-') || out.dev !== undefined) a.unsupported(w, ['NAME', 'address MAC', 'mtu N', 'type bridge|dummy|vxlan']);
    else out.dev = w;
  }
  if (out.dev === undefined) throw new Error('ip link add: which name? (ip link add br0 type bridge)');
  if (out.kind === undefined) throw new Error('ip link add: needs type bridge|dummy|vxlan (iproute2: "Not enough information: \"type\" argument is required")');
  if (out.kind === 'vxlan' && out.vni === undefined) throw new Error('ip link add type vxlan: needs id VNI (iproute2: "vxlan: missing virtual network identifier")');
  const { dev, kind, ...rest } = out;
  return { kind: 'command', command: { name: 'link-add', dev, kind, ...rest } };
}

function ipAddr(words: string[]): ExecParsed {
  const verb = keyword(words[0] ?? 'show', ['add', 'delete', 'show', 'list', 'flush'], 'ip addr');
  if (verb === 'flush') {
    const a = new Args(words.slice(1), 'ip addr flush');
    let dev = a.next();
    if (dev === undefined) throw new Error('ip addr flush: give dev IF (iproute2: "Flush requires arguments.")');
    if (dev === 'dev') dev = a.value('dev');
    if (!a.done()) a.unsupported(a.peek()!, []);
    return { kind: 'command', command: { name: 'addr-flush', dev } };
  }
  if (verb === 'show' || verb === 'list') {
    const a = new Args(words.slice(1), 'ip addr show');
    let dev = a.next();
    if (dev === 'dev') dev = a.value('dev');
    if (!a.done()) a.unsupported(a.peek()!, ['dev IF']);
    return { kind: 'show', tool: dev === undefined ? 'ip addr' : `ip addr show ${dev}` };
  }
  const a = new Args(words.slice(1), `ip addr ${verb === 'add' ? 'add' : 'del'}`);
  const addr = cidr(a.value('address'), `ip addr ${verb}`, true);
  let dev: string | undefined;
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (w === 'dev') dev = a.value('dev');
    else a.unsupported(w, ['dev IF']);
  }
  if (dev === undefined) throw new Error(`ip addr ${verb}: needs dev IF (iproute2: "Not enough information: \\"dev\\" argument is required.")`);
  return { kind: 'command', command: { name: verb === 'add' ? 'addr-add' : 'addr-del', dev, address: addr } };
}

function ipRoute(words: string[]): ExecParsed {
  const verb = keyword(words[0] ?? 'show', ['add', 'delete', 'replace', 'show', 'list', 'flush', 'get'], 'ip route');
  if (verb === 'flush') {
    const a = new Args(words.slice(1), 'ip route flush');
    const w = a.next();
    if (w === undefined) throw new Error('ip route flush: give dev IF, a PREFIX or cache (iproute2: "Flush requires arguments.")');
    let out: { dev?: string; to?: string; cache?: boolean };
    if (w === 'dev') out = { dev: a.value('dev') };
    else if (matches(w, 'cache')) out = { cache: true };
    else out = { to: w === 'default' ? 'default' : cidr(w, 'ip route flush') };
    if (!a.done()) a.unsupported(a.peek()!, []);
    return { kind: 'command', command: { name: 'route-flush', ...out } };
  }
  if (verb === 'show' || verb === 'list') {
    const rest = words.slice(1);
    if (rest.length === 0) return { kind: 'show', tool: 'ip route' };
    if (rest.length === 1 && matches(rest[0]!, 'cache')) return { kind: 'show', tool: 'ip route show cache' };
    throw new Error(`ip route show: '${rest[0]}' is not supported (supported: cache)`);
  }
  if (verb === 'get') {
    if (words.length !== 2) throw new Error('ip route get: give one address (ip route get 10.0.0.1)');
    return { kind: 'show', tool: `ip route get ${address(words[1]!, 'ip route get')}` };
  }
  const a = new Args(words.slice(1), `ip route ${verb}`);
  const to = a.value('prefix');
  const prefix = to === 'default' ? 'default' : cidr(to, `ip route ${verb}`);
  const out: { via?: string; dev?: string; onlink?: boolean } = {};
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (w === 'via') out.via = address(a.value('via'), `ip route ${verb} via`);
    else if (w === 'dev') out.dev = a.value('dev');
    else if (w === 'onlink') out.onlink = true;
    else a.unsupported(w, ['via GW', 'dev IF', 'onlink']);
  }
  return { kind: 'command', command: { name: verb === 'add' ? 'route-add' : verb === 'replace' ? 'route-replace' : 'route-del', to: prefix, ...out } };
}

function ipNeigh(words: string[]): ExecParsed {
  const verb = keyword(words[0] ?? 'show', ['add', 'change', 'replace', 'delete', 'show', 'list', 'flush', 'get'], 'ip neigh');
  if (verb === 'show' || verb === 'list') {
    const a = new Args(words.slice(1), 'ip neigh show');
    let dev: string | undefined;
    for (let w = a.next(); w !== undefined; w = a.next()) {
      if (w === 'dev') dev = a.value('dev');
      else a.unsupported(w, ['dev IF']);
    }
    return { kind: 'show', tool: dev === undefined ? 'ip neigh' : `ip neigh show dev ${dev}` };
  }
  if (verb === 'flush') {
    // iproute2: "Flush requires arguments."; `all` (or any, default) is the whole table.
    const a = new Args(words.slice(1), 'ip neigh flush');
    const w = a.next();
    if (w === undefined) throw new Error('ip neigh flush: give dev IF or all (iproute2: "Flush requires arguments.")');
    if (w === 'all' || w === 'any') {
      if (!a.done()) a.unsupported(a.peek()!, []);
      return { kind: 'command', command: { name: 'neigh-flush' } };
    }
    if (w !== 'dev') a.unsupported(w, ['dev IF', 'all']);
    const dev = a.value('dev');
    if (!a.done()) a.unsupported(a.peek()!, []);
    return { kind: 'command', command: { name: 'neigh-flush', dev } };
  }
  if (verb === 'get') throw new Error('ip neigh get: not supported (supported: add, change, replace, del, flush, show)');
  const what = `ip neigh ${verb === 'delete' ? 'del' : verb}`;
  const a = new Args(words.slice(1), what);
  const ipText = address(a.value('address'), what);
  let dev: string | undefined;
  let lladdr: string | undefined;
  let state: NudState | undefined;
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (w === 'dev') dev = a.value('dev');
    else if (verb !== 'delete' && w === 'lladdr') lladdr = mac(a.value('lladdr'), what);
    else if (verb !== 'delete' && w === 'nud') {
      const s = a.value('nud').toUpperCase();
      if (!(NUD_STATES as readonly string[]).includes(s)) throw new Error(`${what}: nud '${s.toLowerCase()}' is not a state (${NUD_STATES.map((x) => x.toLowerCase()).join(', ')})`);
      state = s as NudState;
    } else a.unsupported(w, verb !== 'delete' ? ['lladdr MAC', 'dev IF', 'nud STATE'] : ['dev IF']);
  }
  if (dev === undefined) throw new Error(`${what}: needs dev IF`);
  if (verb === 'delete') return { kind: 'command', command: { name: 'neigh-del', dev, ip: ipText } };
  if (lladdr === undefined) throw new Error(`${what}: needs lladdr MAC`);
  return { kind: 'command', command: { name: 'neigh-replace', dev, ip: ipText, mac: lladdr, ...(state ? { state } : {}), ...(verb === 'add' || verb === 'change' ? { mode: verb } : {}) } };
}

/** `bridge fdb ...` (bridge/fdb.c) and `bridge link [show] [dev IF]` (bridge/link.c). */
export function bridge(words: string[]): ExecParsed {
  const object = keyword(words[0], ['link', 'fdb'], 'bridge');
  if (object === 'link') {
    const verb = keyword(words[1] ?? 'show', ['show', 'list'], 'bridge link');
    const a = new Args(words.slice(2), `bridge link ${verb}`);
    const w = a.next();
    if (w === undefined) return { kind: 'show', tool: 'bridge link' };
    if (w !== 'dev') a.unsupported(w, ['dev IF']);
    const dev = a.value('dev');
    if (!a.done()) a.unsupported(a.peek()!, []);
    return { kind: 'show', tool: `bridge link show dev ${dev}` };
  }
  const verb = keyword(words[1] ?? 'show', ['add', 'append', 'delete', 'replace', 'show', 'list', 'flush'], 'bridge fdb');
  if (verb === 'flush') {
    const a = new Args(words.slice(2), 'bridge fdb flush');
    let dev: string | undefined;
    let port: string | undefined;
    let state: 'dynamic' | 'static' | 'permanent' | 'nopermanent' | undefined;
    for (let w = a.next(); w !== undefined; w = a.next()) {
      if (w === 'dev') dev = a.value('dev');
      else if (w === 'brport') port = a.value('brport');
      else if (w === 'dynamic' || w === 'static' || w === 'permanent' || w === 'nopermanent') {
        if (state !== undefined) throw new Error(`bridge fdb flush: one state here ('${state}' and '${w}')`);
        state = w;
      } else if (w !== 'master') a.unsupported(w, ['dev BR', 'brport PORT', 'dynamic', 'static', 'permanent', 'nopermanent', 'master']);
    }
    if (dev === undefined) throw new Error('bridge fdb flush: needs dev BR (bridge: "Device is a required argument.")');
    return { kind: 'command', command: { name: 'fdb-flush', dev, ...(port === undefined ? {} : { port }), ...(state === undefined ? {} : { state }) } };
  }
  if (verb === 'show' || verb === 'list') {
    const a = new Args(words.slice(2), 'bridge fdb show');
    const w = a.next();
    if (w === undefined) throw new Error('bridge fdb show: name the table (br BR or dev IF)');
    if (w !== 'br' && w !== 'dev') a.unsupported(w, ['br BR', 'dev IF']);
    const dev = a.value(w);
    if (!a.done()) a.unsupported(a.peek()!, []);
    return { kind: 'show', tool: `bridge fdb show ${w} ${dev}` };
  }
  const what = `bridge fdb ${verb === 'delete' ? 'del' : verb}`;
  const a = new Args(words.slice(2), what);
  const m = mac(a.value('MAC'), what);
  let dev: string | undefined;
  let dst: string | undefined;
  let permanent = false;
  for (let w = a.next(); w !== undefined; w = a.next()) {
    if (w === 'dev') dev = a.value('dev');
    else if (w === 'dst') dst = address(a.value('dst'), `${what} dst`);
    else if (w === 'permanent') permanent = true;
    else if (w !== 'self') a.unsupported(w, ['dev IF', 'dst ADDR', 'self', 'permanent']);
  }
  if (dev === undefined) throw new Error(`${what}: needs dev IF`);
  const name = verb === 'delete' ? 'fdb-del' : verb === 'replace' ? 'fdb-replace' : 'fdb-add';
  return { kind: 'command', command: { name, dev, mac: m, ...(dst ? { dst } : {}), ...(permanent ? { permanent } : {}) } };
}

