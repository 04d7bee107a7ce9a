/** The device-kind table covers every kind a scenario can name, and says what its model reports. */
import { describe, expect, it } from 'vitest';
import { DEVICE_KIND_TABLE, kindNamed, kindOfModel, showDevice, viewTools } from './kinds.js';
import { DEVICE_KINDS, defineScenario, instantiate } from './scenario.js';
import { specOf } from './yaml.js';

describe('the device-kind table', () => {
  it('has one row per kind a scenario names, and each row names its model kind once', () => {
    expect(DEVICE_KIND_TABLE.map((k) => k.name).sort()).toEqual([...DEVICE_KINDS].sort());
    expect(new Set(DEVICE_KIND_TABLE.map((k) => k.model)).size).toBe(DEVICE_KIND_TABLE.length);
    for (const k of DEVICE_KIND_TABLE) expect(kindOfModel(k.model)).toBe(kindNamed(k.name));
  });

  it('a built device of each kind reports the model kind its row says, and shows and lists its tables', () => {
    const scenario = defineScenario({
      title: 'one of each',
      build(b) {
        b.switch('sw', { ports: 2 });
        b.l3Switch('l3', { ports: ['p1'], mac: '02:00:00:00:01:00', vlans: [{ id: 10, address: '198.18.10.1/24', ports: ['p1'] }] });
        b.endpoint('e', { mac: '02:00:00:00:00:0e' });
        b.host('h', { interfaces: [{ name: 'eth0', addresses: ['198.18.0.1/24'] }] });
        b.kubeApi('api', { watchers: ['n'] });
        b.kubeNode('n', { name: 'n', api: { device: 'api', ip: '198.18.0.100' }, host: { interfaces: [{ name: 'eth0', addresses: ['198.18.0.2/24'] }] } });
      },
    });
    const { sim } = instantiate(scenario);
    for (const d of specOf(scenario).devices) {
      const row = kindNamed(d.kind)!;
      expect(sim.deviceKind(d.id), d.id).toBe(row.model);
      const [tool, text] = showDevice(sim, d.id);
      expect(tool.length).toBeGreaterThan(0);
      expect(typeof text).toBe('string');
      for (const t of viewTools(sim, d.id)) expect(() => showDevice(sim, d.id, t)).not.toThrow();
    }
  });
});
