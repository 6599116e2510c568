/**
 * The only adapters from our small interfaces (`Ui`, `StatusItemPort`, `PanelPort`) to
 * the VS Code API. Kept thin: no decisions here, just calls.
 */
import * as vscode from 'vscode';
import { answerMarkdown, ClientCommand, type CancelToken, type EditorSelection, type Level, type Template, type Ui } from './commands';
import type { Answer, Tier } from './protocol';
import { SECTION, TRACE_KEY, tracesServer } from './settings';
import type { StatusItemPort, StatusView } from './status';
import type { PanelPort } from './usageView';

const TIER_HELP: Record<Tier, string> = {
  auto: 'route each request to the cheapest adequate model',
  basic: 'cheapest models only',
  advanced: 'stronger models, more quota per token',
  specialized: 'code-specialised models',
};

export function createStatusItem(): StatusItemPort & vscode.Disposable {
  const item = vscode.window.createStatusBarItem('frugal.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Frugal quota';
  item.command = ClientCommand.showUsage;
  item.show();
  return {
    render(view: StatusView) {
      item.text = view.text;
      const tip = new vscode.MarkdownString(view.tooltip, true);
      item.tooltip = tip;
      item.backgroundColor = view.background ? new vscode.ThemeColor(`statusBarItem.${view.background}Background`) : undefined;
    },
    dispose: () => item.dispose(),
  };
}

export function createUsagePanel(): PanelPort & vscode.Disposable {
  let panel: vscode.WebviewPanel | undefined;
  return {
    get isOpen() {
      return panel !== undefined;
    },
    show(html: string) {
      if (!panel) {
        panel = vscode.window.createWebviewPanel('frugal.usage', 'Frugal Usage', vscode.ViewColumn.Beside, { enableScripts: false });
        panel.onDidDispose(() => (panel = undefined));
      } else {
        panel.reveal(undefined, true);
      }
      panel.webview.html = html;
    },
    dispose: () => panel?.dispose(),
  };
}

/**
 * The language client's trace channel. vscode-languageclient 9+ traces only while its
 * trace channel's log level is Trace, and a log channel starts at Info: `frugal.trace.server`
 * alone wrote nothing. This channel reports Trace while the setting asks for a trace and
 * writes those lines into the Frugal log at a level that shows by default; with the setting
 * off it follows the Frugal channel's own level ("Developer: Set Log Level…").
 */
export function createTraceChannel(output: vscode.LogOutputChannel): vscode.LogOutputChannel {
  const tracing = () => tracesServer(vscode.workspace.getConfiguration(SECTION).get(TRACE_KEY));
  const level = () => (tracing() ? vscode.LogLevel.Trace : output.logLevel);
  const changed = new vscode.EventEmitter<vscode.LogLevel>();
  const subscriptions = [
    changed,
    output.onDidChangeLogLevel(() => changed.fire(level())),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.${TRACE_KEY}`)) changed.fire(level());
    }),
  ];
  return {
    name: output.name,
    get logLevel() {
      return level();
    },
    onDidChangeLogLevel: changed.event,
    trace: (message, ...args) => (tracing() ? output.info(message, ...args) : output.trace(message, ...args)),
    debug: (message, ...args) => output.debug(message, ...args),
    info: (message, ...args) => output.info(message, ...args),
    warn: (message, ...args) => output.warn(message, ...args),
    error: (error, ...args) => output.error(error, ...args),
    append: (value) => output.append(value),
    appendLine: (value) => output.appendLine(value),
    replace: (value) => output.replace(value),
    clear: () => output.clear(),
    show: (first?: boolean | vscode.ViewColumn) => output.show(typeof first === 'boolean' ? first : undefined),
    hide: () => output.hide(),
    dispose: () => subscriptions.forEach((d) => d.dispose()),
  };
}

const SHOW_OUTPUT = 'Show Output';
/** The built-in Markdown extension's preview editor (VS Code's "Open With… › Markdown Preview"). */
const MARKDOWN_PREVIEW = 'vscode.markdown.preview.editor';

export class VscodeUi implements Ui {
  constructor(private readonly output: vscode.OutputChannel) {}

  activeSelection(): EditorSelection | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const s = editor.selection;
    return {
      uri: editor.document.uri.toString(),
      range: { start: { line: s.start.line, character: s.start.character }, end: { line: s.end.line, character: s.end.character } },
      isEmpty: s.isEmpty,
    };
  }

  async askQuestion(templates: Template[]): Promise<string | undefined> {
    if (templates.length) {
      const own = { label: '$(edit) Type a question…', prompt: undefined as string | undefined };
      const pick = await vscode.window.showQuickPick([own, ...templates.map((t) => ({ label: t.title, detail: t.prompt, prompt: t.prompt }))], {
        title: 'Frugal: Ask about Selection',
      });
      if (!pick) return undefined;
      if (pick.prompt !== undefined) return pick.prompt;
    }
    return vscode.window.showInputBox({
      title: 'Frugal: Ask about Selection',
      prompt: 'Your question about the selected code (leave empty to have it explained)',
      placeHolder: 'e.g. Why can this return None?',
    });
  }

  askDesignQuestion(): Promise<string | undefined> {
    return Promise.resolve(
      vscode.window.showInputBox({
        title: 'Frugal: Design Question about Selection',
        prompt: 'Your design question about the selected code (leave empty for structure, responsibilities and trade-offs)',
        placeHolder: 'e.g. Should this be split into two classes?',
      }),
    );
  }

  async confirm(message: string, action: string): Promise<boolean> {
    return (await vscode.window.showInformationMessage(message, action)) === action;
  }

  async pickTier(tiers: readonly Tier[], current: string | undefined): Promise<Tier | undefined> {
    const items = tiers.map((t) => ({ label: t, description: t === current ? `(current) ${TIER_HELP[t]}` : TIER_HELP[t] }));
    return (await vscode.window.showQuickPick(items, { title: 'Frugal: Set Tier' }))?.label;
  }

  withProgress<T>(title: string, work: (token: CancelToken) => Promise<T>): Promise<T> {
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_p, token) => work(token)),
    );
  }

  /**
   * Rendered beside the code, which keeps the focus: the Markdown preview as an editor of
   * the answer file (it re-renders when a follow-up rewrites the file). Not
   * `markdown.showPreviewToSide`: that preview takes the focus.
   */
  async openAnswer(answer: Answer): Promise<void> {
    const beside = { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true };
    if (answer.documentUri) {
      const uri = vscode.Uri.parse(answer.documentUri);
      try {
        await vscode.commands.executeCommand('vscode.openWith', uri, MARKDOWN_PREVIEW, beside);
      } catch {
        await vscode.window.showTextDocument(uri, beside);
      }
      return;
    }
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: answerMarkdown(answer) });
    await vscode.window.showTextDocument(doc, beside);
  }

  flash(message: string): void {
    vscode.window.setStatusBarMessage(message, 6000);
  }

  info(message: string): void {
    void vscode.window.showInformationMessage(message);
  }

  async error(message: string, ...actions: string[]): Promise<string | undefined> {
    const choice = await this.notify('error', message, ...(actions.length ? actions : [SHOW_OUTPUT]));
    if (choice === SHOW_OUTPUT && !actions.length) this.showOutput();
    return choice;
  }

  notify(level: Level, message: string, ...actions: string[]): Promise<string | undefined> {
    const show = { error: vscode.window.showErrorMessage, warning: vscode.window.showWarningMessage, info: vscode.window.showInformationMessage }[level];
    return Promise.resolve(show(message, ...actions));
  }

  showOutput(): void {
    this.output.show(true);
  }
}
