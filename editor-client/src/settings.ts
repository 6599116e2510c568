/**
 * Settings: which keys the server receives (section `frugal`, camelCase) and which
 * stay in the client. Defaults live only in package.json `contributes.configuration`;
 * VS Code applies them, so nothing here repeats a default value.
 *
 * Only values the user actually set (user, workspace or folder scope) are sent to the
 * server: "editor settings override frugal.toml", and a default that nobody chose must
 * not silently override a project's frugal.toml (e.g. an `exclude` list of secrets).
 */

export const SECTION = 'frugal';

/** Keys of the server's `frugal` section, as in docs/protocol.md. */
export const SERVER_KEYS = [
  'tier',
  'debounceMs',
  'completionMaxTokens',
  'answerMaxWords',
  'exclude',
  'enableCompletions',
  'templates',
] as const;
export type ServerKey = (typeof SERVER_KEYS)[number];

/** Keys only the client reads; changing one of them needs a server restart. */
export const RESTART_KEYS = ['serverPath', 'serverArgs'] as const;

/** What `WorkspaceConfiguration.inspect` returns, reduced to what we use. */
export interface Inspected<T = unknown> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/** Read access to the `frugal` section (a `vscode.WorkspaceConfiguration` fits). */
export interface SettingsReader {
  get<T>(key: string): T | undefined;
  inspect<T>(key: string): Inspected<T> | undefined;
}

export type ServerSettings = Partial<Record<ServerKey, unknown>>;

/** The value the user chose for `key` in the most specific scope, or undefined. */
export function userValue<T>(reader: SettingsReader, key: string): T | undefined {
  const i = reader.inspect<T>(key);
  if (!i) return undefined;
  return i.workspaceFolderValue ?? i.workspaceValue ?? i.globalValue;
}

/** The object sent to the server for section `frugal`: user-set server keys only. */
export function toServerSettings(reader: SettingsReader): ServerSettings {
  const out: ServerSettings = {};
  for (const key of SERVER_KEYS) {
    const value = userValue(reader, key);
    if (value !== undefined) out[key] = clone(value);
  }
  return out;
}

export interface ClientSettings {
  serverPath: string;
  serverArgs: string[];
}

/** Client-only settings with package.json defaults already applied by the reader. */
export function clientSettings(reader: SettingsReader): ClientSettings {
  const serverPath = reader.get<string>('serverPath');
  const serverArgs = reader.get<unknown[]>('serverArgs');
  return {
    serverPath: typeof serverPath === 'string' ? serverPath.trim() : '',
    serverArgs: Array.isArray(serverArgs) ? serverArgs.map(String) : [],
  };
}

export type SaveScope = 'workspaceFolder' | 'workspace' | 'global';

/**
 * Where to save a setting the user changed through a command (Set Tier) so that it takes
 * effect and survives a restart: the most specific scope that already sets it (a value
 * there would win over one saved elsewhere), else the user's settings — never a new
 * `.vscode/settings.json` in the project.
 */
export function saveScope(i: Inspected | undefined): SaveScope {
  if (i?.workspaceFolderValue !== undefined) return 'workspaceFolder';
  if (i?.workspaceValue !== undefined) return 'workspace';
  return 'global';
}

/** `frugal.trace.server`: whether the LSP traffic should be written to the Frugal log. */
export const TRACE_KEY = 'trace.server';
export function tracesServer(value: unknown): boolean {
  return value === 'messages' || value === 'verbose';
}

/** Whether a configuration change needs a restart, a settings push, or nothing. */
export function changeKind(affects: (section: string) => boolean): 'restart' | 'push' | 'none' {
  if (RESTART_KEYS.some((k) => affects(`${SECTION}.${k}`))) return 'restart';
  return SERVER_KEYS.some((k) => affects(`${SECTION}.${k}`)) ? 'push' : 'none';
}

/** Answer one `workspace/configuration` item: our mapping for `frugal`, else undefined. */
export function answerConfigurationItem(
  section: string | undefined | null,
  reader: SettingsReader,
): ServerSettings | undefined {
  return section === SECTION ? toServerSettings(reader) : undefined;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
