import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answerConfigurationItem, changeKind, clientSettings, SERVER_KEYS, toServerSettings, saveScope, TRACE_KEY, tracesServer, type Inspected, type SettingsReader } from '../../src/settings';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const properties: Record<string, { default: unknown }> = manifest.contributes.configuration.properties;

/** A reader that behaves like VS Code: package.json defaults plus user-set values. */
function reader(user: Record<string, unknown> = {}, workspace: Record<string, unknown> = {}): SettingsReader {
  return {
    get<T>(key: string) {
      return (workspace[key] ?? user[key] ?? properties[`frugal.${key}`]?.default) as T;
    },
    inspect<T>(key: string): Inspected<T> | undefined {
      if (!(`frugal.${key}` in properties)) return undefined;
      return { defaultValue: properties[`frugal.${key}`].default as T, globalValue: user[key] as T, workspaceValue: workspace[key] as T };
    },
  };
}

describe('package.json configuration (the single source of defaults)', () => {
  it('declares every server key of the contract with the contract default', () => {
    // docs/protocol.md, "Settings (section frugal, camelCase)".
    const contract = { tier: 'auto', debounceMs: 150, completionMaxTokens: 1024, answerMaxWords: 200, exclude: [], enableCompletions: true, templates: [] };
    for (const key of SERVER_KEYS) expect(properties[`frugal.${key}`]?.default, key).toEqual(contract[key]);
    expect(Object.keys(contract).sort()).toEqual([...SERVER_KEYS].sort());
  });

  it('declares the client-only keys', () => {
    expect(properties['frugal.serverPath'].default).toBe('');
    expect(properties['frugal.serverArgs'].default).toEqual([]);
  });
});

describe('toServerSettings', () => {
  it('sends nothing when the user set nothing, so frugal.toml is not overridden by defaults', () => {
    expect(toServerSettings(reader())).toEqual({});
  });

  it('sends user-set server keys in camelCase, workspace over user', () => {
    const r = reader({ tier: 'basic', debounceMs: 300, exclude: ['*.pem'] }, { debounceMs: 50 });
    expect(toServerSettings(r)).toEqual({ tier: 'basic', debounceMs: 50, exclude: ['*.pem'] });
  });

  it('never sends client-only keys', () => {
    const out = toServerSettings(reader({ serverPath: '/x/frugal-lsp', serverArgs: ['-v'], enableCompletions: false }));
    expect(out).toEqual({ enableCompletions: false });
  });

  it('copies values so later mutation of the configuration object cannot leak', () => {
    const templates = [{ title: 'Explain', prompt: 'Explain this' }];
    const out = toServerSettings(reader({ templates }));
    templates[0].title = 'changed';
    expect(out.templates).toEqual([{ title: 'Explain', prompt: 'Explain this' }]);
  });
});

describe('answerConfigurationItem', () => {
  it('answers section "frugal" with the mapping and leaves other sections to the default handler', () => {
    expect(answerConfigurationItem('frugal', reader({ tier: 'advanced' }))).toEqual({ tier: 'advanced' });
    expect(answerConfigurationItem('editor', reader())).toBeUndefined();
    expect(answerConfigurationItem(undefined, reader())).toBeUndefined();
  });
});

describe('clientSettings and changeKind', () => {
  it('reads serverPath/serverArgs with defaults applied', () => {
    expect(clientSettings(reader())).toEqual({ serverPath: '', serverArgs: [] });
    expect(clientSettings(reader({ serverPath: '  /opt/frugal-lsp ', serverArgs: ['--log', 2] }))).toEqual({
      serverPath: '/opt/frugal-lsp',
      serverArgs: ['--log', '2'],
    });
  });

  it('restarts for the server path/args, pushes for server keys, ignores the rest', () => {
    const affects = (changed: string) => (s: string) => s === changed || changed.startsWith(`${s}.`);
    expect(changeKind(affects('frugal.serverPath'))).toBe('restart');
    expect(changeKind(affects('frugal.serverArgs'))).toBe('restart');
    expect(changeKind(affects('frugal.tier'))).toBe('push');
    expect(changeKind(affects('editor.fontSize'))).toBe('none');
  });
});

describe('frugal.trace.server', () => {
  it('traces for every value the manifest offers except off', () => {
    const offered: string[] = manifest.contributes.configuration.properties[`frugal.${TRACE_KEY}`].enum;
    expect(offered.filter(tracesServer)).toEqual(['messages', 'verbose']);
    expect(tracesServer(undefined)).toBe(false);
  });
});

describe('saveScope (where Set Tier saves frugal.tier)', () => {
  it('saves where a value already wins, else in the user settings (no new .vscode/settings.json)', () => {
    expect(saveScope({ defaultValue: 'auto' })).toBe('global');
    expect(saveScope(undefined)).toBe('global');
    expect(saveScope({ defaultValue: 'auto', globalValue: 'basic' })).toBe('global');
    expect(saveScope({ globalValue: 'basic', workspaceValue: 'advanced' })).toBe('workspace');
    expect(saveScope({ workspaceValue: 'advanced', workspaceFolderValue: 'basic' })).toBe('workspaceFolder');
  });
});
