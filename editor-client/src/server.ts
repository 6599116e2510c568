/**
 * The language client: starts `frugal-lsp serve` over stdio, answers
 * `workspace/configuration` for section `frugal`, forwards `frugal/status`, runs the
 * server's commands, and restarts (coalesced) on request or when the server path changes.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  ResponseError,
  ShowMessageNotification,
  State,
  type LanguageClientOptions,
  type ServerOptions,
  type StaticFeature,
} from 'vscode-languageclient/node';
import { Coalescer } from './coalesce';
import type { ServerApi } from './commands';
import { CLIENT_CAPABILITIES, isAnswer, ServerCommand, STATUS_NOTIFICATION, type Answer, type Status } from './protocol';
import { resolveServerPath, startFailure, type Resolution } from './serverPath';
import { SECTION, answerConfigurationItem, clientSettings, toServerSettings, type SettingsReader } from './settings';
import type { Connection } from './status';
import { acceptReport } from './usageView';

export interface ServerHooks {
  extensionPath: string;
  output: vscode.LogOutputChannel;
  /** Where the language client writes `frugal.trace.server` lines (see createTraceChannel). */
  trace: vscode.LogOutputChannel;
  onStatus(status: Status): void;
  /** An Answer came back from a command the language client ran (a code action). */
  onAnswer(answer: Answer): void;
  /** `window/showMessage` from the server (replaces the language client's plain toast). */
  onServerMessage(type: number, message: string): void;
  onConnection(connection: Connection, detail?: string): void;
}

const FIX_ACTIONS = { settings: 'Open Settings', output: 'Show Output' } as const;

/** `capabilities.experimental.frugal` in `initialize` (docs/protocol.md): we open answers. */
const frugalCapabilities: StaticFeature = {
  fillClientCapabilities(capabilities) {
    const experimental = (capabilities.experimental ?? {}) as Record<string, unknown>;
    capabilities.experimental = { ...experimental, frugal: { ...CLIENT_CAPABILITIES } };
  },
  initialize: () => undefined,
  getState: () => ({ kind: 'static' }),
  clear: () => undefined,
};

export function settingsReader(scope?: vscode.Uri): SettingsReader {
  return vscode.workspace.getConfiguration(SECTION, scope);
}

export function resolveCommand(extensionPath: string): Resolution {
  return resolveServerPath(
    {
      configured: clientSettings(settingsReader()).serverPath,
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
      extensionPath,
    },
    { platform: process.platform, pathVar: process.env.PATH ?? '', homeDir: os.homedir(), isExecutable },
  );
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export class FrugalServer implements ServerApi, vscode.Disposable {
  private client: LanguageClient | undefined;
  private command: string | undefined;
  private extra: vscode.Disposable[] = [];
  private readonly restarter = new Coalescer(() => this.restartNow());

  constructor(private readonly hooks: ServerHooks) {}

  /** Coalesced: several calls in quick succession produce one restart. */
  restart(): Promise<void> {
    return this.restarter.request();
  }

  async start(): Promise<void> {
    const resolved = resolveCommand(this.hooks.extensionPath);
    if (!resolved.ok) return this.fail(resolved.message);
    this.command = resolved.command;
    this.hooks.output.info(`Starting ${resolved.command} serve (found via ${resolved.source})`);
    this.hooks.onConnection('starting');
    const client = this.createClient(resolved.command);
    this.client = client;
    try {
      await client.start();
    } catch (err) {
      this.client = undefined;
      await client.dispose().catch(() => undefined);
      return this.fail(startFailure(resolved.command, err));
    }
    this.ensureAcceptForwarded(client);
    this.hooks.onConnection('running');
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.extra.forEach((d) => d.dispose());
    this.extra = [];
    if (client) await client.stop(3000).catch((err) => this.hooks.output.warn(`stop: ${String(err)}`));
    this.hooks.onConnection('stopped');
  }

  dispose(): void {
    void this.stop();
  }

  async execute<T>(command: string, args: unknown[], token?: unknown): Promise<T> {
    const client = this.client;
    if (!client || !client.isRunning()) {
      throw new Error('Frugal: the frugal-lsp server is not running. Run "Frugal: Restart Server" (see the Frugal output for why it stopped).');
    }
    const params = { command, arguments: args };
    return (await client.sendRequest(ExecuteCommandRequest.type, params, token as vscode.CancellationToken | undefined)) as T;
  }

  /** `frugal-lsp report --html`, when the server supports it. */
  reportHtml(): Promise<string | undefined> {
    const command = this.command;
    if (!command) return Promise.resolve(undefined);
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return new Promise((resolve) => {
      // stdin ignored: a CLI that waits for input must not hang the view.
      const child = spawn(command, ['report', '--html'], { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.on('error', () => resolve(undefined));
      child.on('close', (code) => resolve(acceptReport(code, stdout)));
    });
  }

  private async restartNow(): Promise<void> {
    this.hooks.output.info('Restarting the frugal-lsp server');
    await this.stop();
    await this.start();
  }

  private createClient(command: string): LanguageClient {
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    // No `transport`: with TransportKind.stdio the client would append `--stdio`.
    const serverOptions: ServerOptions = { command, args: ['serve', ...clientSettings(settingsReader()).serverArgs], options: { cwd } };
    const client: LanguageClient = new LanguageClient('frugal', 'Frugal', serverOptions, this.clientOptions(() => client));
    client.registerFeature(frugalCapabilities);
    client.onNotification(STATUS_NOTIFICATION, (status: Status) => this.hooks.onStatus(status));
    client.onNotification(ShowMessageNotification.type, (m) => this.hooks.onServerMessage(m.type, m.message));
    client.onDidChangeState((e) => {
      if (this.client !== client) return;
      if (e.newState === State.Stopped) this.hooks.onConnection('stopped');
      if (e.newState === State.Starting) this.hooks.onConnection('starting');
    });
    return client;
  }

  private clientOptions(self: () => LanguageClient): LanguageClientOptions {
    return {
      documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
      outputChannel: this.hooks.output,
      traceOutputChannel: this.hooks.trace,
      synchronize: { configurationSection: SECTION },
      initializationFailedHandler: () => false,
      middleware: {
        // Code actions run the server's commands through here; our own palette commands
        // call `execute` and open the answer themselves.
        executeCommand: async (command, args, next) => {
          const result: unknown = await next(command, args);
          if (isAnswer(result)) this.hooks.onAnswer(result);
          return result;
        },
        workspace: {
          configuration: async (params, token, next) => {
            const rest = await next(params, token);
            if (rest instanceof ResponseError) return rest;
            return params.items.map((item, i) => {
              const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
              return answerConfigurationItem(item.section, settingsReader(scope)) ?? rest[i];
            });
          },
          didChangeConfiguration: () => this.sendSettings(self()),
        },
      },
    };
  }

  private sendSettings(client: LanguageClient): Promise<void> {
    return client.sendNotification(DidChangeConfigurationNotification.type, { settings: { [SECTION]: toServerSettings(settingsReader()) } });
  }

  /**
   * Accepting an inline completion runs the item's command `frugal.acceptCompletion`.
   * The client registers it when the server lists it in `executeCommandProvider`; if a
   * server forgets to, register a forwarder so acceptance still reaches the server.
   */
  private ensureAcceptForwarded(client: LanguageClient): void {
    const advertised = client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    if (advertised.includes(ServerCommand.acceptCompletion)) return;
    this.hooks.output.warn(`The server does not advertise ${ServerCommand.acceptCompletion}; forwarding it from the client.`);
    this.extra.push(
      vscode.commands.registerCommand(ServerCommand.acceptCompletion, (...args: unknown[]) =>
        this.execute(ServerCommand.acceptCompletion, args).catch((err) => this.hooks.output.warn(`acceptCompletion: ${String(err)}`)),
      ),
    );
  }

  private fail(message: string): void {
    this.hooks.output.error(message);
    this.hooks.onConnection('failed', message);
    void vscode.window.showErrorMessage(message, FIX_ACTIONS.settings, FIX_ACTIONS.output).then((choice) => {
      if (choice === FIX_ACTIONS.settings) void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.serverPath`);
      if (choice === FIX_ACTIONS.output) this.hooks.output.show();
    });
  }
}
