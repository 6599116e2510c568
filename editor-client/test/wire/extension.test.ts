/**
 * The bundled extension (dist/extension.js) activated in plain Node against a stand-in
 * `vscode` module (fakeVscode.cjs), with the real vscode-languageclient inside the bundle
 * driving the real `frugal-lsp serve`. Covers what the wire tests cannot: that the client
 * registers the server's commands (so accepting ghost text reaches the server), that the
 * status item is fed by `frugal/status`, and the palette commands end to end.
 * The stand-in models what these checks depend on as VS Code does (a log channel drops
 * lines below its level, starting at Info; a settings update fires the change event), so
 * the client's fixes for answers opened twice, the tier lost on restart and an empty trace
 * are guarded in every `make test`. VS Code's own rendering and UI behaviour (ghost text
 * and Tab, notifications, tabs, focus) is checked in a real VS Code by `make test-vscode`
 * (test/vscode/).
 */
import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, SERVER, startFakeProvider, unavailableReason, type FakeProvider } from './harness';

const reason = unavailableReason();
const root = fileURLToPath(new URL('../..', import.meta.url));
const bundle = `${root}dist/extension.js`;
const stubPath = fileURLToPath(new URL('./fakeVscode.cjs', import.meta.url));
const require = createRequire(import.meta.url);

type Vscode = any;
type Ext = { activate(ctx: unknown): Promise<void>; deactivate(): Promise<void> };

async function until<T>(what: string, probe: () => T | undefined | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(reason !== undefined)('extension bundle activated against the real server', () => {
  let vscode: Vscode;
  let t: Vscode;
  let ext: Ext;
  let fake: FakeProvider;
  let ws: ReturnType<typeof makeWorkspace>;
  let doc: Vscode;
  const item = () => t.recorded.statusItems.find((i: { id: string }) => i.id === 'frugal.status');
  const output = () => t.channels.find((c: { name: string }) => c.name === 'Frugal').lines.join('\n') as string;
  const run = (id: string, ...args: unknown[]) => vscode.commands.executeCommand(id, ...args);
  const shownMarkdown = () => t.recorded.shownDocuments.filter((s: { doc: unknown }) => /\.md$/.test(String((s.doc as { uri?: unknown })?.uri ?? s.doc)));
  const previews = () => t.recorded.executed.filter((c: unknown[]) => c[0] === 'vscode.openWith' && c[2] === 'vscode.markdown.preview.editor').map((c: unknown[]) => String(c[1]));

  beforeAll(async () => {
    expect(existsSync(bundle), 'run `npm run build` first').toBe(true);
    const resolve = (Module as any)._resolveFilename;
    (Module as any)._resolveFilename = function (request: string, ...rest: unknown[]) {
      return request === 'vscode' ? stubPath : resolve.call(this, request, ...rest);
    };
    vscode = require(stubPath);
    t = vscode.__test;
    const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
    for (const [k, v] of Object.entries<{ default: unknown }>(manifest.contributes.configuration.properties)) t.defaults[k] = v.default;
    fake = await startFakeProvider();
    ws = makeWorkspace(fake.url);
    process.env.FRUGAL_HOME = ws.home;
    t.configOverrides['frugal.serverPath'] = SERVER;
    t.configOverrides['frugal.debounceMs'] = 0;
    t.workspaceFolders.push({ uri: vscode.Uri.file(ws.root), name: 'ws', index: 0 });
    doc = t.document(ws.file, 'python', ws.text);
    t.textDocuments.push(doc);
    ext = require(bundle);
    const context = { subscriptions: [] as Array<{ dispose(): void }>, extensionPath: root.replace(/\/$/, ''), extensionUri: vscode.Uri.file(root), asAbsolutePath: (p: string) => `${root}${p}` };
    await ext.activate(context);
  });

  afterAll(async () => {
    await ext?.deactivate();
    fake?.stop();
    ws?.cleanup();
  });

  it('starts the server and shows the quota from frugal/status in the status bar', async () => {
    const it = await until('a status-fed status bar text', () => /\d+%|used|not configured/.test(item()?.text ?? '') && item());
    expect(it.text).toMatch(/^\$\([a-z~-]+\) .+ · (auto|basic|advanced|specialized)$/);
    expect(it.command).toBe('frugal-lsp.showUsage');
    expect(it.tooltip.value).toContain('Tokens saved');
    expect(output()).toMatch(/Starting .*frugal-lsp serve \(found via setting\)/);
  });

  it('logs nothing alarming while starting', () => {
    if (process.env.FRUGAL_WIRE_DEBUG) console.log(output(), '\n---', item().text, '\n', item().tooltip.value);
    expect(output()).not.toMatch(/Traceback|Request .* failed/);
  });

  it('registers the palette commands and, through the language client, the server commands', async () => {
    const ids = await vscode.commands.getCommands();
    expect(ids).toEqual(expect.arrayContaining(['frugal-lsp.askSelection', 'frugal-lsp.askDesign', 'frugal-lsp.showUsage', 'frugal-lsp.clearConversation', 'frugal-lsp.setTier', 'frugal-lsp.restartServer']));
    expect(ids).toEqual(expect.arrayContaining(['frugal.acceptCompletion', 'frugal.status', 'frugal.setTier']));
  });

  it('ghost text comes from the server and accepting it runs frugal.acceptCompletion on the server', async () => {
    await fake.admin('reply', { text: 'radius' }); // a suggestion that can be right here
    const provider = await until('an inline completion provider', () => t.recorded.providers.registerInlineCompletionItemProvider);
    const token = new vscode.CancellationTokenSource().token;
    const list = await provider.provideInlineCompletionItems(doc, new vscode.Position(11, 22), { triggerKind: 1, selectedCompletionInfo: undefined }, token);
    const items = list?.items ?? list ?? [];
    expect(items).toHaveLength(1);
    const command = items[0].command;
    expect(command.command).toBe('frugal.acceptCompletion');
    const before = (await run('frugal.status')).accepted;
    await run(command.command, ...(command.arguments ?? [])); // what VS Code does on Tab
    expect((await run('frugal.status')).accepted).toBe(before + 1);
    await fake.admin('reply', { text: null });
  });

  it('Frugal: Design Question about Selection estimates a design question: with no advanced model it says so and sends nothing', async () => {
    vscode.window.activeTextEditor = { document: doc, selection: new vscode.Selection(3, 0, 7, 31) };
    t.answers.inputBox.push('');
    const before = (await fake.requests()).length;
    await expect(run('frugal-lsp.askDesign')).resolves.toBeUndefined();
    const refusal = await until('the refusal', () => t.recorded.messages.find((m: { level: string; msg: string }) => m.level === 'error' && m.msg.startsWith('Frugal: not sent')));
    expect(refusal.msg).toMatch(/advanced/);
    expect(refusal.items).toEqual(['Show Usage', 'Set Tier']);
    expect((await fake.requests()).length).toBe(before);
    t.recorded.messages.splice(t.recorded.messages.indexOf(refusal), 1); // later tests look for their own error
  });

  it('Frugal: Set Tier sends the picked tier to the server and saves it in the settings', async () => {
    t.answers.quickPick.push('basic');
    await run('frugal-lsp.setTier');
    expect((await run('frugal.status')).tier).toBe('basic');
    expect(t.configOverrides['frugal.tier']).toBe('basic');
  });

  it('frugal.trace.server writes the LSP traffic to the Frugal log, and stops when set off', async () => {
    const traced = () => output().split('\n').filter((l) => /Sending request 'workspace\/executeCommand/.test(l)).length;
    await run('frugal.status');
    expect(traced()).toBe(0); // off by default
    const toggle = (value: string) => {
      t.configOverrides['frugal.trace.server'] = value;
      t.onDidChangeConfiguration.fire({ affectsConfiguration: (s: string) => ['frugal', 'frugal.trace', 'frugal.trace.server'].includes(s) });
    };
    toggle('messages');
    await run('frugal.status');
    await until('a traced request', () => traced() > 0);
    expect(output()).toMatch(/Received response 'workspace\/executeCommand - \(\d+\)' in \d+ms/);
    toggle('off');
    const before = traced();
    await run('frugal.status');
    await new Promise((r) => setTimeout(r, 200));
    expect(traced()).toBe(before);
  });

  it('Frugal: Ask about Selection shows the estimate, sends after "Send", and opens the answer', async () => {
    vscode.window.activeTextEditor = { document: doc, selection: new vscode.Selection(3, 0, 7, 31) };
    t.answers.inputBox.push('Why can this raise?');
    t.answers.message.push('Send');
    const answer = await run('frugal-lsp.askSelection');
    const estimate = t.recorded.messages.find((m: { msg: string }) => m.msg.startsWith('Ask '));
    expect(estimate?.msg).toMatch(/^Ask (fake\/)?fake-basic \(basic\)\? About [\d,]+ tokens, ≈ [\d,.]+ quota units\.$/);
    expect(estimate?.items).toEqual(['Send']);
    expect(answer?.answer?.length).toBeGreaterThan(0);
    expect(t.recorded.flashes.some((f: string) => /^Frugal: fake-basic \(basic\) · \d+\+\d+ tokens/.test(f))).toBe(true);
    expect(t.recorded.messages.filter((m: { level: string }) => m.level === 'error')).toEqual([]);
    await new Promise((r) => setTimeout(r, 300)); // a window/showDocument from the server would arrive by now
    expect(previews()).toEqual([answer.documentUri]); // opened once, as a preview beside the code
    expect(shownMarkdown()).toEqual([]); // and not a second time as the raw .md
  });

  it('an answer from a command the client runs for a code action is opened once too', async () => {
    const before = previews().length;
    const answer = await run('frugal.askSelection', { uri: doc.uri.toString(), range: { start: { line: 3, character: 0 }, end: { line: 7, character: 31 } } });
    expect(answer?.documentUri).toMatch(/^file:.*\.md$/);
    await new Promise((r) => setTimeout(r, 300));
    expect(previews().slice(before)).toEqual([answer.documentUri]);
    expect(shownMarkdown()).toEqual([]);
  });

  it('Frugal: Show Usage opens a webview with a bar per platform', async () => {
    await run('frugal-lsp.showUsage');
    const html: string = t.recorded.webviews.at(-1)?.webview.html ?? '';
    expect(html).toMatch(/<svg/);
    expect(html).toMatch(/Frugal usage|<html/i);
  });

  it('Frugal: Restart Server three times in a row restarts once and comes back', async () => {
    await Promise.all([run('frugal-lsp.restartServer'), run('frugal-lsp.restartServer'), run('frugal-lsp.restartServer')]);
    expect(output().match(/Restarting the frugal-lsp server/g)).toHaveLength(1);
    await until('status after restart', () => /\d+%|used|not configured/.test(item()?.text ?? ''));
    const status = await run('frugal.status');
    expect(status.state).toBeDefined();
    expect(status.tier).toBe('basic'); // chosen with Set Tier before the restart
    expect(t.recorded.messages.filter((m: { level: string }) => m.level === 'error')).toEqual([]);
  });

  it('a wrong frugal.serverPath restarts into a clear error with a fix, shown in red', async () => {
    t.configOverrides['frugal.serverPath'] = '/nonexistent/frugal-lsp';
    t.onDidChangeConfiguration.fire({ affectsConfiguration: (s: string) => s === 'frugal' || s === 'frugal.serverPath' });
    const err = await until('an error message', () => t.recorded.messages.find((m: { level: string }) => m.level === 'error'));
    expect(err.msg).toMatch(/frugal\.serverPath is "\/nonexistent\/frugal-lsp".*Fix the setting/);
    expect(err.items).toEqual(['Open Settings', 'Show Output']);
    expect(item().backgroundColor?.id).toBe('statusBarItem.errorBackground');
    await expect(run('frugal-lsp.clearConversation')).resolves.toBeUndefined(); // shows an error, does not throw
    const errors = t.recorded.messages.filter((m: { level: string }) => m.level === 'error');
    expect(errors.at(-1).msg).toMatch(/server is not running/);
    // every error carries a button: VS Code cuts a notification without one to a single line
    expect(errors.filter((m: { items: string[] }) => m.items.length === 0)).toEqual([]);
    t.configOverrides['frugal.serverPath'] = SERVER;
  });
});
