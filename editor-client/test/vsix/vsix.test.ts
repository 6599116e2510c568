/** Checks the packaged .vsix (run after `npm run package`, as `make vsix` does). */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const vsix = fileURLToPath(new URL('../../frugal-lsp.vsix', import.meta.url));
const source = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const unzip = (...args: string[]) => execFileSync('unzip', [...args, vsix], { encoding: 'utf8', maxBuffer: 16 << 20 });

describe('frugal-lsp.vsix', () => {
  it('exists (run `npm run package` first)', () => {
    expect(existsSync(vsix), `${vsix} is missing: run \`npm run package\``).toBe(true);
  });

  it('holds exactly the bundle, manifest, readme and licence', () => {
    const files = unzip('-Z1').trim().split('\n').filter((f) => f.startsWith('extension/')).sort();
    expect(files).toEqual(['extension/LICENSE.txt', 'extension/dist/extension.js', 'extension/package.json', 'extension/readme.md']);
  });

  it('carries the same commands, configuration, activation events and engine as package.json', () => {
    const packed = JSON.parse(execFileSync('unzip', ['-p', vsix, 'extension/package.json'], { encoding: 'utf8' }));
    for (const key of ['name', 'publisher', 'version', 'main', 'engines', 'activationEvents', 'contributes'] as const) {
      expect(packed[key], key).toEqual(source[key]);
    }
  });

  it('bundles the language client and leaves `vscode` external', () => {
    const js = execFileSync('unzip', ['-p', vsix, 'extension/dist/extension.js'], { encoding: 'utf8', maxBuffer: 16 << 20 });
    expect(js).toMatch(/require\(["']vscode["']\)/);
    expect(js).not.toMatch(/require\(["']vscode-languageclient/);
    expect(js).toContain('frugal/status');
  });
});
