/**
 * The viewer's web server: static files from one folder plus the bundle, on 127.0.0.1 only. Any
 * page the user's browser opens could send requests here, so it answers every request (400,
 * 403, 404, 405, 431 — never a crash), serves only regular files inside its folder after
 * resolving symlinks, and takes requests only for the address it bound (`Host:` 127.0.0.1 or
 * localhost with its port: a page cannot reach it through DNS rebinding).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { extname, join, sep } from 'node:path';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon' };
/** The largest file it serves (the viewer's files are far smaller). */
const MAX_FILE_BYTES = 64 << 20;

export interface StaticServer {
  server: Server;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves `root` and the in-memory `extra` files (path → body) on 127.0.0.1:`port` (0: any free port).
 * @example const s = await serveStatic('dist', new Map([['/bundle.json', text]]), 0); console.log(s.origin)
 */
export function serveStatic(root: string, extra: ReadonlyMap<string, string>, port: number): Promise<StaticServer> {
  const base = realpathSync(root);
  let allowedHosts = new Set<string>();
  const server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => {
    try {
      answer(req, res, base, extra, allowedHosts);
    } catch {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    }
  });
  // Malformed requests, oversized headers, sockets that stall: answered or closed, never fatal.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && !socket.destroyed) socket.end(err.code === 'HPE_HEADER_OVERFLOW' ? 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n' : 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  // CONNECT and Upgrade requests bypass the handler: refused here (without a listener Node drops the socket unanswered).
  const refuse = (_req: IncomingMessage, socket: import('node:stream').Duplex) => {
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nConnection: close\r\n\r\n');
  };
  server.on('connect', refuse);
  server.on('upgrade', refuse);
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const p = (server.address() as AddressInfo).port;
      allowedHosts = new Set([`127.0.0.1:${p}`, `localhost:${p}`]);
      resolve({ server, origin: `http://127.0.0.1:${p}`, close: () => new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }) });
    });
  });
}

function answer(req: IncomingMessage, res: ServerResponse, base: string, extra: ReadonlyMap<string, string>, allowedHosts: ReadonlySet<string>): void {
  const plain = (code: number, text: string, headers: Record<string, string> = {}) => {
    res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', ...headers });
    res.end(req.method === 'HEAD' ? undefined : `${text}\n`);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(405, 'method not allowed', { allow: 'GET, HEAD' });
  if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) return plain(403, 'forbidden: this server answers only for its own address');
  const raw = req.url ?? '/';
  if (!raw.startsWith('/') || raw.length > 2048) return plain(400, 'bad request');
  let path: string;
  try {
    path = decodeURIComponent(raw.split(/[?#]/, 1)[0]!);
  } catch {
    return plain(400, 'bad request: malformed percent-encoding');
  }
  if (path.includes('\0') || path.includes('\\')) return plain(400, 'bad request');
  const body = extra.get(path);
  if (body !== undefined) {
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'x-content-type-options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  const data = readInside(base, path === '/' ? 'index.html' : path);
  if (data === undefined) return plain(404, 'not found');
  res.writeHead(200, { 'content-type': TYPES[extname(path === '/' ? 'index.html' : path)] ?? 'application/octet-stream', 'x-content-type-options': 'nosniff' });
  res.end(req.method === 'HEAD' ? undefined : data);
}

/** A regular file's bytes when `rel` resolves (symlinks too) to a path inside `base`; else undefined. */
function readInside(base: string, rel: string): Buffer | undefined {
  let real: string;
  try {
    real = realpathSync(join(base, rel));
  } catch {
    return undefined;
  }
  if (!real.startsWith(base + sep)) return undefined;
  let fd: number | undefined;
  try {
    // Not a regular file (a directory, a FIFO that would block, a device): not served.
    if (!statSync(real).isFile()) return undefined;
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return undefined;
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
