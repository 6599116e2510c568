/**
 * A small stand-in for the `vscode` module: enough of the API for the bundled extension
 * (dist/extension.js) and vscode-languageclient to activate, start the real server and
 * run commands in plain Node. It records what the extension shows (status bar item,
 * messages, registered providers and commands) and answers prompts from queues.
 * Anything it does not model is an inert, callable stub (see `inert`).
 */
'use strict';
const nodePath = require('node:path');
const { pathToFileURL, fileURLToPath } = require('node:url');

const recorded = { messages: [], statusItems: [], providers: {}, webviews: [], flashes: [], progress: [], executed: [], shownDocuments: [] };
const answers = { quickPick: [], inputBox: [], message: [] };
const configOverrides = {};
const defaults = {};

/** Callable stub: any property or call yields another stub; `dispose` is a no-op. */
function inert(name) {
  const fn = function () { return inert(`${name}()`); };
  return new Proxy(fn, {
    get(_t, p) {
      if (p === 'then' || p === Symbol.iterator || p === Symbol.asyncIterator) return undefined;
      if (p === 'dispose') return () => undefined;
      if (p === Symbol.toPrimitive || p === 'toString') return () => `[stub ${name}]`;
      return inert(`${name}.${String(p)}`);
    },
    construct() { return inert(`new ${name}`); },
  });
}

class Disposable {
  constructor(fn) { this._fn = fn; }
  static from(...ds) { return new Disposable(() => ds.forEach((d) => d && d.dispose && d.dispose())); }
  dispose() { if (this._fn) { this._fn(); this._fn = undefined; } }
}

class EventEmitter {
  constructor() {
    this._listeners = new Set();
    this.event = (listener, thisArg) => {
      const l = thisArg ? listener.bind(thisArg) : listener;
      this._listeners.add(l);
      return new Disposable(() => this._listeners.delete(l));
    };
  }
  fire(e) { for (const l of [...this._listeners]) l(e); }
  dispose() { this._listeners.clear(); }
}
const event = () => new EventEmitter().event;

class Uri {
  constructor(scheme, authority, path, query, fragment) { Object.assign(this, { scheme, authority, path, query, fragment }); }
  static parse(value) {
    const u = new URL(value);
    return new Uri(u.protocol.slice(0, -1), u.host, decodeURIComponent(u.pathname), u.search.slice(1), u.hash.slice(1));
  }
  static file(p) { return Uri.parse(pathToFileURL(p).href); }
  static joinPath(base, ...parts) { return new Uri(base.scheme, base.authority, nodePath.posix.join(base.path, ...parts), '', ''); }
  get fsPath() { return this.scheme === 'file' ? fileURLToPath(this.toString()) : this.path; }
  with(change) { return new Uri(change.scheme ?? this.scheme, change.authority ?? this.authority, change.path ?? this.path, change.query ?? this.query, change.fragment ?? this.fragment); }
  toString() {
    if (this.scheme === 'file') return pathToFileURL(this.path).href;
    return `${this.scheme}:${this.authority ? `//${this.authority}` : ''}${this.path}${this.query ? `?${this.query}` : ''}`;
  }
  toJSON() { return this.toString(); }
}

class Position { constructor(line, character) { this.line = line; this.character = character; } }
class Range {
  constructor(a, b, c, d) {
    if (typeof a === 'number') { this.start = new Position(a, b); this.end = new Position(c, d); } else { this.start = a; this.end = b; }
  }
  get isEmpty() { return this.start.line === this.end.line && this.start.character === this.end.character; }
}
class Selection extends Range {}
class ThemeColor { constructor(id) { this.id = id; } }
class MarkdownString {
  constructor(value = '', supportThemeIcons = false) { this.value = value; this.supportThemeIcons = supportThemeIcons; }
  appendMarkdown(v) { this.value += v; return this; }
  appendText(v) { this.value += v; return this; }
  appendCodeblock(v) { this.value += `\n\`\`\`\n${v}\n\`\`\`\n`; return this; }
}
class InlineCompletionItem { constructor(insertText, range, command) { Object.assign(this, { insertText, range, command }); } }
class InlineCompletionList { constructor(items) { this.items = items; } }
class CompletionItem { constructor(label, kind) { Object.assign(this, { label, kind }); } }
class CompletionList { constructor(items = [], isIncomplete = false) { Object.assign(this, { items, isIncomplete }); } }
class SnippetString { constructor(value) { this.value = value; } }
class CancellationError extends Error {}
class CancellationTokenSource {
  constructor() {
    const emitter = new EventEmitter();
    this.token = { isCancellationRequested: false, onCancellationRequested: emitter.event };
    this._emitter = emitter;
  }
  cancel() { if (!this.token.isCancellationRequested) { this.token.isCancellationRequested = true; this._emitter.fire(); } }
  dispose() {}
}
/** Plain data classes the protocol converter may construct: keep the constructor args. */
function dataClass(name) {
  return class { constructor(...args) { this.__kind = name; this.args = args; } };
}

function document(file, languageId, text, version = 1) {
  const lines = text.split('\n');
  return {
    uri: Uri.file(file), fileName: file, languageId, version, isDirty: false, isClosed: false, isUntitled: false, eol: 1, lineCount: lines.length,
    getText: () => text,
    lineAt: (l) => ({ text: lines[typeof l === 'number' ? l : l.line] ?? '' }),
  };
}

const commands = new Map();
const commandsApi = {
  registerCommand(id, fn) {
    if (commands.has(id)) throw new Error(`command '${id}' already exists`);
    commands.set(id, fn);
    return new Disposable(() => commands.delete(id));
  },
  async executeCommand(id, ...args) {
    const fn = commands.get(id);
    if (!fn) return void recorded.executed.push([id, ...args]); // built-ins such as markdown.showPreviewToSide
    return fn(...args);
  },
  getCommands: async () => [...commands.keys()],
};

function configuration(section) {
  const full = (k) => (section ? `${section}.${k}` : k);
  const value = (k) => (full(k) in configOverrides ? configOverrides[full(k)] : defaults[full(k)]);
  return {
    get: (k, d) => value(k) ?? d,
    has: (k) => full(k) in defaults || full(k) in configOverrides,
    inspect: (k) => ({ key: full(k), defaultValue: defaults[full(k)], globalValue: configOverrides[full(k)] }),
    update: async (k, v) => {
      configOverrides[full(k)] = v;
      const key = full(k);
      onDidChangeConfiguration.fire({ affectsConfiguration: (s) => key === s || key.startsWith(`${s}.`) });
    },
  };
}

const workspaceFolders = [];
const textDocuments = [];
const onDidOpen = new EventEmitter();
const onDidChangeConfiguration = new EventEmitter();

const languagesApi = new Proxy({
  match: (selector, doc) => (doc && doc.uri && ['file', 'untitled'].includes(doc.uri.scheme) ? 10 : 0),
  createDiagnosticCollection: (name) => {
    const map = new Map();
    return { name, set: (u, d) => map.set(String(u), d), delete: (u) => map.delete(String(u)), clear: () => map.clear(), get: (u) => map.get(String(u)), has: (u) => map.has(String(u)), forEach: (f) => map.forEach((v, k) => f(Uri.parse(k), v)), dispose: () => map.clear() };
  },
}, {
  get(t, p) {
    if (p in t) return t[p];
    if (typeof p === 'string' && p.startsWith('register')) {
      return (selector, provider) => {
        recorded.providers[p] = provider;
        return new Disposable(() => delete recorded.providers[p]);
      };
    }
    return inert(`languages.${String(p)}`);
  },
});

const LogLevel = { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 };

/** As in VS Code: a log channel starts at Info and drops lines below its level. */
function logChannel(name) {
  const lines = [];
  const levelChanged = new EventEmitter();
  const channel = { logLevel: LogLevel.Info };
  const log = (level, n) => (msg, ...rest) => {
    if (channel.logLevel !== LogLevel.Off && n >= channel.logLevel) lines.push(`[${level}] ${msg}${rest.length ? ` ${rest.map(String).join(' ')}` : ''}`);
  };
  return Object.assign(channel, {
    name, lines, onDidChangeLogLevel: levelChanged.event,
    setLogLevel: (level) => { channel.logLevel = level; levelChanged.fire(level); }, // "Developer: Set Log Level…"
    trace: log('trace', LogLevel.Trace), debug: log('debug', LogLevel.Debug), info: log('info', LogLevel.Info), warn: log('warn', LogLevel.Warning), error: log('error', LogLevel.Error),
    append: (v) => lines.push(v), appendLine: (v) => lines.push(v), replace: () => undefined, clear: () => undefined, show: () => undefined, hide: () => undefined, dispose: () => undefined,
  });
}

const channels = [];
const windowApi = {
  activeTextEditor: undefined,
  visibleTextEditors: [],
  onDidChangeActiveTextEditor: event(),
  onDidChangeVisibleTextEditors: event(),
  tabGroups: { all: [], onDidChangeTabs: event(), onDidChangeTabGroups: event() },
  createOutputChannel: (name) => { const c = logChannel(name); channels.push(c); return c; },
  createStatusBarItem: (id, alignment, priority) => {
    const item = { id, alignment, priority, text: '', tooltip: undefined, backgroundColor: undefined, command: undefined, name: undefined, visible: false, show() { this.visible = true; }, hide() { this.visible = false; }, dispose() {} };
    recorded.statusItems.push(item);
    return item;
  },
  showInformationMessage: async (msg, ...items) => { recorded.messages.push({ level: 'info', msg, items }); return answers.message.shift(); },
  showWarningMessage: async (msg, ...items) => { recorded.messages.push({ level: 'warning', msg, items }); return undefined; },
  showErrorMessage: async (msg, ...items) => { recorded.messages.push({ level: 'error', msg, items }); return undefined; },
  showQuickPick: async (items) => { const want = answers.quickPick.shift(); const list = await items; return list.find((i) => (typeof i === 'string' ? i : i.label) === want); },
  showInputBox: async () => answers.inputBox.shift(),
  withProgress: async (options, task) => { recorded.progress.push(options.title); return task({ report: () => undefined }, new CancellationTokenSource().token); },
  setStatusBarMessage: (msg) => { recorded.flashes.push(msg); return new Disposable(); },
  showTextDocument: async (doc, options) => { recorded.shown = doc; recorded.shownDocuments.push({ doc, options }); return {}; },
  createWebviewPanel: (viewType, title) => {
    const panel = { viewType, title, webview: { html: '', cspSource: 'vscode-resource:' }, onDidDispose: event(), reveal() {}, dispose() {} };
    recorded.webviews.push(panel);
    return panel;
  },
};

const workspaceApi = {
  workspaceFolders,
  textDocuments,
  notebookDocuments: [],
  getConfiguration: configuration,
  onDidChangeConfiguration: onDidChangeConfiguration.event,
  onDidOpenTextDocument: onDidOpen.event,
  onDidChangeTextDocument: event(), onDidCloseTextDocument: event(), onDidSaveTextDocument: event(), onWillSaveTextDocument: event(),
  onDidChangeWorkspaceFolders: event(), onDidOpenNotebookDocument: event(), onDidChangeNotebookDocument: event(), onDidCloseNotebookDocument: event(), onDidSaveNotebookDocument: event(),
  onDidCreateFiles: event(), onDidDeleteFiles: event(), onDidRenameFiles: event(), onWillCreateFiles: event(), onWillDeleteFiles: event(), onWillRenameFiles: event(),
  createFileSystemWatcher: () => ({ onDidCreate: event(), onDidChange: event(), onDidDelete: event(), dispose() {} }),
  openTextDocument: async (arg) => (typeof arg === 'object' && arg && 'content' in arg ? { uri: Uri.parse('untitled:answer.md'), languageId: arg.language, getText: () => arg.content } : arg),
  applyEdit: async () => false,
};

const api = {
  version: '1.91.0',
  env: { language: 'en', appName: 'Visual Studio Code', appRoot: '/', machineId: 'test', sessionId: 'test', uiKind: 1, openExternal: async () => true, clipboard: inert('clipboard') },
  Uri, Position, Range, Selection, ThemeColor, MarkdownString, Disposable, EventEmitter, CancellationError, CancellationTokenSource,
  InlineCompletionItem, InlineCompletionList, CompletionItem, CompletionList, SnippetString,
  StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
  LogLevel,
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  InlineCompletionTriggerKind: { Invoke: 0, Automatic: 1 },
  CompletionTriggerKind: { Invoke: 0, TriggerCharacter: 1, TriggerForIncompleteCompletions: 2 },
  CodeActionTriggerKind: { Invoke: 1, Automatic: 2 },
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  DiagnosticTag: { Unnecessary: 1, Deprecated: 2 },
  CodeActionKind: new Proxy({}, { get: (_t, p) => ({ value: String(p), append: () => ({}) }) }),
  TabInputText: class {}, TabInputTextDiff: class {}, TabInputNotebook: class {}, TabInputCustom: class {},
  commands: commandsApi,
  languages: languagesApi,
  window: windowApi,
  workspace: workspaceApi,
  extensions: { all: [], getExtension: () => undefined, onDidChange: event() },
  l10n: { t: (msg, ...args) => String(msg).replace(/\{(\d+)\}/g, (_m, i) => String(args[Number(i)])) },
  // test controls
  __test: { recorded, answers, commands, channels, configOverrides, defaults, workspaceFolders, textDocuments, onDidOpen, onDidChangeConfiguration, document },
};

module.exports = new Proxy(api, {
  get(t, p) {
    if (p in t) return t[p];
    if (typeof p === 'string' && /^[A-Z]/.test(p)) return dataClass(p);
    return inert(String(p));
  },
});
