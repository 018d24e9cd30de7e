#!/usr/bin/env node
// `npm run demo`: a small static server for the training page (demo/), the built package
// (dist/) and the MNIST files (data/mnist/, and Fashion-MNIST from Debian's
// dataset-fashion-mnist package when it is installed). No dependencies: node:http only.
//
// Every response carries COOP/COEP headers, so the page is crossOriginIsolated (needed for
// SharedArrayBuffer, i.e. for the engine's threads). The .gz dataset files are served as
// application/gzip *without* Content-Encoding, so the page receives the compressed bytes and
// decompresses them itself (DecompressionStream), exactly as from any static host.
//
// Usage: node scripts/demo-server.mjs [--port 8080] [--host 127.0.0.1] [--rebuild]
// The test runner imports startDemoServer() to serve the same files (plus its own pages).

import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.gz': 'application/gzip',
};

/** Headers that make the page crossOriginIsolated (SharedArrayBuffer, threads). */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** URL prefix → folder. Later entries may be added by callers (the browser tests). */
export function defaultMounts(root = ROOT) {
  const mounts = {
    '/demo/': join(root, 'demo'),
    '/dist/': join(root, 'dist'),
    '/data/mnist/': join(root, 'data/mnist'),
  };
  if (existsSync(join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'))) mounts['/data/fashion-mnist/'] = FASHION_MNIST_DIR;
  return mounts;
}

/**
 * An http.Server serving `mounts` ({ '/prefix/': '/abs/dir' }); `/` redirects to `/demo/`.
 * Responses carry the COOP/COEP headers except under the URL prefixes listed in `unisolated`.
 * `onRequest(method, path, status)` is called for every response (the tests log them).
 */
export function createDemoServer({ mounts = defaultMounts(), onRequest, unisolated = [] } = {}) {
  const table = Object.entries(mounts)
    .map(([prefix, dir]) => [prefix.endsWith('/') ? prefix : `${prefix}/`, resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);

  return createServer((req, res) => {
    // Paths under an `unisolated` prefix go without COOP/COEP (the tests' non-isolated pages).
    const isolation = unisolated.some((prefix) => req.url?.startsWith(prefix)) ? {} : ISOLATION_HEADERS;
    const send = (status, headers, body) => {
      res.writeHead(status, { ...isolation, 'Cache-Control': 'no-cache', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
      onRequest?.(req.method, req.url, status);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { Allow: 'GET, HEAD', 'Content-Type': MIME['.txt'] }, 'Method not allowed\n');

    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return send(400, { 'Content-Type': MIME['.txt'] }, 'Bad request\n');
    }
    if (path === '/' || path === '/index.html') return send(302, { Location: '/demo/' }, '');
    if (path === '/favicon.ico') return send(204, {}, '');

    for (const [prefix, dir] of table) {
      if (path === prefix.slice(0, -1)) return send(301, { Location: prefix }, '');
      if (!path.startsWith(prefix)) continue;
      let file = normalize(join(dir, path.slice(prefix.length)));
      if (file !== dir && !file.startsWith(dir + sep)) return send(403, { 'Content-Type': MIME['.txt'] }, 'Forbidden\n');
      let stat = statOrNull(file);
      if (stat?.isDirectory()) {
        file = join(file, 'index.html');
        stat = statOrNull(file);
      }
      if (!stat?.isFile()) break;
      const type = MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
      res.writeHead(200, { ...isolation, 'Cache-Control': 'no-cache', 'Content-Type': type, 'Content-Length': stat.size });
      onRequest?.(req.method, req.url, 200);
      if (req.method === 'HEAD') return res.end();
      const stream = createReadStream(file);
      stream.on('error', () => res.destroy());
      return stream.pipe(res);
    }
    return send(404, { 'Content-Type': MIME['.txt'] }, `Not found: ${path}\n`);
  });
}

function statOrNull(file) {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

/** Newest modification time under `dir` (recursively), 0 when it does not exist. */
function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ (npm run build) when it is missing, or when `ifStale` and ts/ changed since.
 * A failed rebuild of an existing dist/ only warns: the old build is served.
 */
export function ensureBuilt({ root = ROOT, ifStale = true, force = false, log = console.log } = {}) {
  const index = join(root, 'dist/index.js');
  const wasm = join(root, 'dist/mlp_engine.wasm');
  const missing = !existsSync(index) || !existsSync(wasm);
  const stale = !missing && ifStale && newestMtime(join(root, 'ts')) > statSync(index).mtimeMs;
  if (!missing && !stale && !force) return;
  log(`Building dist/ (${missing ? 'missing' : force ? 'forced' : 'older than ts/'}): npm run build`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const started = Date.now() - 1000;
  const result = spawnSync(npm, ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  // The library bundle is what the page needs; the build may also fail on another entry (the CLI).
  const libraryBuilt = [index, wasm].every((f) => existsSync(f) && statSync(f).mtimeMs >= started);
  if (result.status !== 0 && libraryBuilt) log(`Warning: npm run build exited with status ${result.status}, but dist/index.js and dist/mlp_engine.wasm were rebuilt`);
  if (libraryBuilt) return;
  if (missing || !existsSync(index)) throw new Error('npm run build failed, and there is no dist/ to serve');
  log('Warning: npm run build failed; serving the previous dist/');
}

/** Starts the server; resolves to { server, url, close() }. Port 0 picks a free port. */
export async function startDemoServer({ port = 0, host = '127.0.0.1', mounts, onRequest, unisolated, retries = 0 } = {}) {
  for (let attempt = 0; ; attempt++) {
    const server = createDemoServer({ mounts, onRequest, unisolated });
    try {
      await new Promise((ok, fail) => {
        server.once('error', fail);
        server.listen(port === 0 ? 0 : port + attempt, host, ok);
      });
    } catch (e) {
      if (e.code === 'EADDRINUSE' && attempt < retries) continue;
      throw e;
    }
    const address = server.address();
    const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
    const url = `http://${shownHost}:${address.port}/`;
    const close = () => new Promise((ok) => {
      server.closeAllConnections?.();
      server.close(() => ok());
    });
    return { server, url, close };
  }
}

function parseArgs(argv) {
  const args = { port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? '127.0.0.1', rebuild: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port' || a === '-p') args.port = Number(argv[++i]);
    else if (a === '--host') args.host = argv[++i];
    else if (a === '--rebuild') args.rebuild = true;
    else if (a === '--help' || a === '-h') {
      console.log('Usage: npm run demo -- [--port 8080] [--host 127.0.0.1] [--rebuild]');
      process.exit(0);
    } else {
      console.error(`Unknown argument ${a} (try --help)`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
    console.error(`--port must be a port number, got ${args.port}`);
    process.exit(2);
  }
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  ensureBuilt({ force: args.rebuild });
  const mounts = defaultMounts();
  const { url } = await startDemoServer({ port: args.port, host: args.host, mounts, retries: args.port === 0 ? 0 : 10 });
  console.log(`mlp-wasm demo: ${url}demo/`);
  console.log(`  serving demo/, dist/, data/mnist/${mounts['/data/fashion-mnist/'] ? ` and Fashion-MNIST from ${FASHION_MNIST_DIR}` : ' (Fashion-MNIST: apt-get install dataset-fashion-mnist)'}`);
  if (args.host !== '127.0.0.1' && args.host !== 'localhost') {
    console.log('  note: over plain http from another machine the page is not a secure context, so it runs single-threaded');
  }
  console.log('  Ctrl-C to stop');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e) => {
    console.error(e?.message ?? e);
    process.exit(1);
  });
}
