import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClientCommand } from '../../src/commands';

const read = (rel: string) => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
const manifest = read('../../package.json');

describe('package.json manifest', () => {
  it('identifies the extension and bundles to dist/extension.js', () => {
    expect(manifest).toMatchObject({ name: 'frugal-lsp', publisher: 'frugal-lsp', license: 'MIT', main: './dist/extension.js' });
  });

  it('pins @types/vscode to the declared engines.vscode (vsce refuses a newer one)', () => {
    const engine: string = manifest.engines.vscode;
    expect(engine).toMatch(/^\^\d+\.\d+\.\d+$/);
    expect(manifest.devDependencies['@types/vscode']).toBe(engine.slice(1));
    expect(read('../../node_modules/@types/vscode/package.json').version).toBe(engine.slice(1));
  });

  it('uses a language client that supports inline completions with this engine', () => {
    const lc = read('../../node_modules/vscode-languageclient/package.json');
    expect(manifest.dependencies['vscode-languageclient']).toMatch(/^(9|11)\./);
    expect(lc.engines.vscode).toBe(manifest.engines.vscode);
  });

  it('contributes the six palette commands under the Frugal category', () => {
    const commands = manifest.contributes.commands.map((c: { command: string; title: string; category: string }) => `${c.category}: ${c.title} = ${c.command}`);
    expect(commands).toEqual([
      `Frugal: Ask about Selection = ${ClientCommand.askSelection}`,
      `Frugal: Design Question about Selection = ${ClientCommand.askDesign}`,
      `Frugal: Show Usage = ${ClientCommand.showUsage}`,
      `Frugal: Clear Conversation = ${ClientCommand.clearConversation}`,
      `Frugal: Set Tier = ${ClientCommand.setTier}`,
      `Frugal: Restart Server = ${ClientCommand.restartServer}`,
    ]);
  });

  it('never contributes a server command id (the language client registers those itself)', () => {
    for (const c of manifest.contributes.commands) expect(c.command).not.toMatch(/^frugal\./);
  });

  it('activates on startup and in workspaces with a frugal.toml', () => {
    expect(manifest.activationEvents).toEqual(['onStartupFinished', 'workspaceContains:frugal.toml']);
  });

  it('takes Tab only while ghost text and the suggestion list are both shown (make test-vscode checks the effect)', () => {
    const [tab, ...others] = manifest.contributes.keybindings;
    expect(others).toEqual([]);
    expect(tab).toMatchObject({ key: 'tab', command: 'editor.action.inlineSuggest.commit' });
    const when = tab.when.split('&&').map((s: string) => s.trim());
    expect(when).toEqual(expect.arrayContaining(['inlineSuggestionVisible', 'suggestWidgetVisible', 'editorTextFocus', '!editorReadonly', 'config.frugal.enableCompletions']));
  });

  it('has the scripts the Makefile relies on', () => {
    expect(Object.keys(manifest.scripts)).toEqual(expect.arrayContaining(['build', 'test', 'package', 'test:vsix']));
    expect(manifest.scripts.package).toContain('--no-dependencies');
  });
});
