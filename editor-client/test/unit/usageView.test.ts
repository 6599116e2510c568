import { describe, expect, it } from 'vitest';
import { acceptReport, barColor, renderUsageHtml, svgBar, UsageView } from '../../src/usageView';
import { sampleStatus } from './fixtures';

describe('renderUsageHtml', () => {
  const html = renderUsageHtml(sampleStatus({ platforms: [{ name: 'openai', used: 5000, limit: 8000, fraction: 0.625 }, { name: 'local', used: 90, limit: null, fraction: null }] }));

  it('draws one SVG bar per platform plus the overall budget', () => {
    expect(html.match(/<svg class="bar"/g)).toHaveLength(3);
    expect(html).toContain('aria-label="openai: 63%"');
    expect(html).toContain('aria-label="local: no limit"');
    expect(html).toContain('5,000 / 8,000');
    expect(html).toContain('<rect width="200"'); // 0.625 × 320
  });

  it('shows savings and rate, and the warning banner', () => {
    expect(html).toContain('12.5 tokens/min');
    expect(html).toContain('48,210');
    expect(html).toContain('<p class="banner warning">AI quota 72% used');
  });

  it('allows no scripts and escapes server text', () => {
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script/i);
    const evil = renderUsageHtml(sampleStatus({ message: '<img src=x onerror=alert(1)>', platforms: [{ name: '<b>x</b>', used: 1, limit: 2, fraction: 0.5 }] }));
    expect(evil).not.toContain('<img src=x');
    expect(evil).toContain('&lt;b&gt;x&lt;/b&gt;');
  });

  it('clamps bars and colours them by how full they are', () => {
    expect(svgBar('x', 1.7)).toContain('<rect width="320" height="14" rx="3" fill="var(--vscode-charts-red)"');
    expect([barColor(0.1), barColor(0.75), barColor(0.95), barColor(null)]).toEqual([
      'var(--vscode-charts-green)', 'var(--vscode-charts-yellow)', 'var(--vscode-charts-red)', 'var(--vscode-charts-blue)',
    ]);
  });
});

describe('UsageView', () => {
  function panel() {
    const shown: string[] = [];
    return { shown, port: { show: (h: string) => void shown.push(h), get isOpen() { return shown.length > 0; } } };
  }

  it('uses report --html when the server has it, else the status data', async () => {
    const p1 = panel();
    await new UsageView({ status: async () => sampleStatus(), reportHtml: async () => '<html>R<svg/></html>' }, p1.port).show();
    expect(p1.shown).toEqual(['<html>R<svg/></html>']);
    const p2 = panel();
    await new UsageView({ status: async () => sampleStatus(), reportHtml: async () => { throw new Error('no such command'); } }, p2.port).show();
    expect(p2.shown[0]).toContain('Frugal usage');
  });

  it('refreshes an open status-drawn view on every frugal/status', async () => {
    const p = panel();
    const view = new UsageView({ status: async () => sampleStatus(), reportHtml: async () => undefined }, p.port);
    view.onStatus(sampleStatus());
    expect(p.shown).toHaveLength(0); // closed: nothing drawn
    await view.show();
    view.onStatus(sampleStatus({ used: 9000, fraction: 0.9 }));
    expect(p.shown).toHaveLength(2);
    expect(p.shown[1]).toContain('9,000 / 10,000');
  });

  it('accepts report output only when it is clean HTML with a chart', () => {
    expect(acceptReport(0, '<!DOCTYPE html><html><svg></svg></html>\n')).toMatch(/^<!DOCTYPE/);
    expect(acceptReport(2, '<html><svg></svg></html>')).toBeUndefined();
    expect(acceptReport(0, 'usage: frugal-lsp report [--json]')).toBeUndefined();
  });
});
