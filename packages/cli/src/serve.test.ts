/**
 * The viewer's server against hostile requests: every request is answered with a status (or the
 * connection closed), nothing outside its folder is served (traversal, symlinks), only GET/HEAD
 * for its own Host, and after thousands of such requests a good one still gets the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { connect, type Socket } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveStatic, type StaticServer } from './serve.js';

const dir = mkdtempSync(join(tmpdir(), 'netsim-serve-'));
const root = join(dir, 'dist');
mkdirSync(join(root, 'assets'), { recursive: true });
writeFileSync(join(root, 'index.html'), '<!doctype html><title>netsim viewer</title>');
writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(dir, 'secret.txt'), 'outside the folder');
symlinkSync('/etc/hostname', join(root, 'hostname'));
symlinkSync(join(dir, 'secret.txt'), join(root, 'secret.txt'));
let s: StaticServer;
let port = 0;

/** Sends raw bytes; resolves with the status code, or 0 when the server closed without one. */
function raw(bytes: string | Buffer, timeoutMs = 4000): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const sock: Socket = connect(port, '127.0.0.1');
    let text = '';
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, text });
    };
    const timer = setTimeout(done, timeoutMs);
    sock.on('data', (d) => (text += d.toString('latin1')));
    sock.on('end', done);
    sock.on('error', done);
    sock.on('close', done);
    sock.write(bytes);
  });
}
const get = (path: string, headers = `Host: 127.0.0.1:${port}\r\n`, method = 'GET') => raw(`${method} ${path} HTTP/1.1\r\n${headers}Connection: close\r\n\r\n`);

beforeAll(async () => {
  s = await serveStatic(root, new Map([['/bundle.json', '{"format":"netsim.view/1"}']]), 0);
  port = Number(new URL(s.origin).port);
});
afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('netsim view server', () => {
  it('serves the page, its assets and the bundle to its own address', async () => {
    expect((await get('/')).status).toBe(200);
    expect((await get('/assets/app.js')).status).toBe(200);
    expect((await get('/bundle.json?x=1')).text).toContain('netsim.view/1');
    expect((await get('/', `Host: localhost:${port}\r\n`)).status).toBe(200);
  });

  it('answers each kind of bad request with its status and serves nothing outside its folder', async () => {
    const cases: [string, Promise<{ status: number; text: string }>, number][] = [
      ['malformed encoding', get('/%'), 400],
      ['malformed encoding', get('/%E0%A4%A'), 400],
      ['a directory', get('/assets'), 404],
      ['a directory', get('/assets/'), 404],
      ['traversal', get('/../secret.txt'), 404],
      ['encoded traversal', get('/%2e%2e/secret.txt'), 404],
      ['encoded slash traversal', get('/..%2f..%2f..%2fetc%2fhostname'), 404],
      ['a symlink out of the folder', get('/hostname'), 404],
      ['a symlink to a sibling file', get('/secret.txt'), 404],
      ['NUL in the path', get('/index.html%00.js'), 400],
      ['backslashes', get('/..%5c..%5cetc%5chostname'), 400],
      ['absolute-form target', get('http://127.0.0.1/'), 400],
      ['POST', get('/', undefined, 'POST'), 405],
      ['DELETE', get('/', undefined, 'DELETE'), 405],
      ['another host (DNS rebinding)', get('/', 'Host: evil.example\r\n'), 403],
      ['another port', get('/', 'Host: 127.0.0.1:1\r\n'), 403],
      ['no Host at all', raw('GET / HTTP/1.0\r\n\r\n'), 403],
      ['huge headers', get('/', `Host: 127.0.0.1:${port}\r\nX-Big: ${'a'.repeat(40_000)}\r\n`), 431],
      ['garbage', raw('\x00\x01\x02 GARBAGE\r\n\r\n'), 400],
      ['a bare request line', raw('GET\r\n\r\n'), 400],
    ];
    for (const [what, p, status] of cases) expect([what, (await p).status]).toEqual([what, status]);
  });

  it('survives a few thousand hostile requests and half-open sockets, then answers a good one', async () => {
    // Half-open: a request line and never the rest (bounded by the server's header timeout).
    const halfOpen: Socket[] = [];
    for (let i = 0; i < 40; i++) {
      const sock = connect(port, '127.0.0.1');
      sock.on('error', () => undefined);
      sock.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      halfOpen.push(sock);
    }
    const segment = fc.oneof(fc.constantFrom('..', '.', '%', '%2e', '%2f', '%00', '%ff', '%c0%af', 'assets', 'index.html', 'hostname', '~', '//', '\\', ';', '?', '#'), fc.string({ maxLength: 12 }));
    const path = fc.array(segment, { minLength: 1, maxLength: 6 }).map((p) => `/${p.join('/')}`.replace(/[\r\n ]/g, '%20'));
    const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'OPTIONS', 'TRACE', 'CONNECT', 'PATCH', 'FOO', 'get');
    const host = fc.constantFrom(`127.0.0.1:${port}`, 'localhost', 'evil.example', `127.0.0.1:${port}.evil.example`, '');
    const requests = fc.sample(fc.tuple(method, path, host), { numRuns: 2500, seed: 15 });
    const statuses = new Map<number, number>();
    for (let i = 0; i < requests.length; i += 25) {
      const batch = await Promise.all(requests.slice(i, i + 25).map(([m, p, h]) => raw(`${m} ${p} HTTP/1.1\r\nHost: ${h}\r\nConnection: close\r\n\r\n`)));
      for (const [j, r] of batch.entries()) {
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        // Nothing from outside the folder, whatever the path.
        expect(r.text).not.toContain('outside the folder');
        const [m, p, h] = requests[i + j]!;
        if (r.status === 200) {
          expect(['GET', 'HEAD']).toContain(m);
          expect(h).toBe(`127.0.0.1:${port}`);
          expect(p.length).toBeGreaterThan(0);
        }
      }
    }
    // Every request got an answer.
    expect(statuses.get(0) ?? 0).toBe(0);
    expect([...statuses.keys()].every((c) => [200, 400, 403, 404, 405].includes(c))).toBe(true);
    for (const sock of halfOpen) sock.destroy();
    const good = await get('/');
    expect(good.status).toBe(200);
    expect(good.text).toContain('netsim viewer');
  }, 120_000);
});

describe('netsim view (the command)', () => {
  it('finds the built viewer and serves it: the page, then the bundle', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const p = spawn(process.execPath, [join(root, 'packages/cli/bin/netsim.js'), 'view', 'scenarios/demo-switches.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no URL within 20 s: ${out}`)), 20_000);
        p.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+\/\?bundle=bundle\.json/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[0]);
          }
        });
        p.stderr.on('data', (d: Buffer) => (out += d.toString()));
        p.on('exit', (code) => reject(new Error(`netsim view exited (${code}): ${out}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html|<!doctype/i);
      const bundle = await fetch(new URL('/bundle.json', url));
      expect(((await bundle.json()) as { format: string }).format).toBe('netsim.view/1');
    } finally {
      p.kill('SIGTERM');
    }
  }, 60_000);
});
