/**
 * "Frugal: Show Usage": a webview with one bar per platform plus the overall budget.
 * Uses the server's `frugal-lsp report --html` when it produces HTML; otherwise renders
 * the same picture from the `frugal.status` command's data (inline SVG, no scripts).
 */
import type { PlatformUsage, Status } from './protocol';
import { backgroundFor, group, pct, usedOfLimit } from './status';

export interface PanelPort {
  /** Create or reveal the panel and set its HTML. */
  show(html: string): void;
  readonly isOpen: boolean;
}

export interface UsageSources {
  status(): Promise<Status>;
  /** HTML from `frugal-lsp report --html`, or undefined when the server has none. */
  reportHtml(): Promise<string | undefined>;
}

const BAR_WIDTH = 320;
const BAR_HEIGHT = 14;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function barColor(fraction: number | null): string {
  if (fraction == null) return 'var(--vscode-charts-blue)';
  if (fraction >= 0.9) return 'var(--vscode-charts-red)';
  if (fraction >= 0.7) return 'var(--vscode-charts-yellow)';
  return 'var(--vscode-charts-green)';
}

/** One horizontal bar as inline SVG; `fraction` null draws an empty (unlimited) track. */
export function svgBar(label: string, fraction: number | null): string {
  const filled = fraction == null ? 0 : Math.round(Math.max(0, Math.min(1, fraction)) * BAR_WIDTH);
  return (
    `<svg class="bar" role="img" aria-label="${escapeHtml(label)}" width="${BAR_WIDTH}" height="${BAR_HEIGHT}" viewBox="0 0 ${BAR_WIDTH} ${BAR_HEIGHT}">` +
    `<rect width="${BAR_WIDTH}" height="${BAR_HEIGHT}" rx="3" fill="var(--vscode-editorWidget-border, #8884)"/>` +
    `<rect width="${filled}" height="${BAR_HEIGHT}" rx="3" fill="${barColor(fraction)}"/></svg>`
  );
}

function row(name: string, used: number, limit: number | null, fraction: number | null): string {
  const share = fraction != null ? pct(fraction) : 'no limit';
  return `<tr><th scope="row">${escapeHtml(name)}</th><td>${svgBar(`${name}: ${share}`, fraction)}</td><td class="num">${escapeHtml(usedOfLimit(used, limit))}</td><td class="num">${share}</td></tr>`;
}

export function renderUsageHtml(s: Status, cspSource = ''): string {
  const platformRows = s.platforms.map((p: PlatformUsage) => row(p.name, p.used, p.limit, p.fraction)).join('');
  const banner = backgroundFor(s.state) ? `<p class="banner ${s.state}">${escapeHtml(s.message)}</p>` : `<p>${escapeHtml(s.message)}</p>`;
  const facts: Array<[string, string]> = [
    ['Burn rate', `${s.burnPerMin.toFixed(1)} tokens/min`],
    ['Days left at this rate', s.daysLeft != null ? s.daysLeft.toFixed(1) : '—'],
    ['Tokens saved', group(s.tokensSaved)],
    ['Accepted suggestions', String(s.accepted)],
    ['Cost per accepted suggestion', s.costPerAccepted != null ? `${group(s.costPerAccepted)} quota units` : '—'],
    ['Tier', s.tier],
  ];
  const factRows = facts.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline' ${cspSource}; img-src data: ${cspSource};">
<title>Frugal usage</title>
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1.5em; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { padding: 4px 10px; text-align: left; vertical-align: middle; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.banner { padding: 6px 10px; border-radius: 3px; }
.banner.warning { background: var(--vscode-inputValidation-warningBackground); }
.banner.error, .banner.exhausted { background: var(--vscode-inputValidation-errorBackground); }
</style></head>
<body>
<h1>Frugal usage</h1>
${banner}
<h2>Budget (${escapeHtml(s.period)})</h2>
<table>${row('all platforms', s.used, s.limit, s.fraction)}</table>
<h2>Platforms</h2>
${platformRows ? `<table>${platformRows}</table>` : '<p>No platform usage recorded yet.</p>'}
<h2>Savings and rate</h2>
<table>${factRows}</table>
</body></html>`;
}

/** Accept `report --html` output only when it ran cleanly and is HTML with a chart. */
export function acceptReport(exitCode: number | null, stdout: string): string | undefined {
  const text = stdout.trim();
  return exitCode === 0 && /^<(!doctype|html)/i.test(text) && /<svg/i.test(text) ? text : undefined;
}

export class UsageView {
  constructor(
    private readonly sources: UsageSources,
    private readonly panel: PanelPort,
    private readonly cspSource = '',
  ) {}

  private fromReport = false;

  /** Open (or refresh) the view. */
  async show(): Promise<void> {
    const report = await this.sources.reportHtml().catch(() => undefined);
    this.fromReport = report !== undefined;
    this.panel.show(report ?? renderUsageHtml(await this.sources.status(), this.cspSource));
  }

  /** Called for every `frugal/status`; live-refreshes an open view drawn from status data. */
  onStatus(status: Status): void {
    if (this.panel.isOpen && !this.fromReport) this.panel.show(renderUsageHtml(status, this.cspSource));
  }
}
