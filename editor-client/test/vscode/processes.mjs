/** The processes of a session (fake provider, code-server) and the logs they leave. */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';

const children = [];

/** Start `command` in its own process group; stderr (and what `keep` gets) → results/<name>.log. */
export function startProcess(name, command, args, options, resultsDir) {
  const out = path.join(resultsDir, `${name}.log`);
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const chunks = [];
  const keep = (d) => chunks.push(d) && writeFileSync(out, Buffer.concat(chunks));
  child.stderr.on('data', keep);
  children.push(child);
  return { child, stdout: child.stdout, keep };
}

export function stopAll() {
  for (const child of children.reverse()) {
    if (child.exitCode !== null) continue;
    try {
      process.kill(-child.pid, 'SIGTERM'); // its own process group: code-server's helpers too
    } catch {
      /* gone already */
    }
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export function firstLine(stream, what, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} printed nothing in ${ms / 1000} s`)), ms);
    createInterface({ input: stream }).once('line', (line) => (clearTimeout(timer), resolve(line.trim())));
  });
}

export async function waitForHttp(url, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer in ${ms / 1000} s (see code-server.log)`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The Frugal output channel's log file under the VS Code profile (log channels are files). */
export function frugalLog(userData) {
  const found = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/Frugal\.log$/.test(name)) found.push(p);
    }
  };
  if (existsSync(path.join(userData, 'logs'))) walk(path.join(userData, 'logs'));
  return found.map((p) => readFileSync(p, 'utf8')).join('\n');
}

