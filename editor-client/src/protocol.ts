/**
 * The wire contract with `frugal-lsp serve`, as written in docs/protocol.md.
 * Types only plus the method and command names; nothing here talks to VS Code.
 */

export const STATUS_NOTIFICATION = 'frugal/status';

/**
 * Sent in `initialize` as `capabilities.experimental.frugal`: this client opens answers
 * itself (VS Code: a Markdown preview beside the code), so the server must not also send
 * `window/showDocument` or `window/showMessage` with the answer. Clients without it
 * (Neovim, Emacs, Helix) keep the server's way.
 */
export const CLIENT_CAPABILITIES = { opensAnswers: true } as const;

/** Commands the server executes through `workspace/executeCommand`. */
export const ServerCommand = {
  askSelection: 'frugal.askSelection',
  askDesign: 'frugal.askDesign',
  explainError: 'frugal.explainError',
  askAgainStronger: 'frugal.askAgainStronger',
  estimate: 'frugal.estimate',
  clearConversation: 'frugal.clearConversation',
  acceptCompletion: 'frugal.acceptCompletion',
  setTier: 'frugal.setTier',
  status: 'frugal.status',
} as const;
export type ServerCommandName = (typeof ServerCommand)[keyof typeof ServerCommand];

export const TIERS = ['auto', 'basic', 'advanced', 'specialized'] as const;
export type Tier = (typeof TIERS)[number];
export type ModelTier = Exclude<Tier, 'auto'>;

export type QuotaState = 'ok' | 'warning' | 'error' | 'exhausted' | 'unconfigured';

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

export interface PlatformUsage {
  name: string;
  used: number;
  limit: number | null;
  fraction: number | null;
}

/** Payload of the `frugal/status` notification and result of `frugal.status`. */
export interface Status {
  used: number;
  limit: number | null;
  fraction: number | null;
  period: string;
  burnPerMin: number;
  daysLeft: number | null;
  tier: string;
  state: QuotaState;
  busy: boolean;
  message: string;
  platforms: PlatformUsage[];
  tokensSaved: number;
  costPerAccepted: number | null;
  accepted: number;
  /** What is wrong with the measured-quality scorecard: missing, older than 90 days, models without one. Empty or absent: nothing. */
  scorecard?: string[];
}

/** `cost` and the Answer's `cost` are quota units (tokens × the model's coefficient). */
export interface Estimate {
  tokens: number;
  /** null when no model is available for the request (server behaviour beyond the contract). */
  tier: string | null;
  model: string | null;
  cost: number | null;
  /** Why the model was chosen, or (model null) why every model was left out: "provider/model: why; …". */
  reason?: string;
}

export interface Answer {
  answer: string;
  model: string;
  provider: string;
  tier: string;
  promptTokens: number;
  completionTokens: number;
  cached: boolean;
  cost: number;
  threadId: string;
  documentUri: string | null;
}

/** Whether a command result is an Answer (explainError, askAgainStronger, askSelection). */
export function isAnswer(value: unknown): value is Answer {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Answer>;
  return typeof v.answer === 'string' && typeof v.threadId === 'string' && 'documentUri' in v;
}

export interface SelectionArgs {
  uri: string;
  range: Range;
  question?: string;
  template?: string;
  tier?: ModelTier;
}

/** `frugal.estimate`'s argument: a selection, and which selection command it estimates (default `ask`). */
export interface EstimateArgs extends SelectionArgs {
  task?: 'ask' | 'design';
}
