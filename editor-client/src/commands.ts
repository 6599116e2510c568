/**
 * The user-facing commands. Each handler talks to VS Code only through `Ui` and to the
 * server only through `ServerApi`, so the flows (estimate before spending, cancellation,
 * what is sent) are unit-tested with fakes.
 *
 * The palette ids (`frugal-lsp.*`) differ from the server's command ids (`frugal.*`) on
 * purpose: the language client registers every command the server advertises under its
 * own id, and a second registration of the same id would fail.
 */
import { ServerCommand, TIERS, type Answer, type Estimate, type EstimateArgs, type Range, type SelectionArgs, type Status, type Tier } from './protocol';

export const ClientCommand = {
  askSelection: 'frugal-lsp.askSelection',
  askDesign: 'frugal-lsp.askDesign',
  showUsage: 'frugal-lsp.showUsage',
  clearConversation: 'frugal-lsp.clearConversation',
  setTier: 'frugal-lsp.setTier',
  restartServer: 'frugal-lsp.restartServer',
} as const;

/** Opaque cancellation token (a `vscode.CancellationToken` in production). */
export type CancelToken = unknown;

export interface ServerApi {
  execute<T>(command: string, args: unknown[], token?: CancelToken): Promise<T>;
  restart(): Promise<void>;
}

export interface EditorSelection {
  uri: string;
  range: Range;
  isEmpty: boolean;
}

export interface Template {
  title: string;
  prompt: string;
}

export interface Ui {
  activeSelection(): EditorSelection | undefined;
  /** Ask for the question; '' means "no question" (the server explains the code). undefined = cancelled. */
  askQuestion(templates: Template[]): Promise<string | undefined>;
  /** Ask for a design question; '' means the server's default design question. undefined = cancelled. */
  askDesignQuestion(): Promise<string | undefined>;
  confirm(message: string, action: string): Promise<boolean>;
  pickTier(tiers: readonly Tier[], current: string | undefined): Promise<Tier | undefined>;
  withProgress<T>(title: string, work: (token: CancelToken) => Promise<T>): Promise<T>;
  openAnswer(answer: Answer): Promise<void>;
  flash(message: string): void;
  info(message: string): void;
  /** A notification with buttons (never collapsed to one line); resolves to the chosen one. */
  notify(level: Level, message: string, ...actions: string[]): Promise<string | undefined>;
  showOutput(): void;
  /**
   * An error notification. It always carries at least one button: VS Code collapses a
   * notification without buttons to one line, which cut our messages off mid-sentence.
   * Resolves to the button the user chose.
   */
  error(message: string, ...actions: string[]): Promise<string | undefined>;
}

export type Level = 'error' | 'warning' | 'info';

/** Buttons on a refusal, so the user can act on the reason. */
export const RefusalAction = { usage: 'Show Usage', tier: 'Set Tier' } as const;

/** Buttons on the server's own messages (budget alerts, config errors). */
export const ServerMessageAction = { usage: 'Show Usage', output: 'Show Output' } as const;

/** LSP `MessageType` (1 error, 2 warning, 3 info, 4 log) → notification level. */
export function levelOf(type: number): Level {
  return type === 1 ? 'error' : type === 2 ? 'warning' : 'info';
}

export interface CommandDeps {
  ui: Ui;
  server: ServerApi;
  templates(): Template[];
  currentStatus(): Status | undefined;
  showUsage(): Promise<void>;
  /** Keeps the tier across restarts (the `frugal.tier` setting, which the server reads). */
  saveTier(tier: Tier): Promise<void>;
  /** Marks a request as in flight in the status bar. */
  track<T>(work: Promise<T>): Promise<T>;
}

export function selectionArgs(sel: EditorSelection, question: string): SelectionArgs {
  const args: SelectionArgs = { uri: sel.uri, range: sel.range };
  const q = question.trim();
  if (q) args.question = q;
  return args;
}

export function estimateMessage(e: Estimate): string {
  return `Ask ${e.model} (${e.tier})? About ${e.tokens.toLocaleString('en-US')} tokens, ${formatCost(e.cost)}.`;
}

/**
 * The server found no model it may use (quota, routing or config): nothing to confirm.
 * The reason comes first (the server's `reason`: "provider/model: why; …"), then what to do.
 */
export function noModelMessage(e: Estimate): string | undefined {
  if (e.model && e.tier) return undefined;
  const reason = (e.reason ?? '').trim().replace(/[.;\s]+$/, '');
  const why = reason ? ` — ${reason}` : '';
  return `Frugal: not sent, no model can take this request now${why}. It needs about ${e.tokens.toLocaleString('en-US')} tokens: see "Show Usage" for the quota, pick another tier, or change the budget and models in frugal.toml.`;
}

export function answerSummary(a: Answer): string {
  const cached = a.cached ? ' · from cache' : '';
  return `Frugal: ${a.model} (${a.tier}) · ${a.promptTokens}+${a.completionTokens} tokens ${formatCost(a.cost)}${cached}`;
}

/** Costs are quota units (tokens × model coefficient), as the server reports them. */
export function formatCost(cost: number | null): string {
  if (cost == null) return 'cost unknown';
  if (cost === 0) return 'no quota used';
  const n = cost >= 10 ? Math.round(cost).toLocaleString('en-US') : String(Number(cost.toFixed(2)));
  return `≈ ${n} quota units`;
}

export function isCancellation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === -32800;
}

export function errorText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.startsWith('Frugal') ? msg : `Frugal: ${msg}`;
}

export class Commands {
  constructor(private readonly d: CommandDeps) {}

  /** "Frugal: Ask about Selection": question → estimate → confirm → ask → open answer. */
  async askSelection(): Promise<Answer | undefined> {
    return this.askAbout('ask', () => this.d.ui.askQuestion(this.d.templates()));
  }

  /** "Frugal: Design Question about Selection": the same flow, estimated and asked as a design question (advanced tier). */
  async askDesign(): Promise<Answer | undefined> {
    return this.askAbout('design', () => this.d.ui.askDesignQuestion());
  }

  private async askAbout(task: 'ask' | 'design', ask: () => Promise<string | undefined>): Promise<Answer | undefined> {
    const sel = this.d.ui.activeSelection();
    if (!sel || sel.isEmpty) {
      this.d.ui.info('Frugal: select the code to ask about first.'); // short: a toast shows one line
      return undefined;
    }
    const question = await ask();
    if (question === undefined) return undefined;
    const args = selectionArgs(sel, question);
    const estimateArgs: EstimateArgs = task === 'ask' ? args : { ...args, task };
    const command = task === 'ask' ? ServerCommand.askSelection : ServerCommand.askDesign;
    return this.guard(async () => {
      const estimate = await this.d.server.execute<Estimate>(ServerCommand.estimate, [estimateArgs]);
      const unavailable = noModelMessage(estimate);
      if (unavailable) return void this.refuse(unavailable);
      if (!(await this.d.ui.confirm(estimateMessage(estimate), 'Send'))) return undefined;
      const answer = await this.d.ui.withProgress(`Frugal: asking ${estimate.model}…`, (token) =>
        this.d.track(this.d.server.execute<Answer>(command, [args], token)),
      );
      await this.d.ui.openAnswer(answer);
      this.d.ui.flash(answerSummary(answer));
      return answer;
    });
  }

  async clearConversation(): Promise<void> {
    await this.guard(async () => {
      await this.d.server.execute<null>(ServerCommand.clearConversation, []);
      this.d.ui.flash('Frugal: conversation cleared');
    });
  }

  async setTier(): Promise<Tier | undefined> {
    const tier = await this.d.ui.pickTier(TIERS, this.d.currentStatus()?.tier);
    if (!tier) return undefined;
    return this.guard(async () => {
      await this.d.server.execute<null>(ServerCommand.setTier, [tier]);
      await this.d.saveTier(tier);
      this.d.ui.flash(`Frugal: tier set to ${tier}`);
      return tier;
    });
  }

  async restartServer(): Promise<void> {
    await this.guard(() => this.d.server.restart());
  }

  async showUsage(): Promise<void> {
    await this.guard(() => this.d.showUsage());
  }

  /**
   * `window/showMessage` from the server (budget alerts such as "AI quota 89% used — 37
   * minutes left…; pacing: cheaper-tier; …", config errors), shown with buttons so that
   * VS Code shows the whole text instead of cutting it to one line.
   */
  serverMessage(type: number, message: string): void {
    const { usage, output } = ServerMessageAction;
    void this.d.ui.notify(levelOf(type), message, usage, output).then((choice) => {
      if (choice === usage) return this.showUsage();
      if (choice === output) this.d.ui.showOutput();
      return undefined;
    });
  }

  /** Not awaited: the notification stays until the user acts, the command is done. */
  private refuse(message: string): void {
    void this.d.ui.error(message, RefusalAction.usage, RefusalAction.tier).then((choice) => {
      if (choice === RefusalAction.usage) return this.showUsage();
      if (choice === RefusalAction.tier) return void this.setTier();
      return undefined;
    });
  }

  private async guard<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (err) {
      if (!isCancellation(err)) void this.d.ui.error(errorText(err));
      return undefined;
    }
  }
}

/** Markdown for an answer that has no file of its own (`documentUri` null). */
export function answerMarkdown(a: Answer): string {
  return `${a.answer.trim()}\n\n---\n_${a.model} (${a.provider}, ${a.tier}) · ${a.promptTokens}+${a.completionTokens} tokens ${formatCost(a.cost)}${a.cached ? ' · from cache' : ''} · thread ${a.threadId}_\n`;
}
