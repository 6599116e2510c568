/**
 * Drives the real Python server over stdio with vscode-jsonrpc, the way the extension's
 * language client does, plus the loopback fake provider from tests/fakes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, ProgressType, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export const REPO = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const SERVER = process.env.FRUGAL_LSP_SERVER ?? path.join(REPO, '.venv', 'bin', 'frugal-lsp');
export const PYTHON = path.join(REPO, '.venv', 'bin', 'python');

/** Why the wire tests cannot run, or undefined when they can. */
export function unavailableReason(): string | undefined {
  if (!existsSync(SERVER)) return `server executable ${SERVER} is absent (run \`make venv\` in ${REPO})`;
  const r = spawnSync(SERVER, ['serve', '--help'], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) {
    const why = (r.error?.message ?? r.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
    return `\`${SERVER} serve --help\` failed (exit ${r.status}): ${why}`;
  }
  return undefined;
}

export interface FakeProvider {
  url: string;
  admin(route: string, body?: unknown): Promise<unknown>;
  requests(): Promise<Array<{ path: string; model: string | null; prompt_tokens: number; stream: boolean }>>;
  stop(): void;
}

export async function startFakeProvider(): Promise<FakeProvider> {
  const proc = spawn(PYTHON, ['-m', 'tests.fakes.fake_provider', '--port', '0'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fake provider printed no URL in 20 s: ${stderr}`)), 20_000);
    createInterface({ input: proc.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    proc.once('exit', (code) => reject(new Error(`fake provider exited (${code}): ${stderr}`)));
  });
  const call = async (route: string, init?: RequestInit) => (await fetch(`${url}${route}`, init)).json();
  return {
    url,
    admin: (route, body = {}) => call(`/_admin/${route}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    requests: () => call('/_admin/requests') as never,
    stop: () => void proc.kill('SIGTERM'),
  };
}

/** A temp workspace with frugal.toml pointing at the fake, plus a temp FRUGAL_HOME. */
export function makeWorkspace(fakeUrl: string): { root: string; home: string; file: string; text: string; cleanup(): void } {
  const root = mkdtempSync(path.join(tmpdir(), 'frugal-ws-'));
  const home = mkdtempSync(path.join(tmpdir(), 'frugal-home-'));
  writeFileSync(
    path.join(root, 'frugal.toml'),
    [
      '[[providers]]',
      'name = "fake"',
      'kind = "openai"',
      `base_url = "${fakeUrl}/v1"`,
      '',
      '[[models]]',
      'name = "fake-basic"',
      'provider = "fake"',
      'tier = "basic"',
      '',
      '[budget]',
      'tokens = 100000',
      'period = "month"',
      'alert_at = [0.7, 0.9, 1.0]',
      '',
    ].join('\n'),
  );
  const text = [
    'import math',
    '',
    '',
    'def area(radius: float) -> float:',
    '    """Area of a circle."""',
    '    if radius < 0:',
    '        raise ValueError("negative radius")',
    '    return math.pi * radius ** 2',
    '',
    '',
    'def circumference(radius: float) -> float:',
    '    return 2 * math.pi * ',
    '',
  ].join('\n');
  const file = path.join(root, 'shapes.py');
  writeFileSync(file, text);
  return {
    root,
    home,
    file,
    text,
    cleanup: () => {
      rmSync(root, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface Received {
  method: string;
  params: unknown;
  at: number;
}

export class Session {
  readonly notifications: Received[] = [];
  readonly requests: Received[] = [];
  stderr = '';
  private waiters: Array<() => void> = [];

  constructor(
    readonly proc: ChildProcess,
    readonly conn: MessageConnection,
    private readonly settings: () => unknown,
  ) {
    conn.onNotification((method, params) => this.record(this.notifications, method, params));
    conn.onRequest((method, params) => {
      this.record(this.requests, method, params);
      return this.answer(method, params);
    });
    proc.stderr!.on('data', (d) => (this.stderr += String(d)));
    conn.listen();
  }

  static start(cwd: string, env: NodeJS.ProcessEnv, settings: () => unknown): Session {
    const proc = spawn(SERVER, ['serve'], { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    return new Session(proc, conn, settings);
  }

  /** What VS Code (through vscode-languageclient) answers to server-to-client requests. */
  private answer(method: string, params: unknown): unknown {
    switch (method) {
      case 'workspace/configuration':
        return (params as { items: Array<{ section?: string }> }).items.map((i) => (i.section === 'frugal' ? this.settings() : null));
      case 'window/workDoneProgress/create': {
        // vscode-jsonrpc routes `$/progress` only to handlers registered per token.
        const token = (params as { token: string | number }).token;
        this.conn.onProgress(new ProgressType<unknown>(), token, (value) => this.record(this.notifications, '$/progress', { token, value }));
        return null;
      }
      case 'window/showDocument':
        return { success: true };
      case 'workspace/applyEdit':
        return { applied: false };
      default:
        return null; // client/registerCapability, window/workDoneProgress/create, refreshes…
    }
  }

  private record(list: Received[], method: string, params: unknown): void {
    list.push({ method, params, at: Date.now() });
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  /** Resolve with the first message (after `since`) matching, or reject after `ms`. */
  async waitFor<T>(kind: 'notification' | 'request', method: string, match: (p: T) => boolean = () => true, ms = 10_000, since = 0): Promise<T> {
    const list = kind === 'notification' ? this.notifications : this.requests;
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = list.find((r, i) => i >= since && r.method === method && match(r.params as T));
      if (hit) return hit.params as T;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = list.map((r) => r.method).join(', ') || 'nothing';
        throw new Error(`no ${kind} ${method} within ${ms} ms (saw: ${seen}); server stderr tail: ${this.stderr.slice(-800)}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** `work`, unless the server process exits first or 30 s pass. */
  untilExit<T>(work: Promise<T>, ms = 30_000): Promise<T> {
    const exited = new Promise<T>((_, reject) => {
      const fail = (code: number | null) => reject(new Error(`server exited with code ${code} before answering`));
      if (this.proc.exitCode !== null) fail(this.proc.exitCode);
      else this.proc.once('exit', fail);
    });
    return withTimeout(Promise.race([work, exited]), ms);
  }

  execute<T>(command: string, args: unknown[], token?: import('vscode-jsonrpc').CancellationToken): Promise<T> {
    const params = { command, arguments: args };
    // An `undefined` token would be sent as a second positional parameter (params as an array).
    return (token ? this.conn.sendRequest('workspace/executeCommand', params, token) : this.conn.sendRequest('workspace/executeCommand', params)) as Promise<T>;
  }

  async close(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => {
      if (this.proc.exitCode !== null) resolve(this.proc.exitCode);
      else this.proc.once('exit', (code) => resolve(code));
    });
    try {
      await withTimeout(this.conn.sendRequest('shutdown'), 5000);
      await this.conn.sendNotification('exit');
    } catch {
      /* the exit code check reports it */
    }
    const code = await withTimeout(exited, 5000).catch(() => {
      this.proc.kill('SIGKILL');
      return -1;
    });
    this.conn.dispose();
    return code;
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms))]);
}

export const uriOf = (file: string) => pathToFileURL(file).href;

/** Client capabilities as vscode-languageclient 11 sends them from VS Code (the parts that matter here). */
export function vscodeCapabilities(): object {
  return {
    general: {
      positionEncodings: ['utf-16'],
      staleRequestSupport: { cancel: true, retryOnContentModified: ['textDocument/semanticTokens/full'] },
      markdown: { parser: 'marked', version: '1.1.0' },
      regularExpressions: { engine: 'ECMAScript', version: 'ES2020' },
    },
    workspace: {
      applyEdit: true,
      workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'] },
      didChangeConfiguration: { dynamicRegistration: true },
      didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
      executeCommand: { dynamicRegistration: true },
      configuration: true,
      workspaceFolders: true,
      diagnostics: { refreshSupport: true },
    },
    textDocument: {
      synchronization: { dynamicRegistration: true, willSave: true, willSaveWaitUntil: true, didSave: true },
      completion: {
        dynamicRegistration: true,
        contextSupport: true,
        completionItem: {
          snippetSupport: true,
          commitCharactersSupport: true,
          documentationFormat: ['markdown', 'plaintext'],
          deprecatedSupport: true,
          preselectSupport: true,
          insertReplaceSupport: true,
          labelDetailsSupport: true,
          resolveSupport: { properties: ['documentation', 'detail', 'additionalTextEdits'] },
          insertTextModeSupport: { valueSet: [1, 2] },
        },
        insertTextMode: 2,
      },
      codeAction: {
        dynamicRegistration: true,
        isPreferredSupport: true,
        disabledSupport: true,
        dataSupport: true,
        resolveSupport: { properties: ['edit'] },
        codeActionLiteralSupport: {
          codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.extract', 'refactor.inline', 'refactor.rewrite', 'source', 'source.organizeImports'] },
        },
        honorsChangeAnnotations: true,
      },
      publishDiagnostics: { relatedInformation: true, versionSupport: false, tagSupport: { valueSet: [1, 2] }, codeDescriptionSupport: true, dataSupport: true },
      inlineCompletion: { dynamicRegistration: true },
    },
    window: {
      showMessage: { messageActionItem: { additionalPropertiesSupport: true } },
      showDocument: { support: true },
      workDoneProgress: true,
    },
  };
}
