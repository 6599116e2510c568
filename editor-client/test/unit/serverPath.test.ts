import { describe, expect, it } from 'vitest';
import { resolveServerPath, startFailure, type PathEnv } from '../../src/serverPath';

function env(executables: string[], pathVar = '/usr/local/bin:/usr/bin'): PathEnv {
  const set = new Set(executables);
  return { platform: 'linux', pathVar, homeDir: '/home/u', isExecutable: (f) => set.has(f) };
}

const base = { configured: '', workspaceFolders: ['/ws/proj'], extensionPath: '/repo/editor-client' };

describe('resolveServerPath', () => {
  it('prefers the frugal.serverPath setting', () => {
    const r = resolveServerPath({ ...base, configured: '/opt/frugal/bin/frugal-lsp' }, env(['/opt/frugal/bin/frugal-lsp', '/ws/proj/.venv/bin/frugal-lsp']));
    expect(r).toEqual({ ok: true, command: '/opt/frugal/bin/frugal-lsp', source: 'setting' });
  });

  it('expands ${workspaceFolder}, ~ and ./ in the setting', () => {
    const e = env(['/ws/proj/tools/frugal-lsp', '/home/u/bin/frugal-lsp']);
    expect(resolveServerPath({ ...base, configured: '${workspaceFolder}/tools/frugal-lsp' }, e)).toMatchObject({ ok: true, command: '/ws/proj/tools/frugal-lsp' });
    expect(resolveServerPath({ ...base, configured: './tools/frugal-lsp' }, e)).toMatchObject({ ok: true, command: '/ws/proj/tools/frugal-lsp' });
    expect(resolveServerPath({ ...base, configured: '~/bin/frugal-lsp' }, e)).toMatchObject({ ok: true, command: '/home/u/bin/frugal-lsp' });
  });

  it('looks a bare name in the setting up on PATH', () => {
    expect(resolveServerPath({ ...base, configured: 'frugal-lsp' }, env(['/usr/bin/frugal-lsp']))).toMatchObject({ ok: true, command: '/usr/bin/frugal-lsp', source: 'setting' });
  });

  it('explains a broken setting instead of silently falling back', () => {
    const r = resolveServerPath({ ...base, configured: '/nope/frugal-lsp' }, env(['/usr/bin/frugal-lsp']));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/frugal\.serverPath is "\/nope\/frugal-lsp".*not an executable.*Fix the setting/);
  });

  it('then the workspace venv, then the venv beside the extension, then PATH', () => {
    const all = ['/ws/proj/.venv/bin/frugal-lsp', '/repo/.venv/bin/frugal-lsp', '/usr/bin/frugal-lsp'];
    expect(resolveServerPath(base, env(all))).toMatchObject({ command: '/ws/proj/.venv/bin/frugal-lsp', source: 'workspace venv' });
    expect(resolveServerPath(base, env(all.slice(1)))).toMatchObject({ command: '/repo/.venv/bin/frugal-lsp', source: 'extension venv' });
    expect(resolveServerPath(base, env(all.slice(2)))).toMatchObject({ command: '/usr/bin/frugal-lsp', source: 'PATH' });
  });

  it('uses Scripts\\frugal-lsp.exe and ; on Windows', () => {
    const e: PathEnv = { platform: 'win32', pathVar: 'C:\\a;C:\\b', homeDir: 'C:\\u', isExecutable: (f) => f.endsWith('frugal-lsp.exe') && f.includes('Scripts') };
    const r = resolveServerPath({ ...base, workspaceFolders: ['/ws/proj'] }, e);
    expect(r.ok && r.command.replace(/\\/g, '/')).toMatch(/\/ws\/proj\/\.venv\/Scripts\/frugal-lsp\.exe$/);
  });

  it('says where it looked and how to fix it when nothing is found', () => {
    const r = resolveServerPath(base, env([]));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain('/ws/proj/.venv/bin/frugal-lsp');
      expect(r.message).toContain('PATH');
      expect(r.message).toMatch(/pip install frugal-lsp/);
      expect(r.message).toMatch(/frugal\.serverPath/);
    }
  });
});

describe('startFailure', () => {
  it('names the command, the reason and a fix', () => {
    const m = startFailure('/repo/.venv/bin/frugal-lsp', new Error('Connection to server got closed'));
    expect(m).toContain('"/repo/.venv/bin/frugal-lsp serve" did not start (Connection to server got closed)');
    expect(m).toContain('serve --help');
    expect(m).toContain('frugal.serverPath');
  });
});
