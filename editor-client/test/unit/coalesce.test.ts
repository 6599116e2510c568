import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Coalescer } from '../../src/coalesce';

describe('Coalescer (restart coalescing)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function restarter(durationMs = 100) {
    const runs: number[] = [];
    const c = new Coalescer(async () => {
      runs.push(Date.now());
      await new Promise((r) => setTimeout(r, durationMs));
    }, 250);
    return { c, runs };
  }

  it('turns a burst of restart requests into one restart', async () => {
    const { c, runs } = restarter();
    const all = Promise.all([c.request(), c.request(), c.request(), c.request(), c.request()]);
    await vi.advanceTimersByTimeAsync(1000);
    await all;
    expect(runs).toHaveLength(1);
  });

  it('requests during a restart produce exactly one more, after the current one', async () => {
    const { c, runs } = restarter(500);
    const first = c.request();
    await vi.advanceTimersByTimeAsync(300); // first restart is now running
    expect(c.isRunning).toBe(true);
    const later = [c.request(), c.request(), c.request()];
    await vi.advanceTimersByTimeAsync(5000);
    await Promise.all([first, ...later]);
    expect(runs).toHaveLength(2);
    expect(runs[1] - runs[0]).toBeGreaterThanOrEqual(500);
  });

  it('separate requests far apart restart separately', async () => {
    const { c, runs } = restarter();
    const a = c.request();
    await vi.advanceTimersByTimeAsync(1000);
    const b = c.request();
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all([a, b]);
    expect(runs).toHaveLength(2);
  });

  it('a failed restart rejects its callers and does not block the next one', async () => {
    let n = 0;
    const c = new Coalescer(async () => {
      if (n++ === 0) throw new Error('boom');
    }, 10);
    const failed = c.request();
    const check = expect(failed).rejects.toThrow('boom');
    await vi.advanceTimersByTimeAsync(50);
    await check;
    const ok = c.request();
    await vi.advanceTimersByTimeAsync(50);
    await expect(ok).resolves.toBeUndefined();
    expect(n).toBe(2);
  });
});
