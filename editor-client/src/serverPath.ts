/**
 * Where the `frugal-lsp` executable is. Pure: the file system and environment come in
 * through `PathEnv`, so every rule is unit-tested.
 *
 * Order: the `frugal.serverPath` setting; the project's virtualenv in a workspace
 * folder; the virtualenv next to the extension (the repo layout: editor-client/ beside
 * .venv/); `frugal-lsp` on PATH.
 */
import * as path from 'node:path';

export const EXECUTABLE = 'frugal-lsp';

export interface PathEnv {
  platform: NodeJS.Platform;
  /** Value of PATH. */
  pathVar: string;
  homeDir: string;
  isExecutable(file: string): boolean;
}

export interface PathInputs {
  configured: string;
  workspaceFolders: string[];
  extensionPath: string;
}

export type Resolution =
  | { ok: true; command: string; source: 'setting' | 'workspace venv' | 'extension venv' | 'PATH' }
  | { ok: false; message: string };

export function resolveServerPath(inputs: PathInputs, env: PathEnv): Resolution {
  if (inputs.configured) return fromSetting(inputs, env);
  for (const folder of inputs.workspaceFolders) {
    const candidate = venvExecutable(folder, env.platform);
    if (env.isExecutable(candidate)) return { ok: true, command: candidate, source: 'workspace venv' };
  }
  const sibling = venvExecutable(path.dirname(inputs.extensionPath), env.platform);
  if (env.isExecutable(sibling)) return { ok: true, command: sibling, source: 'extension venv' };
  const onPath = findOnPath(env);
  if (onPath) return { ok: true, command: onPath, source: 'PATH' };
  return { ok: false, message: notFoundMessage(inputs, env.platform) };
}

export function venvExecutable(root: string, platform: NodeJS.Platform): string {
  return platform === 'win32'
    ? path.join(root, '.venv', 'Scripts', `${EXECUTABLE}.exe`)
    : path.join(root, '.venv', 'bin', EXECUTABLE);
}

function fromSetting(inputs: PathInputs, env: PathEnv): Resolution {
  const file = expand(inputs.configured, inputs.workspaceFolders[0], env.homeDir);
  if (!path.isAbsolute(file) && !file.includes('/') && !file.includes('\\')) {
    // A bare name such as "frugal-lsp": look it up on PATH like a shell would.
    const found = findOnPath(env, file);
    if (found) return { ok: true, command: found, source: 'setting' };
  } else if (env.isExecutable(file)) {
    return { ok: true, command: file, source: 'setting' };
  }
  return {
    ok: false,
    message:
      `frugal.serverPath is "${inputs.configured}", but ${file} is not an executable file. ` +
      'Fix the setting (an absolute path to frugal-lsp, e.g. <repo>/.venv/bin/frugal-lsp) ' +
      'or clear it to use the project virtualenv or PATH.',
  };
}

function expand(value: string, folder: string | undefined, home: string): string {
  let out = value.replace(/\$\{workspaceFolder\}/g, folder ?? '.');
  if (out === '~' || out.startsWith('~/')) out = path.join(home, out.slice(1));
  if (folder && (out.startsWith('./') || out.startsWith('../'))) out = path.resolve(folder, out);
  return out;
}

function findOnPath(env: PathEnv, name = EXECUTABLE): string | undefined {
  const sep = env.platform === 'win32' ? ';' : ':';
  const names = env.platform === 'win32' ? [`${name}.exe`, `${name}.cmd`, name] : [name];
  for (const dir of env.pathVar.split(sep)) {
    if (!dir) continue;
    for (const n of names) {
      const candidate = path.join(dir, n);
      if (env.isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function notFoundMessage(inputs: PathInputs, platform: NodeJS.Platform): string {
  const where = inputs.workspaceFolders.length
    ? `${venvExecutable(inputs.workspaceFolders[0], platform)}, `
    : '';
  return (
    `Frugal: could not find the frugal-lsp server (looked in ${where}the extension's ` +
    'sibling .venv and PATH). Fix: run `pip install frugal-lsp` (or `make venv` in the ' +
    'frugal-lsp repo), or set "frugal.serverPath" to the frugal-lsp executable.'
  );
}

/** The message shown when the executable exists but `serve` fails to come up. */
export function startFailure(command: string, err: unknown): string {
  const reason = err instanceof Error ? err.message : String(err);
  return (
    `Frugal: the server "${command} serve" did not start (${reason}). ` +
    `Fix: run "${command} serve --help" in a terminal to see the error (e.g. reinstall with ` +
    '`make venv` or `pip install frugal-lsp`), or point "frugal.serverPath" at a working frugal-lsp.'
  );
}
