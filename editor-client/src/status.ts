/**
 * The status bar item fed by `frugal/status`. `formatStatus` is pure (text, tooltip,
 * colour); `StatusIndicator` keeps the last status plus the client's own in-flight
 * count and pushes the rendering into a `StatusItemPort` (the VS Code item in
 * production, a plain object in tests).
 */
import type { PlatformUsage, Status } from './protocol';

export type Background = 'warning' | 'error' | undefined;

export interface StatusView {
  text: string;
  /** Markdown. */
  tooltip: string;
  background: Background;
}

export interface StatusItemPort {
  render(view: StatusView): void;
}

export type Connection = 'starting' | 'running' | 'stopped' | 'failed';

const ICON = { ok: '$(pulse)', busy: '$(sync~spin)', exhausted: '$(circle-slash)', off: '$(debug-disconnect)', config: '$(gear)' };

export function formatStatus(status: Status, localBusy = false): StatusView {
  const busy = status.busy || localBusy;
  const parts = [headline(status), ...(status.daysLeft != null ? [`${fixed1(status.daysLeft)}d`] : []), status.tier];
  const icon = busy ? ICON.busy : status.state === 'exhausted' ? ICON.exhausted : status.state === 'unconfigured' ? ICON.config : ICON.ok;
  return { text: `${icon} ${parts.join(' · ')}`, tooltip: tooltip(status, busy), background: backgroundFor(status.state) };
}

/** What the item shows before the first status or when the server is not running. */
export function formatConnection(connection: Connection, detail = ''): StatusView {
  switch (connection) {
    case 'starting':
      return { text: `${ICON.busy} frugal`, tooltip: 'Frugal: starting the frugal-lsp server…', background: undefined };
    case 'running':
      return { text: `${ICON.ok} frugal`, tooltip: 'Frugal: waiting for the first quota status…', background: undefined };
    case 'stopped':
      return { text: `${ICON.off} frugal`, tooltip: 'Frugal: server stopped. Run "Frugal: Restart Server".', background: undefined };
    case 'failed':
      return { text: `${ICON.off} frugal`, tooltip: `Frugal: the server is not running.\n\n${detail}`, background: 'error' };
  }
}

export function backgroundFor(state: Status['state']): Background {
  if (state === 'warning') return 'warning';
  if (state === 'error' || state === 'exhausted') return 'error';
  return undefined;
}

function headline(s: Status): string {
  if (s.state === 'unconfigured') return 'not configured';
  if (s.fraction != null) return `${Math.round(s.fraction * 100)}%`;
  return `${compact(s.used)} used`;
}

function tooltip(s: Status, busy: boolean): string {
  const budget = `Budget: ${usedOfLimit(s.used, s.limit)} this ${s.period}` + (s.fraction != null ? ` (${pct(s.fraction)})` : '');
  const blocks = [`**Frugal** — ${s.message || stateLabel(s.state)}`, budget];
  if (s.platforms.length) {
    blocks.push(['| platform | used / limit | |', '|---|---:|---:|', ...s.platforms.map(platformRow)].join('\n'));
  }
  const cpa = s.costPerAccepted != null ? `${group(Math.round(s.costPerAccepted))} quota units` : '—';
  blocks.push(
    [
      `Burn: ${fixed1(s.burnPerMin)} tokens/min` + (s.daysLeft != null ? ` · ${fixed1(s.daysLeft)} days left` : ''),
      `Tokens saved: ${group(s.tokensSaved)}`,
      `Cost per accepted suggestion: ${cpa} (${s.accepted} accepted)`,
      `Tier: ${s.tier}` + (busy ? ' · request in flight…' : ''),
    ].join('  \n'),
  );
  if (s.scorecard?.length) {
    blocks.push(s.scorecard.map((note) => `Scorecard: ${note}`).join('  \n'));
  }
  blocks.push('_Click for the usage view._');
  return blocks.join('\n\n');
}

function platformRow(p: PlatformUsage): string {
  return `| ${p.name} | ${usedOfLimit(p.used, p.limit)} | ${p.fraction != null ? pct(p.fraction) : ''} |`;
}

function stateLabel(state: Status['state']): string {
  return { ok: 'quota OK', warning: 'quota warning', error: 'quota nearly used up', exhausted: 'quota exhausted', unconfigured: 'no provider configured' }[state];
}

export function usedOfLimit(used: number, limit: number | null): string {
  return limit != null ? `${group(Math.round(used))} / ${group(Math.round(limit))}` : `${group(Math.round(used))} (no limit)`;
}

export function compact(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${trim(n / 1e6)}M`;
  if (abs >= 1e3) return `${trim(n / 1e3)}k`;
  return String(Math.round(n));
}

export function pct(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

export function group(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function fixed1(n: number): string {
  return n.toFixed(1);
}

function trim(n: number): string {
  return n >= 100 ? Math.round(n).toString() : n.toFixed(1).replace(/\.0$/, '');
}

/** Holds the latest status and the client's own busy count; renders on every change. */
export class StatusIndicator {
  private status: Status | undefined;
  private inFlight = 0;
  private connection: Connection = 'starting';
  private detail = '';

  constructor(private readonly port: StatusItemPort) {
    this.port.render(formatConnection('starting'));
  }

  get latest(): Status | undefined {
    return this.status;
  }

  update(status: Status): void {
    this.status = status;
    this.connection = 'running';
    this.render();
  }

  setConnection(connection: Connection, detail = ''): void {
    this.connection = connection;
    this.detail = detail;
    if (connection !== 'running') this.status = undefined;
    this.render();
  }

  /** Mark a client-initiated request as in flight until the promise settles. */
  async track<T>(work: Promise<T>): Promise<T> {
    this.inFlight++;
    this.render();
    try {
      return await work;
    } finally {
      this.inFlight--;
      this.render();
    }
  }

  private render(): void {
    if (this.status && this.connection === 'running') {
      this.port.render(formatStatus(this.status, this.inFlight > 0));
    } else {
      this.port.render(formatConnection(this.connection, this.detail));
    }
  }
}
