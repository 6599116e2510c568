#!/usr/bin/env node
/**
 * `make test-vscode`: the built .vsix inside a real VS Code — code-server 4.100.3 on
 * loopback, driven by Debian's Chromium (headless) through puppeteer-core — against the
 * real `frugal-lsp serve` and the loopback fake provider (tests/fakes). A scripted session
 * as a user would run it: activation and the status item, ghost text and Tab (counted in
 * the ledger), every palette command, the ask flow with its cost confirmation, the usage
 * view, a restart, trace logging, and a tight budget where an ask is refused.
 *
 * Everything runs in a fresh folder (.vscode-test/run: workspace, FRUGAL_HOME, VS Code
 * profile, XDG dirs, browser profile); screenshots, logs and summary.json go to
 * .vscode-test/results. Exit code 0 only when every check passed.
 *
 * Options: --keep (leave the run folder), --update-docs (copy the README screenshot to
 * docs/vscode-client.png), --keep-going (record a failed check and go on). FRUGAL_VSIX=path
 * runs another build of the extension (e.g. an older one, to see what a fix changed).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstLine, freePort, frugalLog, startProcess, stopAll, waitForHttp } from './processes.mjs';
import { Workbench } from './workbench.mjs';
import { SOURCE, SOURCE_NAME, frugalToml } from './workspace.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLIENT = path.resolve(HERE, '../..');
const REPO = path.resolve(CLIENT, '..');
const SERVER = process.env.FRUGAL_LSP_SERVER ?? path.join(REPO, '.venv/bin/frugal-lsp');
const PYTHON = path.join(REPO, '.venv/bin/python');
const VSIX = process.env.FRUGAL_VSIX ?? path.join(CLIENT, 'frugal-lsp.vsix'); // another build to compare
const RESULTS = path.join(CLIENT, '.vscode-test/results');
const RUN = path.join(CLIENT, '.vscode-test/run');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const flags = new Set(process.argv.slice(2));
const GHOST_REPLY = 'return 2 * math.pi * radius';

const started = Date.now();
const summary = { steps: [], checks: [], ok: false };
const logLines = [];
function log(msg) {
  const line = `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${msg}`;
  logLines.push(line);
  console.log(line);
}
function check(name, ok, detail = '') {
  summary.checks.push({ name, ok, detail });
  log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  if (!ok && !flags.has('--keep-going')) throw new Error(`check failed: ${name}${detail ? ` — ${detail}` : ''}`);
}

/** Step with a screenshot on success and a screenshot + page state on failure. */
async function step(wb, name, work) {
  const t0 = Date.now();
  log(`step ${name}`);
  try {
    const result = await work();
    summary.steps.push({ name, ok: true, seconds: (Date.now() - t0) / 1000 });
    return result;
  } catch (err) {
    summary.steps.push({ name, ok: false, seconds: (Date.now() - t0) / 1000, error: String(err?.stack ?? err) });
    if (wb) {
      await wb.page.screenshot({ path: path.join(RESULTS, `FAIL-${name}.png`) }).catch(() => undefined);
      const state = { status: await wb.statusTexts().catch(() => []), tabs: await wb.tabs().catch(() => []), toasts: await wb.page.$$eval('.notification-toast', (t) => t.map((e) => e.textContent)).catch(() => []), ghost: await wb.page.$$eval('[class*="ghost"]', (t) => t.map((e) => `${e.className}: ${e.textContent}`)).catch(() => []) };
      writeFileSync(path.join(RESULTS, `FAIL-${name}.json`), JSON.stringify(state, null, 2));
      log(`page state at failure: ${JSON.stringify(state)}`);
    }
    throw err;
  }
}

const shot = (wb, name) => wb.page.screenshot({ path: path.join(RESULTS, `${name}.png`) });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function ledgerStatus(ws, env) {
  return JSON.parse(execFileSync(SERVER, ['status', '--json'], { cwd: ws, env, encoding: 'utf8', timeout: 30_000 }));
}

function prepare() {
  rmSync(RESULTS, { recursive: true, force: true });
  rmSync(RUN, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
  const dirs = Object.fromEntries(['ws', 'home', 'userData', 'extensions', 'chromium', 'xdgConfig', 'xdgData', 'xdgCache', 'tmp'].map((d) => [d, path.join(RUN, d)]));
  Object.values(dirs).forEach((d) => mkdirSync(d, { recursive: true }));
  if (!existsSync(SERVER)) throw new Error(`server executable ${SERVER} is absent — run \`make venv\``);
  if (!existsSync(VSIX)) throw new Error(`${VSIX} is absent — run \`make vsix\``);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is absent — apt-get install chromium`);
  return dirs;
}

function userSettings() {
  return {
    'frugal.serverPath': SERVER,
    'remote.autoForwardPorts': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    'chat.commandCenter.enabled': false,
    'editor.minimap.enabled': false,
    'frugal.trace.server': 'messages',
  };
}

async function main() {
  const install = execFileSync(path.join(HERE, 'install.sh'), { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const home = install.trim().split('\n').pop();
  const require = createRequire(path.join(home, 'node_modules', 'x.js'));
  const puppeteer = require('puppeteer-core');
  const entry = path.join(home, 'node_modules/code-server/out/node/entry.js');
  const dirs = prepare();
  const env = { ...process.env, FRUGAL_HOME: dirs.home, XDG_CONFIG_HOME: dirs.xdgConfig, XDG_DATA_HOME: dirs.xdgData, XDG_CACHE_HOME: dirs.xdgCache, TMPDIR: dirs.tmp };
  delete env.FRUGAL_CONFIG;

  const fake = startProcess('fake-provider', PYTHON, ['-m', 'tests.fakes.fake_provider', '--port', '0', '--reply', GHOST_REPLY], { cwd: REPO, env }, RESULTS);
  const fakeUrl = await firstLine(fake.stdout, 'the fake provider', 30_000);
  const admin = (route, body) => fetch(`${fakeUrl}/_admin/${route}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  writeFileSync(path.join(dirs.ws, 'frugal.toml'), frugalToml(fakeUrl, 100_000));
  writeFileSync(path.join(dirs.ws, SOURCE_NAME), SOURCE);
  const settingsFile = path.join(dirs.userData, 'User/settings.json');
  const settings = userSettings();
  mkdirSync(path.dirname(settingsFile), { recursive: true });
  writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  mkdirSync(path.join(dirs.userData, 'Machine'), { recursive: true });
  writeFileSync(path.join(dirs.userData, 'Machine/settings.json'), JSON.stringify({ 'frugal.serverPath': SERVER }, null, 2));

  const profile = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
  log('installing the .vsix into code-server');
  execFileSync(process.execPath, [entry, ...profile, '--install-extension', VSIX], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  const port = await freePort();
  const cs = startProcess('code-server', process.execPath, [entry, ...profile, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened', dirs.ws], { cwd: dirs.ws, env }, RESULTS);
  cs.stdout.on('data', cs.keep);
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
  log(`code-server on 127.0.0.1:${port}`);

  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: dirs.chromium,
    defaultViewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    env,
  });
  const page = await browser.newPage();
  const console_ = [];
  page.on('console', (m) => console_.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => console_.push(`pageerror: ${e.message}`));
  const wb = new Workbench(page, log);
  try {
    await session(wb, { port, dirs, env, fakeUrl, admin });
    summary.ok = summary.checks.every((c) => c.ok);
  } finally {
    writeFileSync(path.join(RESULTS, 'browser-console.log'), console_.join('\n'));
    writeFileSync(path.join(RESULTS, 'frugal-output.log'), frugalLog(dirs.userData));
    await browser.close().catch(() => undefined);
    if (existsSync(path.join(dirs.userData, 'logs'))) cpSync(path.join(dirs.userData, 'logs'), path.join(RESULTS, 'vscode-logs'), { recursive: true });
    if (existsSync(path.join(dirs.home, 'logs'))) cpSync(path.join(dirs.home, 'logs'), path.join(RESULTS, 'frugal-logs'), { recursive: true });
  }
}

async function load(wb, port, ws) {
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await wb.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
      await wb.page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60_000 });
      return;
    } catch (err) {
      log(`page load attempt ${attempt} failed: ${err.message}`);
      if (attempt === 3) throw err;
      await sleep(2000);
    }
  }
}

async function session(wb, { port, dirs, env, fakeUrl, admin }) {
  const { page } = wb;
  const t0 = Date.now();
  await step(wb, 'load', () => load(wb, port, dirs.ws));

  await step(wb, 'activation', async () => {
    const text = await wb.statusText('\\d+% · auto', 60_000);
    check('status item shows the quota and tier after activation', /^\d+% · auto/.test(text), `"${text}" ${((Date.now() - t0) / 1000).toFixed(1)} s after the page opened`);
    const tip = await wb.hoverStatus('% · auto');
    check('its tooltip has the budget table and the cost per accepted suggestion', /Budget:/.test(tip) && /Cost per accepted suggestion/.test(tip));
    await shot(wb, '01-status-tooltip');
    const traced = frugalLog(dirs.userData);
    check('frugal.trace.server "messages" writes the LSP traffic to the Frugal log', /Sending request 'initialize - \(0\)'/.test(traced) && /Received notification 'frugal\/status'/.test(traced));
  });

  await step(wb, 'ghost-text', async () => {
    await wb.openFile(SOURCE_NAME);
    const lines = SOURCE.split('\n');
    const line = lines.findIndex((l) => l === '    # circumference') + 1;
    await wb.goTo(line, 1);
    await page.keyboard.down('Shift');
    await page.keyboard.press('End');
    await page.keyboard.up('Shift');
    await page.keyboard.type('    ret', { delay: 40 });
    const ghost = await wb.ghostText('math\\.pi');
    check('typing `ret` shows the model\'s continuation as ghost text', ghost.replace(/\s+/g, ' ') === 'urn 2 * math.pi * radius', `ghost text "${ghost}"`);
    const suggest = await wb.suggestWidgetVisible();
    log(`word-suggestion widget ${suggest ? 'open' : 'closed'} over the ghost text`);
    await shot(wb, '02-ghost-text');
    await page.keyboard.press('Tab');
    await sleep(500);
    await page.keyboard.down('Control');
    await page.keyboard.press('KeyS');
    await page.keyboard.up('Control');
    await sleep(800);
    const saved = readFileSync(path.join(dirs.ws, SOURCE_NAME), 'utf8').split('\n')[line - 1];
    check(`Tab accepts the whole ghost text${suggest ? ', though the word-suggestion widget was open' : ''}`, saved === `    ${GHOST_REPLY}`, `line ${line} is now "${saved}"`);
    let accepted = 0;
    for (let i = 0; i < 20 && accepted < 1; i++, await sleep(250)) accepted = ledgerStatus(dirs.ws, env).accepted;
    check('the acceptance is counted in the ledger', accepted === 1, `accepted = ${accepted}`);
  });

  await step(wb, 'palette', async () => {
    await wb.quickOpen('Frugal: ');
    const rows = await wb.quickRows('^Frugal: ');
    await shot(wb, '03-palette');
    const want = ['Frugal: Ask about Selection', 'Frugal: Show Usage', 'Frugal: Clear Conversation', 'Frugal: Set Tier', 'Frugal: Restart Server'];
    const missing = want.filter((w) => !rows.some((r) => r.startsWith(w)));
    check('all five commands are in the palette', missing.length === 0, missing.length ? `missing ${missing.join(', ')}; rows ${JSON.stringify(rows)}` : '');
    await wb.escape();
  });

  await step(wb, 'set-tier', async () => {
    await wb.command('Frugal: Set Tier');
    await wb.quickRows('^basic');
    await wb.pickRow('^basic');
    check('Set Tier shows in the status item', /· basic/.test(await wb.statusText('· basic$', 15_000)));
  });

  await step(wb, 'restart', async () => {
    await restart(wb, dirs, 2);
    const text = await wb.statusText('\\d+%.* · (auto|basic)$', 60_000);
    check('the tier chosen with Set Tier survives the restart', /· basic$/.test(text), `status "${text}"`);
  });

  await step(wb, 'ask', async () => {
    await admin('reply', { text: 'It raises **ValueError** for a negative radius; otherwise it returns `math.pi * radius ** 2`.' });
    await selectArea(wb);
    await wb.command('Frugal: Ask about Selection');
    await wb.answerInput('Why can this raise?');
    const estimate = await wb.toast('^Ask .*\\? About');
    await shot(wb, '04-estimate');
    check('the cost is shown before anything is sent', /About [\d,]+ tokens, ≈ [\d,.]+ quota units/.test(estimate.text) && estimate.buttons.includes('Send'), estimate.text);
    await wb.clickToastButton('^Ask .*\\? About', 'Send');
    await wb.until('the answer beside the code', () => [...document.querySelectorAll('.tabs-container .tab')].some((t) => /\.md\b/.test(t.getAttribute('aria-label') ?? '')), [], 30_000);
    await sleep(2000); // a second copy (window/showDocument) would arrive by now
    const tabs = await wb.tabs();
    await shot(wb, '05-answer');
    const md = tabs.filter((t) => /\.md\b/.test(t.label));
    const raw = await page.$$eval('.monaco-editor .view-lines', (views) => views.some((v) => v.textContent.includes('# shapes.py, lines')));
    check('the answer opens once, rendered (not as raw Markdown)', md.length === 1 && !raw, `${JSON.stringify(md)}${raw ? ' + the raw .md in a text editor' : ''}`);
    const cursor = (await wb.statusTexts()).find((t) => /^Ln \d+, Col \d+/.test(t));
    check('the code editor keeps the focus', cursor !== undefined && (await page.$('.monaco-editor.focused')) !== null, `cursor ${cursor ?? 'not shown (a non-text editor has the focus)'}`);
  });

  await step(wb, 'usage', async () => {
    await wb.command('Frugal: Show Usage');
    await wb.until('the usage view', () => [...document.querySelectorAll('.tabs-container .tab')].some((t) => /Frugal Usage/.test(t.getAttribute('aria-label') ?? '')), [], 20_000);
    await sleep(1500);
    await shot(wb, '06-usage');
  });

  await step(wb, 'clear-conversation', async () => {
    await wb.command('Frugal: Clear Conversation');
    check('Clear Conversation says so', /conversation cleared/.test(await wb.statusText('conversation cleared', 15_000)));
  });

  await step(wb, 'tight-budget', async () => {
    const used = ledgerStatus(dirs.ws, env).used;
    const budget = Math.ceil(used / 0.93); // 93 % used: pacing on, too little left to ask
    writeFileSync(path.join(dirs.ws, 'frugal.toml'), frugalToml(fakeUrl, budget));
    await restart(wb, dirs, 3);
    const text = await wb.statusText('\\d+%.* · (auto|basic)$', 60_000);
    const pct = Number(/(\d+)%/.exec(text)?.[1]);
    check('the status shows the nearly used budget', pct >= 90, `status "${text}" (budget ${budget}, used ${used.toFixed(0)})`);
    const alert = await wb.toast('AI quota \\d+% used');
    await shot(wb, '07-budget-alert');
    check('the budget alert names the pacing and is shown whole, with buttons', /pacing/.test(alert.text) && !alert.truncated && alert.buttons.includes('Show Usage'), `${JSON.stringify(alert.text)} ${JSON.stringify(alert.buttons)}${alert.truncated ? ' (cut off)' : ''}`);
    await wb.clearNotifications();
    await selectArea(wb);
    await wb.command('Frugal: Ask about Selection');
    await wb.answerInput('And for zero?');
    const refusal = await wb.toast('not sent');
    await shot(wb, '08-refused');
    check('the refusal says why', /quota/.test(refusal.text), refusal.text);
    check('the refusal is shown whole, not cut off', !refusal.truncated, refusal.text);
    check('the refusal offers what to do', refusal.buttons.includes('Show Usage') && refusal.buttons.includes('Set Tier'), JSON.stringify(refusal.buttons));
  });
}

/** Run "Frugal: Restart Server" and wait for the `count`-th start in the Frugal log. */
async function restart(wb, dirs, count) {
  const starts = () => (frugalLog(dirs.userData).match(/Starting .*frugal-lsp serve/g) ?? []).length;
  await wb.command('Frugal: Restart Server');
  for (let i = 0; i < 120 && starts() < count; i++) await sleep(250);
  check('Restart Server restarts the server', starts() >= count, `${starts()} starts in the Frugal log`);
  await sleep(1000); // the first frugal/status of the new server
}

/** Select the body of `area()` in the source file. */
async function selectArea(wb) {
  const line = SOURCE.split('\n').findIndex((l) => l.startsWith('def area')) + 1;
  await wb.command('View: Focus First Editor Group');
  await wb.openFile(SOURCE_NAME);
  await wb.goTo(line, 1);
  await wb.page.keyboard.down('Shift');
  for (let i = 0; i < 5; i++) await wb.page.keyboard.press('ArrowDown');
  await wb.page.keyboard.press('End');
  await wb.page.keyboard.up('Shift');
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stopAll(); // code-server, its helpers, the fake provider; Chromium dies with this process
    process.exit(130);
  });
}

main()
  .catch((err) => {
    log(`FAILED: ${err?.stack ?? err}`);
    process.exitCode = 1;
  })
  .finally(() => {
    stopAll();
    summary.seconds = (Date.now() - started) / 1000;
    writeFileSync(path.join(RESULTS, 'summary.json'), JSON.stringify(summary, null, 2));
    writeFileSync(path.join(RESULTS, 'session.log'), logLines.join('\n') + '\n');
    if (summary.ok && flags.has('--update-docs')) copyFileSync(path.join(RESULTS, '02-ghost-text.png'), path.join(REPO, 'docs/vscode-client.png'));
    if (summary.ok && !flags.has('--keep')) rmSync(RUN, { recursive: true, force: true });
    console.log(`${summary.ok ? 'passed' : 'FAILED'}: ${summary.checks.filter((c) => c.ok).length} of ${summary.checks.length} checks ok in ${summary.seconds.toFixed(0)} s; results in ${path.relative(process.cwd(), RESULTS) || RESULTS}`);
  });
