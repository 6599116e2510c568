/**
 * Wire tests: the real `frugal-lsp serve` over stdio, exercising exactly the messages the
 * extension relies on (docs/protocol.md). Skipped, with the reason printed, only when
 * the server executable is absent or `frugal-lsp serve --help` fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { toServerSettings, type SettingsReader } from '../../src/settings';
import type { Answer, Estimate, Status } from '../../src/protocol';
import { makeWorkspace, Session, startFakeProvider, unavailableReason, uriOf, vscodeCapabilities, type FakeProvider } from './harness';

const reason = unavailableReason();
if (reason) console.warn(`\n[wire] SKIPPING wire tests: ${reason}\n`);

const COMMANDS = [
  'frugal.askSelection',
  'frugal.askDesign',
  'frugal.explainError',
  'frugal.askAgainStronger',
  'frugal.estimate',
  'frugal.clearConversation',
  'frugal.acceptCompletion',
  'frugal.setTier',
  'frugal.status',
];
const STATES = ['ok', 'warning', 'error', 'exhausted', 'unconfigured'];

/** What the extension answers for section `frugal`: the user-set values, via the real mapping. */
const userSettings: Record<string, unknown> = { debounceMs: 0, answerMaxWords: 60 };
const reader: SettingsReader = {
  get: <T,>(k: string) => userSettings[k] as T,
  inspect: <T,>(k: string) => ({ globalValue: userSettings[k] as T }),
};

function expectStatusShape(s: Status): void {
  expect(typeof s.used).toBe('number');
  expect(s.limit === null || typeof s.limit === 'number').toBe(true);
  expect(s.fraction === null || typeof s.fraction === 'number').toBe(true);
  expect(typeof s.period).toBe('string');
  expect(typeof s.burnPerMin).toBe('number');
  expect(s.daysLeft === null || typeof s.daysLeft === 'number').toBe(true);
  expect(typeof s.tier).toBe('string');
  expect(STATES).toContain(s.state);
  expect(typeof s.busy).toBe('boolean');
  expect(typeof s.message).toBe('string');
  expect(Array.isArray(s.platforms)).toBe(true);
  for (const p of s.platforms) {
    expect(typeof p.name).toBe('string');
    expect(typeof p.used).toBe('number');
  }
  expect(typeof s.tokensSaved).toBe('number');
  expect(s.costPerAccepted === null || typeof s.costPerAccepted === 'number').toBe(true);
  expect(typeof s.accepted).toBe('number');
  expect(Array.isArray(s.scorecard)).toBe(true);
  for (const note of s.scorecard ?? []) expect(typeof note).toBe('string');
}

describe.skipIf(reason !== undefined)('wire: frugal-lsp serve as VS Code drives it', () => {
  let fake: FakeProvider;
  let ws: ReturnType<typeof makeWorkspace>;
  let s: Session;
  let init: { capabilities: Record<string, any> };
  let uri: string;
  // Selection: the body of area() (lines 3–7).
  const range = { start: { line: 3, character: 0 }, end: { line: 7, character: 31 } };

  beforeAll(async () => {
    fake = await startFakeProvider();
    ws = makeWorkspace(fake.url);
    uri = uriOf(ws.file);
    s = Session.start(ws.root, { FRUGAL_HOME: ws.home }, () => toServerSettings(reader));
    init = await s.untilExit(
      s.conn.sendRequest('initialize', {
        processId: process.pid,
        clientInfo: { name: 'Visual Studio Code', version: '1.91.0' },
        locale: 'en',
        rootUri: uriOf(ws.root),
        rootPath: ws.root,
        workspaceFolders: [{ uri: uriOf(ws.root), name: 'ws' }],
        capabilities: vscodeCapabilities(),
        trace: 'off',
      }) as Promise<typeof init>,
    ).catch((err) => {
      throw new Error(`initialize failed: ${err}; stderr: ${s.stderr.slice(-1500)}`);
    });
    await s.conn.sendNotification('initialized', {});
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: ws.text } });
  });

  afterAll(async () => {
    await s?.close();
    fake?.stop();
    ws?.cleanup();
  });

  it('advertises inline completions, completions, code actions and every contract command', () => {
    const caps = init.capabilities;
    expect(caps.inlineCompletionProvider, 'inlineCompletionProvider').toBeTruthy();
    expect(caps.completionProvider, 'completionProvider').toBeTruthy();
    expect(caps.codeActionProvider, 'codeActionProvider').toBeTruthy();
    // The language client registers exactly these as VS Code commands; acceptCompletion must be
    // among them or accepting ghost text would never reach the server.
    expect(caps.executeCommandProvider?.commands ?? []).toEqual(expect.arrayContaining(COMMANDS));
  });

  it('sends frugal/status after initialized, in the contract shape', async () => {
    const status = await s.waitFor<Status>('notification', 'frugal/status');
    expectStatusShape(status);
    expect(status.state).not.toBe('unconfigured'); // frugal.toml in the workspace root was found
    expect(status.limit).toBe(100000);
    expect(status.scorecard?.[0]).toMatch(/^no scorecard yet — run `frugal-lsp eval`/); // nothing measured in this workspace
  });

  it('asks workspace/configuration for section "frugal" and accepts the extension\'s answer', async () => {
    const req = await s.waitFor<{ items: Array<{ section?: string }> }>('request', 'workspace/configuration', (p) =>
      p.items.some((i) => i.section === 'frugal'),
    );
    expect(req.items.length).toBeGreaterThan(0);
    // Still healthy after applying it.
    expectStatusShape(await s.execute<Status>('frugal.status', []));
  });

  it('frugal.status returns the same object as the notification', async () => {
    const st = await s.execute<Status>('frugal.status', []);
    expectStatusShape(st);
    expect(st.limit).toBe(100000);
  });

  it('frugal.estimate returns tokens, tier, model and cost without calling the provider', async () => {
    const before = (await fake.requests()).length;
    const e = await s.execute<Estimate>('frugal.estimate', [{ uri, range, question: 'Why can this raise?' }]);
    expect(Number.isInteger(e.tokens) && e.tokens > 0).toBe(true);
    expect(e.tier).toBe('basic');
    expect(e.model).toMatch(/(^|\/)fake-basic$/); // the server sends "provider/name" here
    expect(typeof e.cost).toBe('number');
    expect((await fake.requests()).length).toBe(before);
  });

  it('code actions carry the estimate in the title before anything is spent', async () => {
    const actions = (await s.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics: [], triggerKind: 1 },
    })) as Array<{ title: string; command?: unknown }> | null;
    expect(actions?.map((a) => a.title)).toEqual(expect.arrayContaining([expect.stringMatching(/\(~[\d,]+ tokens, (basic|advanced|specialized)\)/)]));
  });

  it('frugal.estimate with task "design" estimates the design question: advanced tier, none here but basic', async () => {
    const ask = await s.execute<Estimate>('frugal.estimate', [{ uri, range }]);
    const design = await s.execute<Estimate>('frugal.estimate', [{ uri, range, task: 'design' }]);
    expect(ask.tier).toBe('basic');
    expect(design).toMatchObject({ tier: null, model: null, cost: null });
    expect(design.reason).toMatch(/advanced/);
  });

  it('frugal.askSelection answers through the provider and the answer document is shown', async () => {
    const mark = s.notifications.length;
    const a = await s.execute<Answer>('frugal.askSelection', [{ uri, range, question: 'Why can this raise?' }]);
    expect(a.answer.length).toBeGreaterThan(0);
    expect(a).toMatchObject({ model: 'fake-basic', provider: 'fake', tier: 'basic' });
    expect(a.promptTokens).toBeGreaterThan(0);
    expect(typeof a.threadId).toBe('string');
    const shown = s.requests.some((r) => r.method === 'window/showDocument');
    expect(a.documentUri !== null || shown, 'documentUri or window/showDocument').toBe(true);
    const after = await s.waitFor<Status>('notification', 'frugal/status', (st) => st.used > 0, 10_000, mark);
    expect(after.used).toBeGreaterThan(0);
  });

  it('inline completion returns at most one item whose command is frugal.acceptCompletion, and accepting is recorded', async () => {
    // A reply that completes the line: the server drops one that cannot be right there
    // (the fake's default text would not parse after `2 * math.pi * `).
    await fake.admin('reply', { text: 'radius' });
    const res = (await s.conn.sendRequest('textDocument/inlineCompletion', {
      textDocument: { uri },
      position: { line: 11, character: 22 },
      context: { triggerKind: 2 },
    })) as { items: any[] } | any[] | null;
    const items = Array.isArray(res) ? res : (res?.items ?? []);
    expect(items.length).toBe(1);
    const item = items[0];
    expect(typeof (typeof item.insertText === 'string' ? item.insertText : item.insertText.value)).toBe('string');
    expect(item.command?.command).toBe('frugal.acceptCompletion');
    const args = item.command.arguments as Array<{ id: string }>;
    expect(typeof args[0].id).toBe('string');
    const before = (await s.execute<Status>('frugal.status', [])).accepted;
    // What VS Code runs when the user presses Tab: the item's command, through the client.
    await expect(s.execute(item.command.command, args)).resolves.toBeNull();
    expect((await s.execute<Status>('frugal.status', [])).accepted).toBe(before + 1);
    await fake.admin('reply', { text: null });
  });

  it('textDocument/completion returns at most one frugal item with the same accept command', async () => {
    const res = (await s.conn.sendRequest('textDocument/completion', {
      textDocument: { uri },
      position: { line: 11, character: 22 },
      context: { triggerKind: 1 },
    })) as { items: any[] } | any[] | null;
    const items = Array.isArray(res) ? res : (res?.items ?? []);
    expect(items.length).toBeLessThanOrEqual(1);
    for (const item of items) {
      expect(item.detail).toMatch(/^frugal · /);
      expect(item.command?.command).toBe('frugal.acceptCompletion');
    }
  });

  it('frugal.setTier changes the tier the status reports', async () => {
    await expect(s.execute('frugal.setTier', ['basic'])).resolves.toBeNull();
    expect((await s.execute<Status>('frugal.status', [])).tier).toBe('basic');
    await expect(s.execute('frugal.setTier', ['auto'])).resolves.toBeNull();
  });

  it('frugal.clearConversation accepts [] and returns null', async () => {
    await expect(s.execute('frugal.clearConversation', [])).resolves.toBeNull();
  });

  it('accepts workspace/didChangeConfiguration with the frugal section', async () => {
    userSettings.tier = 'basic';
    await s.conn.sendNotification('workspace/didChangeConfiguration', { settings: { frugal: toServerSettings(reader) } });
    expectStatusShape(await s.execute<Status>('frugal.status', []));
    delete userSettings.tier;
  });

  it('while an answer streams: work-done progress begin → end, and the status is busy, then idle', async () => {
    await fake.admin('settings', { chunk_delay: 0.05 });
    const mark = s.notifications.length;
    await s.execute<Answer>('frugal.askSelection', [{ uri, range, question: 'Walk me through it' }]);
    await fake.admin('settings', { chunk_delay: 0 });
    const progress = s.notifications.slice(mark).filter((n) => n.method === '$/progress').map((n) => (n.params as { value: { kind: string } }).value.kind);
    expect(progress[0]).toBe('begin');
    expect(progress.at(-1)).toBe('end');
    expect(s.requests.some((r) => r.method === 'window/workDoneProgress/create')).toBe(true);
    await s.waitFor<Status>('notification', 'frugal/status', (st) => st.busy, 5000, mark);
    const last = await s.waitFor<Status>('notification', 'frugal/status', (st) => !st.busy, 5000, s.notifications.length - 1);
    expect(last.busy).toBe(false);
  });

  it('enableCompletions: false from the editor settings silences inline completions', async () => {
    userSettings.enableCompletions = false;
    await s.conn.sendNotification('workspace/didChangeConfiguration', { settings: { frugal: toServerSettings(reader) } });
    await new Promise((r) => setTimeout(r, 300)); // a pull-model server asks workspace/configuration first
    const res = (await s.conn.sendRequest('textDocument/inlineCompletion', {
      textDocument: { uri },
      position: { line: 11, character: 22 },
      context: { triggerKind: 2 },
    })) as { items: unknown[] } | unknown[] | null;
    const items = Array.isArray(res) ? res : (res?.items ?? []);
    expect(items).toHaveLength(0);
    delete userSettings.enableCompletions;
    await s.conn.sendNotification('workspace/didChangeConfiguration', { settings: { frugal: toServerSettings(reader) } });
  });

  it('$/cancelRequest stops a slow ask with RequestCancelled and the server stays responsive', async () => {
    await fake.admin('fault', { kind: 'slow', count: 1, delay: 4 });
    const source = new CancellationTokenSource();
    const started = Date.now();
    const pending = s.execute<Answer>('frugal.askSelection', [{ uri, range, question: 'Explain slowly, please' }], source.token);
    setTimeout(() => source.cancel(), 400);
    await expect(pending).rejects.toMatchObject({ code: -32800 });
    expect(Date.now() - started).toBeLessThan(3500);
    await fake.admin('reset');
    expectStatusShape(await s.execute<Status>('frugal.status', []));
  });

  it('$/cancelRequest on an inline completion (what VS Code does on every keystroke) is honoured', async () => {
    await fake.admin('fault', { kind: 'slow', count: 1, delay: 4 });
    const source = new CancellationTokenSource();
    const started = Date.now();
    const pending = s.conn.sendRequest(
      'textDocument/inlineCompletion',
      { textDocument: { uri }, position: { line: 7, character: 31 }, context: { triggerKind: 2 } },
      source.token,
    );
    setTimeout(() => source.cancel(), 300);
    // Either the cancellation error or an empty answer is fine; hanging for the slow provider is not.
    const outcome = await pending.then((r) => ({ result: r }), (e) => ({ code: (e as { code?: number }).code }));
    expect(Date.now() - started).toBeLessThan(3500);
    if ('code' in outcome) expect(outcome.code).toBe(-32800);
    await fake.admin('reset');
  });

  it('shutdown + exit end the server with exit code 0', async () => {
    expect(await s.close()).toBe(0);
  });
});

if (reason) {
  describe('wire tests skipped', () => {
    it.skip(`because ${reason}`, () => undefined);
  });
}
