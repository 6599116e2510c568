import { describe, expect, it, vi } from 'vitest';
import { answerMarkdown, Commands, estimateMessage, formatCost, levelOf, noModelMessage, selectionArgs, type CommandDeps, type EditorSelection, type Ui } from '../../src/commands';
import type { Answer, Estimate } from '../../src/protocol';
import { sampleStatus } from './fixtures';

const selection: EditorSelection = { uri: 'file:///ws/a.py', range: { start: { line: 3, character: 0 }, end: { line: 9, character: 12 } }, isEmpty: false };
const estimate: Estimate = { tokens: 420, tier: 'basic', model: 'openai/gpt-4o-mini', cost: 420 };
const answer: Answer = {
  answer: 'It returns None when the list is empty.',
  model: 'gpt-4o-mini', provider: 'openai', tier: 'basic', promptTokens: 400, completionTokens: 20,
  cached: false, cost: 418.5, threadId: 't1', documentUri: 'file:///home/u/.frugal/answers/t1.md',
};

type Call = { command: string; args: unknown[]; token?: unknown };

function harness(opts: { question?: string | undefined; design?: string | undefined; confirm?: boolean; tier?: string; fail?: unknown; sel?: EditorSelection | undefined; choice?: string } = {}) {
  const calls: Call[] = [];
  const events: string[] = [];
  const results: Record<string, unknown> = { 'frugal.estimate': estimate, 'frugal.askSelection': answer, 'frugal.askDesign': answer, 'frugal.setTier': null, 'frugal.clearConversation': null };
  const ui: Ui = {
    activeSelection: () => ('sel' in opts ? opts.sel : selection),
    askQuestion: vi.fn(async () => ('question' in opts ? opts.question : 'why None?')),
    askDesignQuestion: vi.fn(async () => ('design' in opts ? opts.design : 'split it?')),
    confirm: vi.fn(async (m: string) => (events.push(`confirm:${m}`), opts.confirm ?? true)),
    pickTier: vi.fn(async () => opts.tier as never),
    withProgress: vi.fn(async (_t, work) => work('TOKEN')),
    openAnswer: vi.fn(async (a: Answer) => void events.push(`open:${a.threadId}`)),
    flash: vi.fn(),
    info: vi.fn(),
    error: vi.fn(async () => opts.choice),
    notify: vi.fn(async () => opts.choice),
    showOutput: vi.fn(),
  };
  const deps: CommandDeps = {
    ui,
    server: {
      execute: async <T,>(command: string, args: unknown[], token?: unknown) => {
        calls.push({ command, args, token });
        events.push(`exec:${command}`);
        if (opts.fail && (command === 'frugal.askSelection' || command === 'frugal.askDesign')) throw opts.fail;
        return results[command] as T;
      },
      restart: vi.fn(async () => undefined),
    },
    templates: () => [],
    currentStatus: () => sampleStatus(),
    showUsage: vi.fn(async () => undefined),
    saveTier: vi.fn(async () => void events.push('saveTier')),
    track: vi.fn(async (w) => w),
  };
  return { commands: new Commands(deps), calls, events, ui, deps };
}

describe('argument building', () => {
  it('builds the askSelection/estimate argument object of the contract', () => {
    expect(selectionArgs(selection, '  why None?  ')).toEqual({ uri: 'file:///ws/a.py', range: selection.range, question: 'why None?' });
    expect(selectionArgs(selection, '')).toEqual({ uri: 'file:///ws/a.py', range: selection.range });
  });

  it('describes the estimate before anything is spent', () => {
    expect(estimateMessage(estimate)).toBe('Ask openai/gpt-4o-mini (basic)? About 420 tokens, ≈ 420 quota units.');
    expect(estimateMessage({ ...estimate, cost: 1470.4, tokens: 12345 })).toBe('Ask openai/gpt-4o-mini (basic)? About 12,345 tokens, ≈ 1,470 quota units.');
    expect(formatCost(0)).toBe('no quota used');
    expect(formatCost(2.345)).toBe('≈ 2.35 quota units');
    expect(formatCost(null)).toBe('cost unknown');
  });

  it('renders an answer without a file as Markdown with its provenance', () => {
    expect(answerMarkdown({ ...answer, documentUri: null, cached: true })).toMatch(/^It returns None.*\n---\n_gpt-4o-mini \(openai, basic\) · 400\+20 tokens ≈ 419 quota units · from cache · thread t1_/s);
  });
});

describe('Ask about Selection', () => {
  it('estimates, confirms, then asks with the same arguments and opens the answer', async () => {
    const h = harness();
    await expect(h.commands.askSelection()).resolves.toEqual(answer);
    const args = [{ uri: 'file:///ws/a.py', range: selection.range, question: 'why None?' }];
    expect(h.calls.map((c) => [c.command, c.args])).toEqual([['frugal.estimate', args], ['frugal.askSelection', args]]);
    expect(h.events).toEqual(['exec:frugal.estimate', `confirm:${estimateMessage(estimate)}`, 'exec:frugal.askSelection', 'open:t1']);
    expect(h.calls[1].token).toBe('TOKEN'); // cancellable from the progress notification
    expect(h.deps.track).toHaveBeenCalledTimes(1); // status bar busy while in flight
  });

  it('spends nothing when the user declines the estimate', async () => {
    const h = harness({ confirm: false });
    await expect(h.commands.askSelection()).resolves.toBeUndefined();
    expect(h.calls.map((c) => c.command)).toEqual(['frugal.estimate']);
  });

  const refused: Estimate = { tokens: 654, tier: null, model: null, cost: null, reason: 'fake/fake-basic: quota: 120 units left, needs up to 654' };
  function refusing(choice?: string) {
    const h = harness({ choice });
    (h.deps.server as { execute: unknown }).execute = async (command: string) => {
      h.calls.push({ command, args: [] });
      return refused;
    };
    return h;
  }

  it('says why and spends nothing when the server has no model for the request', async () => {
    const h = refusing();
    await h.commands.askSelection();
    expect(h.calls.map((c) => c.command)).toEqual(['frugal.estimate']);
    expect(h.ui.confirm).not.toHaveBeenCalled();
    const [message, ...actions] = vi.mocked(h.ui.error).mock.calls[0];
    // the reason leads (VS Code shows the start of a message first), then what to do
    expect(message).toBe(
      'Frugal: not sent, no model can take this request now — fake/fake-basic: quota: 120 units left, needs up to 654. ' +
        'It needs about 654 tokens: see "Show Usage" for the quota, pick another tier, or change the budget and models in frugal.toml.',
    );
    // buttons: actionable, and a notification with buttons is shown whole, not cut to one line
    expect(actions).toEqual(['Show Usage', 'Set Tier']);
    expect(noModelMessage({ ...refused, reason: '' })).toMatch(/^Frugal: not sent, no model can take this request now\. It needs about 654 tokens/);
    expect(noModelMessage(estimate)).toBeUndefined();
  });

  it('the refusal\'s buttons open the usage view or the tier picker', async () => {
    const usage = refusing('Show Usage');
    await usage.commands.askSelection();
    await vi.waitFor(() => expect(usage.deps.showUsage).toHaveBeenCalledOnce());
    const tier = refusing('Set Tier');
    await tier.commands.askSelection();
    await vi.waitFor(() => expect(tier.ui.pickTier).toHaveBeenCalledOnce());
  });

  it('does nothing when the question box is dismissed, and asks for a selection first', async () => {
    const dismissed = harness({ question: undefined });
    await dismissed.commands.askSelection();
    expect(dismissed.calls).toEqual([]);
    const none = harness({ sel: { ...selection, isEmpty: true } });
    await none.commands.askSelection();
    expect(none.calls).toEqual([]);
    expect(none.ui.info).toHaveBeenCalledWith(expect.stringMatching(/select the code to ask about first/));
    expect(vi.mocked(none.ui.info).mock.calls[0][0].length).toBeLessThanOrEqual(60); // a toast without buttons shows one line
  });

  it('sends no question when the box is left empty (the server explains the code)', async () => {
    const h = harness({ question: '' });
    await h.commands.askSelection();
    expect(h.calls[0].args).toEqual([{ uri: 'file:///ws/a.py', range: selection.range }]);
  });

  it('stays silent on cancellation (-32800) and shows other errors once', async () => {
    const cancelled = harness({ fail: { code: -32800, message: 'cancelled' } });
    await cancelled.commands.askSelection();
    expect(cancelled.ui.error).not.toHaveBeenCalled();
    const quota = harness({ fail: new Error('quota exhausted: budget 100% used — raise [budget] tokens') });
    await quota.commands.askSelection();
    expect(quota.ui.error).toHaveBeenCalledExactlyOnceWith('Frugal: quota exhausted: budget 100% used — raise [budget] tokens');
  });
});

describe('other commands', () => {
  it('Set Tier sends the picked tier as the single argument', async () => {
    const h = harness({ tier: 'advanced' });
    await h.commands.setTier();
    expect(h.calls).toEqual([{ command: 'frugal.setTier', args: ['advanced'], token: undefined }]);
    expect(h.ui.pickTier).toHaveBeenCalledWith(['auto', 'basic', 'advanced', 'specialized'], 'basic');
  });

  it('Set Tier saves the tier once the server took it, so a restart keeps it', async () => {
    const h = harness({ tier: 'advanced' });
    await h.commands.setTier();
    expect(h.deps.saveTier).toHaveBeenCalledExactlyOnceWith('advanced');
    expect(h.events).toEqual(['exec:frugal.setTier', 'saveTier']);
    const dismissed = harness({ tier: undefined });
    await dismissed.commands.setTier();
    expect(dismissed.deps.saveTier).not.toHaveBeenCalled();
  });

  it('Set Tier dismissed sends nothing', async () => {
    const h = harness({ tier: undefined });
    await h.commands.setTier();
    expect(h.calls).toEqual([]);
  });

  it('Clear Conversation sends an empty argument list', async () => {
    const h = harness();
    await h.commands.clearConversation();
    expect(h.calls).toEqual([{ command: 'frugal.clearConversation', args: [], token: undefined }]);
  });

  it('server messages (budget alerts) are shown at their level with buttons, which work', async () => {
    const alert = 'AI quota 89% used — 37 minutes left at the current rate; pacing: cheaper-tier; completions use the basic tier';
    const usage = harness({ choice: 'Show Usage' });
    usage.commands.serverMessage(2, alert);
    expect(usage.ui.notify).toHaveBeenCalledExactlyOnceWith('warning', alert, 'Show Usage', 'Show Output');
    await vi.waitFor(() => expect(usage.deps.showUsage).toHaveBeenCalledOnce());
    const output = harness({ choice: 'Show Output' });
    output.commands.serverMessage(1, 'frugal-lsp: frugal.toml: bad');
    expect(output.ui.notify).toHaveBeenCalledWith('error', 'frugal-lsp: frugal.toml: bad', 'Show Usage', 'Show Output');
    await vi.waitFor(() => expect(output.ui.showOutput).toHaveBeenCalledOnce());
    harness().commands.serverMessage(3, 'x');
    expect(levelOf(3)).toBe('info');
    expect(levelOf(4)).toBe('info');
  });

  it('Restart Server and Show Usage delegate', async () => {
    const h = harness();
    await h.commands.restartServer();
    await h.commands.showUsage();
    expect(h.deps.server.restart).toHaveBeenCalledOnce();
    expect(h.deps.showUsage).toHaveBeenCalledOnce();
  });
});

describe('Design Question about Selection', () => {
  it('estimates as a design question, confirms, then sends frugal.askDesign and opens the answer', async () => {
    const h = harness();
    await expect(h.commands.askDesign()).resolves.toEqual(answer);
    const args = { uri: 'file:///ws/a.py', range: selection.range, question: 'split it?' };
    expect(h.calls.map((c) => [c.command, c.args])).toEqual([['frugal.estimate', [{ ...args, task: 'design' }]], ['frugal.askDesign', [args]]]);
    expect(h.events).toEqual(['exec:frugal.estimate', `confirm:${estimateMessage(estimate)}`, 'exec:frugal.askDesign', 'open:t1']);
    expect(h.ui.askQuestion).not.toHaveBeenCalled(); // its own question box, not the ask templates
    expect(h.calls[1].token).toBe('TOKEN');
  });

  it('an empty box sends no question (the server uses its default design question); dismissed sends nothing', async () => {
    const empty = harness({ design: '' });
    await empty.commands.askDesign();
    expect(empty.calls.map((c) => c.args)).toEqual([[{ uri: 'file:///ws/a.py', range: selection.range, task: 'design' }], [{ uri: 'file:///ws/a.py', range: selection.range }]]);
    const dismissed = harness({ design: undefined });
    await dismissed.commands.askDesign();
    expect(dismissed.calls).toEqual([]);
    const declined = harness({ confirm: false });
    await declined.commands.askDesign();
    expect(declined.calls.map((c) => c.command)).toEqual(['frugal.estimate']);
  });
});
