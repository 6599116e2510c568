/**
 * The wire contract with `frugal-lsp serve`, as written in docs/protocol.md.
 * Types only plus the method and command names; nothing here talks to VS Code.
 */

export const STATUS_NOTIFICATION = 'frugal/status';

/** Commands the server executes through `workspace/executeCommand`. */
export const ServerCommand = {
  askSelection: 'frugal.askSelection',
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
}

/** `cost` and the Answer's `cost` are quota units (tokens × the model's coefficient). */
export interface Estimate {
  tokens: number;
  /** null when no model is available for the request (server behaviour beyond the contract). */
  tier: string | null;
  model: string | null;
  cost: number | null;
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

export interface SelectionArgs {
  uri: string;
  range: Range;
  question?: string;
  template?: string;
  tier?: ModelTier;
}
