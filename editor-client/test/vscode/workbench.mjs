/**
 * Driving VS Code's workbench (code-server 4.100.3 = VS Code 1.100.3) from puppeteer.
 * Every DOM class name the session relies on is here, in one place: they can change
 * between VS Code versions, which is why install.sh pins code-server.
 */

export const DOM = {
  workbench: '.monaco-workbench',
  statusItem: '.statusbar-item',
  quickInput: '.quick-input-widget',
  quickInputBox: '.quick-input-widget .quick-input-box input',
  quickInputRow: '.quick-input-widget .quick-input-list .monaco-list-row',
  toast: '.notification-toast',
  toastMessage: '.notification-list-item-message',
  toastButton: '.notification-list-item-buttons-container .monaco-button',
  tab: '.tabs-container .tab',
  ghostText: '.ghost-text-decoration, .ghost-text-decoration-preview, .ghost-text',
  suggestWidget: '.editor-widget.suggest-widget.visible',
  hover: '.monaco-hover:not(.hidden)',
  focusedEditor: '.monaco-editor.focused',
};

export class Workbench {
  /** @param {import('puppeteer-core').Page} page @param {(msg: string) => void} log */
  constructor(page, log) {
    this.page = page;
    this.log = log;
  }

  /** Poll `probe(...args)` (run in the page) until it returns something truthy. */
  async until(what, probe, args = [], timeout = 30_000) {
    try {
      const handle = await this.page.waitForFunction(probe, { timeout, polling: 200 }, ...args);
      return await handle.jsonValue();
    } catch (err) {
      throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}`, { cause: err });
    }
  }

  /** The text of the status bar item whose text matches `pattern` (a RegExp source). */
  statusText(pattern, timeout) {
    return this.until(
      `a status bar item matching /${pattern}/`,
      (sel, src) => [...document.querySelectorAll(sel)].map((e) => e.textContent.trim()).find((t) => new RegExp(src).test(t)),
      [DOM.statusItem, pattern],
      timeout,
    ).catch(async (err) => {
      throw new Error(`${err.message}; status bar now: ${JSON.stringify(await this.statusTexts())}`);
    });
  }

  statusTexts() {
    return this.page.$$eval(DOM.statusItem, (els) => els.map((e) => e.textContent.trim()).filter(Boolean));
  }

  /** Open the command palette and type `text` (no leading '>': file mode, ':' go to line). */
  async quickOpen(text, { commands = true } = {}) {
    if (await this.page.$(`${DOM.quickInput}:not([style*="display: none"])`)) await this.page.keyboard.press('Escape'); // not in the editor: it would drop the selection
    await this.page.keyboard.press('F1');
    await this.page.waitForSelector(DOM.quickInputBox, { visible: true, timeout: 10_000 });
    if (!commands) await this.page.keyboard.press('Backspace'); // drop the '>' prefix
    await this.page.keyboard.type(text, { delay: 5 });
  }

  /** The labels in the open quick input, once at least one row matches `pattern`. */
  async quickRows(pattern = '.') {
    await this.until(
      `a quick input row matching /${pattern}/`,
      (sel, src) => [...document.querySelectorAll(sel)].some((r) => new RegExp(src).test(r.getAttribute('aria-label') ?? r.textContent)),
      [DOM.quickInputRow, pattern],
      15_000,
    );
    return this.page.$$eval(DOM.quickInputRow, (rows) => rows.map((r) => r.getAttribute('aria-label') ?? r.textContent.trim()));
  }

  /** Run a palette command by its full title, e.g. "Frugal: Set Tier". */
  async command(title) {
    await this.quickOpen(title);
    const esc = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await this.quickRows(`^${esc}`);
    await this.pickRow(`^${esc}`);
  }

  /** Click the quick input row matching `pattern`. */
  async pickRow(pattern) {
    const rows = await this.page.$$(DOM.quickInputRow);
    for (const row of rows) {
      const label = await row.evaluate((r) => r.getAttribute('aria-label') ?? r.textContent);
      if (new RegExp(pattern).test(label)) {
        await row.click();
        return label;
      }
    }
    throw new Error(`no quick input row matches /${pattern}/`);
  }

  /** Type into the open quick input box and press Enter. */
  async answerInput(text) {
    await this.page.waitForSelector(DOM.quickInputBox, { visible: true, timeout: 15_000 });
    await this.page.keyboard.type(text, { delay: 5 });
    await this.page.keyboard.press('Enter');
  }

  async escape() {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Escape');
  }

  /** Open a workspace file by name and wait until its tab is active. */
  async openFile(name) {
    await this.quickOpen(name, { commands: false });
    await this.quickRows(name);
    await this.page.keyboard.press('Enter');
    await this.until(`the editor of ${name}`, (sel, n) => [...document.querySelectorAll(sel)].some((t) => t.classList.contains('active') && t.getAttribute('aria-label')?.startsWith(n)), [DOM.tab, name], 15_000);
    await this.page.waitForSelector(DOM.focusedEditor, { timeout: 10_000 });
  }

  /** Move the cursor to a 1-based line and column. */
  async goTo(line, column) {
    await this.quickOpen(`:${line}:${column}`, { commands: false });
    await new Promise((r) => setTimeout(r, 300));
    await this.page.keyboard.press('Enter');
  }

  /** The text of the ghost text shown in the editor, once there is some. */
  ghostText(pattern = '.', timeout = 20_000) {
    return this.until(
      `ghost text matching /${pattern}/ in the editor`,
      (sel, src) => {
        const text = [...document.querySelectorAll(sel)].map((e) => e.textContent).join('').replace(/\u00a0/g, ' ').trim();
        return new RegExp(src).test(text) && text;
      },
      [DOM.ghostText, pattern],
      timeout,
    );
  }

  suggestWidgetVisible() {
    return this.page.$(DOM.suggestWidget).then((el) => el !== null);
  }

  /** The toast whose message matches `pattern`: its text, whether it is cut off, its buttons. */
  toast(pattern, timeout = 20_000) {
    return this.until(
      `a notification matching /${pattern}/`,
      ([toastSel, msgSel, buttonSel, src]) => {
        for (const toast of document.querySelectorAll(toastSel)) {
          const msg = toast.querySelector(msgSel);
          if (!msg || !new RegExp(src).test(msg.textContent)) continue;
          return {
            text: msg.textContent,
            truncated: msg.scrollWidth > msg.clientWidth + 1 || msg.scrollHeight > msg.clientHeight + 1,
            buttons: [...toast.querySelectorAll(buttonSel)].map((b) => b.textContent.trim()),
          };
        }
        return undefined;
      },
      [[DOM.toast, DOM.toastMessage, DOM.toastButton, pattern]],
      timeout,
    );
  }

  /** Click a button of the toast matching `pattern`. */
  async clickToastButton(pattern, label) {
    await this.toast(pattern);
    const clicked = await this.page.evaluate(
      ([toastSel, msgSel, buttonSel, src, want]) => {
        for (const toast of document.querySelectorAll(toastSel)) {
          if (!new RegExp(src).test(toast.querySelector(msgSel)?.textContent ?? '')) continue;
          const button = [...toast.querySelectorAll(buttonSel)].find((b) => b.textContent.trim() === want);
          if (button) return button.click(), true;
        }
        return false;
      },
      [DOM.toast, DOM.toastMessage, DOM.toastButton, pattern, label],
    );
    if (!clicked) throw new Error(`no "${label}" button on the notification /${pattern}/`);
  }

  async clearNotifications() {
    await this.page.evaluate((sel) => document.querySelectorAll(`${sel} .codicon-notifications-clear, ${sel} .codicon-close`).forEach((b) => b.click()), DOM.toast);
  }

  /** The editor tabs: label and whether active. */
  tabs() {
    return this.page.$$eval(DOM.tab, (tabs) => tabs.map((t) => ({ label: t.getAttribute('aria-label') ?? t.textContent.trim(), active: t.classList.contains('active') })));
  }

  async hoverStatus(pattern) {
    const handle = await this.page.evaluateHandle(
      (sel, src) => [...document.querySelectorAll(sel)].find((e) => new RegExp(src).test(e.textContent.trim())),
      DOM.statusItem,
      pattern,
    );
    const el = handle.asElement();
    if (!el) throw new Error(`no status bar item matches /${pattern}/`);
    await el.hover();
    return this.until('the status item tooltip', (sel) => document.querySelector(sel)?.textContent, [DOM.hover], 10_000);
  }
}
