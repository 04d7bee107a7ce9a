/**
 * Conformance: the redirect rate limit (FIDELITY §3; ip_rt_send_redirect, per source host: the
 * first at once, the next only after 20 ms << n, at most 9, and the count starts again after
 * 20.48 s without packets that would be redirected). h1 ignores redirects (accept_redirects 0 on
 * all and eth0), so every echo goes through r. Twenty echoes 0.95 s apart — each a `ping -c 1`
 * at its own instant, so that no drift of ping's pacing adds up — get redirects at the 1st, 2nd,
 * 3rd, 4th, 5th, 6th, 8th, 11th and 17th — nine; each echo is at least 0.29 s from the
 * 20 ms << n boundary it meets (a second apart, the 16th came 0.12 s before the 5.12 s one, and
 * a loaded machine's ping pacing crossed it); an echo at 30 s gets none (and keeps the count
 * alive); one at 52 s, after 22 s of quiet, gets a redirect again.
 */
import { defineScenario } from '@netsim/scenario';

export default defineScenario({
  title: 'Conformance: a router sends at most nine redirects to a host that ignores them',
  until: '55s',
  build(b) {
    b.switch('sw', { ports: 3 });
    b.host('h1', {
      interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.168.170.1/24'] }],
      routes: [{ to: '192.168.170.3/32', via: '192.168.170.254' }],
      sysctl: { 'net.ipv4.conf.all.accept_redirects': 0, 'net.ipv4.conf.eth0.accept_redirects': 0 },
    });
    b.host('r', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:fe', addresses: ['192.168.170.254/24'] }], sysctl: { 'net.ipv4.ip_forward': 1 } });
    b.host('h3', { interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:03', addresses: ['192.168.170.3/24'] }] });
    b.link('h1.eth0', 'sw.p1').link('r.eth0', 'sw.p2').link('h3.eth0', 'sw.p3');
    // Twenty single echoes at fixed instants, not one ping of twenty: a ping paces each echo from
    // the last, so its drift under load adds up; the timeline's instants do not drift.
    for (let k = 0; k < 20; k++) b.at(`${(1 + 0.95 * k).toFixed(2)}s`).ping('h1', '192.168.170.3', { count: 1, session: `e${k + 1}` });
    b.at('30s').ping('h1', '192.168.170.3', { count: 1, session: 'still-counting' });
    b.at('52s').ping('h1', '192.168.170.3', { count: 1, session: 'after-quiet' });
    b.at('53s').show('h1', 'ip route show cache');
  },
});
