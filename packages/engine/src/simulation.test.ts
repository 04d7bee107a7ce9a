import { describe, expect, it } from 'vitest';
import { defineDevice, Simulation, TraceRecorder, EventBudgetExceeded, ForwardingLoopError, TopologyError, DeviceError, SECOND, type TraceRecord } from './index.js';

/** A frame for these tests: who sent it and a label. */
interface F {
  from: string;
  label: string;
  bcast?: boolean;
}
const frames = { length: () => 100, describe: (f: F) => `${f.from}:${f.label}`, isBroadcast: (f: F) => f.bcast === true };

/** Repeats every frame out of every other port (a hub), or sends on command. */
const hub = defineDevice<{ ports: readonly string[] }, { ports: string[] }, F>({
  kind: 'hub',
  ports: (c) => c.ports,
  init: (c) => ({ ports: c.ports }),
  on: {
    frame(s, { port, frame }, _ctx, fx) {
      for (const p of s.ports) if (p !== port) fx.tx(p, frame);
    },
    command(s, { command }, ctx, fx) {
      fx.tx(s.ports[0]!, { from: ctx.device, label: String(command['label']), bcast: true });
    },
  },
});

/** Counts what it receives; can set/cancel timers on command. */
const sink = defineDevice<{ got: string[]; fired: string[] }, Record<string, never>, F>({
  kind: 'sink',
  ports: () => ['p'],
  init: () => ({ got: [], fired: [] }),
  on: {
    frame(_s, { frame }, ctx, fx) {
      fx.write((d) => {
        d.got.push(`${ctx.now}:${frame.label}`);
      });
    },
    timer(_s, { key }, ctx, fx) {
      fx.write((d) => {
        d.fired.push(`${ctx.now}:${key}`);
      });
    },
    command(_s, { command }, _ctx, fx) {
      if (command.name === 'arm') fx.timer(String(command['key']), Number(command['after']), undefined, { background: command['background'] === true });
      else if (command.name === 'cancel') fx.cancel(String(command['key']));
      else if (command.name === 'send') fx.tx('p', { from: 'sink', label: String(command['label']) });
    },
  },
});

describe('Simulation', () => {
  it('delivers after the propagation delay plus serialisation at the line rate', () => {
    const sim = new Simulation<F>({ frames });
    sim.addDevice('a', sink, {});
    sim.addDevice('b', sink, {});
    sim.connect('a.p', 'b.p', { delay: '5us', rateBps: 100e6 });
    sim.command(0, 'a', { name: 'send', label: 'x' });
    sim.command(0, 'a', { name: 'send', label: 'y' });
    sim.run();
    // (100 + 4 FCS) bytes * 8 / 100 Mbit/s = 8.32 us each; FIFO: y waits for x.
    expect(sim.state<{ got: string[] }>('b').got).toEqual(['13320:x', '21640:y']);
  });

  it('runs events at equal times in insertion order', () => {
    const sim = new Simulation<F>({ frames });
    sim.addDevice('a', sink, {});
    const order: number[] = [];
    for (let i = 0; i < 50; i++) sim.at(SECOND, () => order.push(i));
    sim.run();
    expect(order).toEqual([...Array(50).keys()]);
  });

  it('re-arming a timer replaces it; cancelling removes it; background timers do not keep a run busy', () => {
    const sim = new Simulation<F>({ frames });
    sim.addDevice('a', sink, {});
    sim.command(0, 'a', { name: 'arm', key: 't', after: 5 * SECOND });
    sim.command(1 * SECOND, 'a', { name: 'arm', key: 't', after: 1 * SECOND });
    sim.command(0, 'a', { name: 'arm', key: 'gone', after: 3 * SECOND });
    sim.command(1 * SECOND, 'a', { name: 'cancel', key: 'gone' });
    sim.command(1 * SECOND, 'a', { name: 'arm', key: 'bg', after: 100 * SECOND, background: true });
    const r = sim.runUntilQuiescent();
    expect(r.stop).toBe('quiescent');
    expect(sim.state<{ fired: string[] }>('a').fired).toEqual([`${2 * SECOND}:t`]);
    sim.run();
    expect(sim.state<{ fired: string[] }>('a').fired).toEqual([`${2 * SECOND}:t`, `${101 * SECOND}:bg`]);
  });

  it('drops frames on a down link and in flight when it goes down, and tells both ends', () => {
    const sim = new Simulation<F>({ frames });
    const carrier: string[] = [];
    const watcher = defineDevice<null, Record<string, never>, F>({
      kind: 'watcher',
      ports: () => ['p'],
      init: () => null,
      on: { carrier: (_s, { up }, ctx) => void carrier.push(`${ctx.device}:${up}`), frame: () => {}, command: (_s, _i, _c, fx) => fx.tx('p', { from: 'w', label: 'z' }) },
    });
    sim.addDevice('a', watcher, {});
    sim.addDevice('b', watcher, {});
    const id = sim.connect('a.p', 'b.p', { delay: '1ms' });
    const rec = new TraceRecorder(sim);
    sim.command(0, 'a', { name: 'go' });
    sim.setLink('500us', id, false);
    sim.command('600us', 'a', { name: 'go' });
    sim.run();
    const drops = rec.records.filter((r) => r.type === 'drop');
    expect(drops.map((d) => (d as { detail: string }).detail)).toEqual([`link '${id}' is down`, `link '${id}' went down while the frame was in flight`]);
    expect(carrier).toEqual(['a:false', 'b:false']);
    expect(sim.countersOf('b').drops).toEqual({ NO_CARRIER: 1 });
  });

  it('ends a broadcast storm in a loop with the budget error naming the busiest device, in under a second', () => {
    const sim = new Simulation<F>({ frames, maxEvents: 200_000, maxFrameHops: 0 });
    for (const s of ['s1', 's2', 's3']) sim.addDevice(s, hub, { ports: ['a', 'b', 'x'] });
    sim.connect('s1.a', 's2.b');
    sim.connect('s2.a', 's3.b');
    sim.connect('s3.a', 's1.b');
    sim.command(0, 's1', { name: 'go', label: 'hello' });
    const t0 = performance.now(); // wall-clock-ok: asserting the storm ends fast
    let err: unknown;
    try {
      sim.run({ until: '10s' });
    } catch (e) {
      err = e;
    }
    expect(performance.now() - t0).toBeLessThan(1000); // wall-clock-ok
    expect(err).toBeInstanceOf(EventBudgetExceeded);
    expect((err as Error).message).toMatch(/event budget of 200,000 events exceeded at t=0\.\d+s; busiest: s\d \(\d[\d,]* events, 100% broadcast frames\)/);
    expect((err as Error).message).toMatch(/broadcast storm.*forwarding loop/);
  });

  it('names a forwarding loop as soon as one frame has gone round too often', () => {
    const sim = new Simulation<F>({ frames });
    for (const s of ['s1', 's2', 's3']) sim.addDevice(s, hub, { ports: ['a', 'b', 'x'] });
    sim.connect('s1.a', 's2.b');
    sim.connect('s2.a', 's3.b');
    sim.connect('s3.a', 's1.b');
    sim.command(0, 's1', { name: 'go', label: 'hello' });
    expect(() => sim.run({ until: '10s' })).toThrow(ForwardingLoopError);
    expect(sim.events).toBeGreaterThan(255);
    expect(sim.events).toBeLessThan(2000);
  });

  it('reports topology mistakes by name', () => {
    const sim = new Simulation<F>({ frames });
    sim.addDevice('sw1', hub, { ports: ['p1', 'p2'] });
    sim.addDevice('h1', sink, {});
    expect(() => sim.addDevice('sw1', hub, { ports: [] })).toThrow(new TopologyError("device 'sw1' is defined twice"));
    expect(() => sim.connect('h1.p', 'sw1.p9')).toThrow("link sw1.p9: port 'p9' does not exist (sw1 has p1, p2)");
    expect(() => sim.connect('h1.p', 'sw2.p1')).toThrow("link sw2.p1: unknown device 'sw2' (did you mean 'sw1'?)");
    sim.connect('h1.p', 'sw1.p1');
    expect(() => sim.connect('sw1.p1', 'sw1.p2')).toThrow(/port sw1\.p1 is already connected by link 'h1\.p <-> sw1\.p1'/);
    expect(() => sim.command(0, 'nope', { name: 'x' })).toThrow(/unknown device 'nope'/);
  });

  it('wraps a model that throws with the device, input and time', () => {
    const sim = new Simulation<F>({ frames });
    sim.addDevice('a', sink, {});
    sim.command('1s', 'a', { name: 'frobnicate' });
    const bad = defineDevice<null, Record<string, never>, F>({ kind: 'bad', ports: () => ['p'], init: () => null, on: {} });
    sim.addDevice('b', bad, {});
    sim.command('2s', 'b', { name: 'frobnicate' });
    let err: unknown;
    try {
      sim.run();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as Error).message).toBe("device 'b' (bad) failed on command 'frobnicate' at 2.000000000s: bad has no command 'frobnicate'");
  });

  it('gives each device its own seeded stream, unchanged by adding other devices', () => {
    const draws = (ids: string[]) => {
      const sim = new Simulation<F>({ frames, seed: 9 });
      const out: Record<string, number[]> = {};
      const roller = defineDevice<null, Record<string, never>, F>({
        kind: 'roller',
        ports: () => [],
        init: () => null,
        on: { command: (_s, _i, ctx) => void (out[ctx.device] = [ctx.rng.nextU32(), ctx.rng.nextU32()]) },
      });
      for (const id of ids) {
        sim.addDevice(id, roller, {});
        sim.command(0, id, { name: 'roll' });
      }
      sim.run();
      return out;
    };
    const a = draws(['h1', 'h2']);
    const b = draws(['h0', 'h2', 'h3', 'h1']);
    expect(b['h1']).toEqual(a['h1']);
    expect(b['h2']).toEqual(a['h2']);
    expect(a['h1']).not.toEqual(a['h2']);
  });

  it('delivers messages between devices out of band, after their delay, naming the sender', () => {
    const sim = new Simulation<F>({ frames });
    const ctl = defineDevice<null, Record<string, never>, F>({
      kind: 'controller',
      ports: () => [],
      init: () => null,
      on: { command: (_s, { command }, _ctx, fx) => fx.send('a', { name: 'arm', key: String(command['key']), after: 0 }, 250 * 1_000_000) },
    });
    sim.addDevice('ctl', ctl, {});
    sim.addDevice('a', sink, {});
    const rec = new TraceRecorder(sim);
    sim.command('1s', 'ctl', { name: 'go', key: 'from-ctl' });
    sim.run();
    expect(sim.state<{ fired: string[] }>('a').fired).toEqual([`${1.25 * SECOND}:from-ctl`]);
    expect(rec.records.filter((r) => r.type === 'command').map((r) => [r.t, r.dev, (r as { from?: string }).from])).toEqual([
      [SECOND, 'ctl', undefined],
      [1.25 * SECOND, 'a', 'ctl'],
    ]);
    const bad = new Simulation<F>({ frames });
    bad.addDevice('ctl', defineDevice<null, Record<string, never>, F>({ kind: 'c', ports: () => [], init: () => null, on: { command: (_s, _i, _c, fx) => fx.send('nobody', { name: 'x' }) } }), {});
    bad.command(0, 'ctl', { name: 'go' });
    expect(() => bad.run()).toThrow("device 'ctl' sent 'x' to unknown device 'nobody'");
  });

  it('does not build trace records when nobody listens', () => {
    const sim = new Simulation<F>({ frames });
    sim.addDevice('a', sink, {});
    sim.addDevice('b', sink, {});
    sim.connect('a.p', 'b.p');
    sim.command(0, 'a', { name: 'send', label: 'x' });
    sim.run();
    const records: TraceRecord<F>[] = [];
    sim.trace.on('*', (_t, r) => records.push(r));
    sim.command(sim.now, 'a', { name: 'send', label: 'y' });
    sim.run();
    expect(records.map((r) => r.type)).toEqual(['command', 'tx', 'rx']);
    expect(records[0]!.n).toBe(0);
  });
});

describe('loading is linear in the number of devices', () => {
  it('adding devices reallocates the random streams only when their array doubles, and every stream stays its own', () => {
    const sim = new Simulation<F>({ seed: 3, frames });
    const slots = (sim as unknown as { devices: { rng: unknown }[] }).devices;
    let rebinds = 0;
    let first: unknown;
    for (let i = 0; i < 5000; i++) {
      sim.addDevice(`h${i}`, hub, { ports: ['p'] });
      if (i === 0) first = slots[0]!.rng;
      else if (slots[0]!.rng !== first) {
        rebinds++;
        first = slots[0]!.rng;
      }
    }
    // Doubling from 32 slots: 32 → 64 → … → 8192 is 8 reallocations, not 4,999.
    expect(rebinds).toBeLessThanOrEqual(9);
    // A device's stream does not depend on how many devices came after it.
    const small = new Simulation<F>({ seed: 3, frames });
    for (let i = 0; i < 3; i++) small.addDevice(`h${i}`, hub, { ports: ['p'] });
    const draw = (s: Simulation<F>) => (s as unknown as { devices: { rng: { nextU32(): number } }[] }).devices[2]!.rng.nextU32();
    expect(draw(sim)).toBe(draw(small));
  });
});

describe('model records', () => {
  it('a record carrying a field the engine sets (dev, n, t) is refused, naming the device and the record', () => {
    const bad = defineDevice<Record<string, never>, Record<string, never>, F>({
      kind: 'bad',
      ports: () => ['p'],
      init: () => ({}),
      on: {
        command(_s, _i, _ctx, fx) {
          fx.record('neigh.delete', { dev: 'eth0', ip: '198.18.0.9' });
        },
      },
    });
    const sim = new Simulation<F>({ frames });
    sim.addDevice('h1', bad, {});
    new TraceRecorder(sim);
    sim.command(0, 'h1', { name: 'go' });
    expect(() => sim.run()).toThrow(/device 'h1' emitted a 'neigh\.delete' record with a field the engine sets \(dev, n or t\): a model names an interface 'ifname'/);
  });
});
