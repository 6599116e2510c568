import { describe, expect, it } from 'vitest';
import { compact, formatConnection, formatStatus, StatusIndicator, type StatusView } from '../../src/status';
import { sampleStatus } from './fixtures';

describe('formatStatus', () => {
  it('shows percent, days left and tier like the product card', () => {
    expect(formatStatus(sampleStatus()).text).toBe('$(pulse) 72% · 3.1d · basic');
  });

  it('colours by state: warning, error and exhausted; none when ok or unconfigured', () => {
    expect(formatStatus(sampleStatus({ state: 'ok' })).background).toBeUndefined();
    expect(formatStatus(sampleStatus({ state: 'warning' })).background).toBe('warning');
    expect(formatStatus(sampleStatus({ state: 'error' })).background).toBe('error');
    expect(formatStatus(sampleStatus({ state: 'exhausted' })).background).toBe('error');
    expect(formatStatus(sampleStatus({ state: 'unconfigured' })).background).toBeUndefined();
  });

  it('spins while the server or the client has a request in flight', () => {
    expect(formatStatus(sampleStatus({ busy: true })).text).toMatch(/^\$\(sync~spin\) 72%/);
    expect(formatStatus(sampleStatus(), true).text).toMatch(/^\$\(sync~spin\) /);
  });

  it('falls back to tokens used and drops days when there is no budget or no data', () => {
    const s = sampleStatus({ limit: null, fraction: null, daysLeft: null, used: 48210 });
    expect(formatStatus(s).text).toBe('$(pulse) 48.2k used · basic');
  });

  it('marks an exhausted quota and an unconfigured server', () => {
    expect(formatStatus(sampleStatus({ state: 'exhausted', fraction: 1 })).text).toBe('$(circle-slash) 100% · 3.1d · basic');
    expect(formatStatus(sampleStatus({ state: 'unconfigured' })).text).toMatch(/^\$\(gear\) not configured/);
  });

  it('tooltip lists used/limit per platform, burn, savings and cost per accepted suggestion', () => {
    const tip = formatStatus(sampleStatus()).tooltip;
    expect(tip).toContain('AI quota 72% used');
    expect(tip).toContain('| openai | 5,000 / 8,000 | 63% |');
    expect(tip).toContain('Budget: 7,200 / 10,000 this month (72%)');
    expect(tip).toContain('Burn: 12.5 tokens/min · 3.1 days left');
    expect(tip).toContain('Tokens saved: 48,210');
    expect(tip).toContain('Cost per accepted suggestion: 213 quota units (14 accepted)');
  });

  it('tooltip says what the scorecard lacks, and nothing when it is complete or not sent', () => {
    const missing = 'no scorecard for openai/gpt-4o — run `frugal-lsp eval --models openai/gpt-4o`';
    const stale = 'scorecard is 91 days old (over 90) — run `frugal-lsp eval`';
    const tip = formatStatus(sampleStatus({ scorecard: [stale, missing] })).tooltip;
    expect(tip).toContain(`Scorecard: ${stale}  \nScorecard: ${missing}\n\n_Click for the usage view._`);
    expect(formatStatus(sampleStatus({ scorecard: [] })).tooltip).not.toContain('Scorecard');
    expect(formatStatus(sampleStatus()).tooltip).not.toContain('Scorecard');
  });

  it('tooltip says "no limit" and "—" where the server sends null', () => {
    const tip = formatStatus(
      sampleStatus({ costPerAccepted: null, platforms: [{ name: 'local', used: 10, limit: null, fraction: null }] }),
    ).tooltip;
    expect(tip).toContain('| local | 10 (no limit) |  |');
    expect(tip).toContain('Cost per accepted suggestion: — (14 accepted)');
  });
});

describe('compact', () => {
  it('abbreviates thousands and millions', () => {
    expect([compact(950), compact(1000), compact(48210), compact(250_000), compact(3_400_000)]).toEqual(['950', '1k', '48.2k', '250k', '3.4M']);
  });
});

describe('StatusIndicator', () => {
  function harness() {
    const views: StatusView[] = [];
    const ind = new StatusIndicator({ render: (v) => views.push(v) });
    return { ind, views, last: () => views[views.length - 1] };
  }

  it('shows "starting" until the first status, then the status', () => {
    const h = harness();
    expect(h.last()).toEqual(formatConnection('starting'));
    h.ind.update(sampleStatus());
    expect(h.last().text).toBe('$(pulse) 72% · 3.1d · basic');
    expect(h.ind.latest?.tier).toBe('basic');
  });

  it('is busy exactly while tracked client requests are pending', async () => {
    const h = harness();
    h.ind.update(sampleStatus());
    let finish!: (v: number) => void;
    const work = h.ind.track(new Promise<number>((r) => (finish = r)));
    expect(h.last().text).toMatch(/sync~spin/);
    finish(42);
    await expect(work).resolves.toBe(42);
    expect(h.last().text).toBe('$(pulse) 72% · 3.1d · basic');
  });

  it('shows a failed server with an error colour and the fix in the tooltip', () => {
    const h = harness();
    h.ind.update(sampleStatus());
    h.ind.setConnection('failed', 'set frugal.serverPath');
    expect(h.last().background).toBe('error');
    expect(h.last().tooltip).toContain('set frugal.serverPath');
    expect(h.ind.latest).toBeUndefined();
  });
});
