/** Entry point: wiring only. Behaviour lives in the modules it connects. */
import * as vscode from 'vscode';
import { answerSummary, ClientCommand, Commands, type Template } from './commands';
import { ServerCommand, type Status } from './protocol';
import { FrugalServer, settingsReader } from './server';
import { changeKind } from './settings';
import { StatusIndicator } from './status';
import { UsageView } from './usageView';
import { SECTION, saveScope, type SaveScope } from './settings';
import { createStatusItem, createTraceChannel, createUsagePanel, VscodeUi } from './vscodeHost';

let server: FrugalServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Frugal', { log: true });
  const statusItem = createStatusItem();
  const panel = createUsagePanel();
  const indicator = new StatusIndicator(statusItem);
  const trace = createTraceChannel(output);
  const ui = new VscodeUi(output);
  const frugal = new FrugalServer({
    extensionPath: context.extensionPath,
    output,
    trace,
    onAnswer: (answer) => {
      void ui.openAnswer(answer);
      ui.flash(answerSummary(answer));
    },
    onServerMessage: (type, message) => commands.serverMessage(type, message),
    onStatus: (s) => {
      indicator.update(s);
      usage.onStatus(s);
    },
    onConnection: (c, detail) => indicator.setConnection(c, detail),
  });
  const usage = new UsageView({ status: () => frugal.execute<Status>(ServerCommand.status, []), reportHtml: () => frugal.reportHtml() }, panel);
  const commands = new Commands({
    ui,
    server: frugal,
    templates: () => settingsReader().get<Template[]>('templates') ?? [],
    currentStatus: () => indicator.latest,
    showUsage: () => usage.show(),
    saveTier: (tier) => saveSetting('tier', tier),
    track: (work) => indicator.track(work),
  });
  server = frugal;

  context.subscriptions.push(
    output,
    trace,
    statusItem,
    panel,
    frugal,
    vscode.commands.registerCommand(ClientCommand.askSelection, () => commands.askSelection()),
    vscode.commands.registerCommand(ClientCommand.askDesign, () => commands.askDesign()),
    vscode.commands.registerCommand(ClientCommand.showUsage, () => commands.showUsage()),
    vscode.commands.registerCommand(ClientCommand.clearConversation, () => commands.clearConversation()),
    vscode.commands.registerCommand(ClientCommand.setTier, () => commands.setTier()),
    vscode.commands.registerCommand(ClientCommand.restartServer, () => commands.restartServer()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (changeKind((s) => e.affectsConfiguration(s)) === 'restart') void frugal.restart();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void frugal.restart()),
  );
  await frugal.start();
}

const TARGETS: Record<SaveScope, vscode.ConfigurationTarget> = {
  workspaceFolder: vscode.ConfigurationTarget.WorkspaceFolder,
  workspace: vscode.ConfigurationTarget.Workspace,
  global: vscode.ConfigurationTarget.Global,
};

async function saveSetting(key: string, value: unknown): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION, vscode.workspace.workspaceFolders?.[0]?.uri);
  await config.update(key, value, TARGETS[saveScope(config.inspect(key))]);
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
