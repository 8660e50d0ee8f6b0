// The web view in a real browser: Debian's chromium driven by playwright-core, headless, no downloads.
//   node browser.cjs URL SCREENSHOT
// Steps the test expects, in order, each printed as "ok STEP" (a failure prints "FAIL STEP: why"
// and exits 1). The Java side (WebViewTest) spawns and kills sessions from the CLI between steps by
// watching stdout for "waiting NAME" lines and answering on stdin.
'use strict';
const { chromium } = require('playwright-core');
const readline = require('readline');

const [url, screenshot] = process.argv.slice(2);
const input = readline.createInterface({ input: process.stdin });
const answers = [];
let waiter = null;
input.on('line', (line) => { if (waiter) { const w = waiter; waiter = null; w(line); } else answers.push(line); });
function ask(what) {
  console.log('waiting ' + what);
  return answers.length ? Promise.resolve(answers.shift()) : new Promise((resolve) => { waiter = resolve; });
}

async function step(name, body) {
  try {
    await body();
    console.log('ok ' + name);
  } catch (error) {
    console.log('FAIL ' + name + ': ' + String(error && error.message || error).split('\n')[0]);
    throw error;
  }
}

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  let failed = false;
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    const origin = new URL(url).origin;
    // Whatever the page's own Content-Security-Policy refuses (xterm.js's styles were) or fails to load.
    const refused = [];
    page.on('console', (message) => {
      if (message.type() === 'error') refused.push(message.text());
    });

    await step('refused-without-token', async () => {
      const status = await page.evaluate(async (o) => (await fetch(o + '/api/sessions')).status, origin).catch(() => null);
      // The page is not loaded yet: a fetch from about:blank is cross-origin; ask through the request API instead.
      const response = await page.request.get(origin + '/api/sessions');
      if (response.status() !== 401) throw new Error('expected 401 without the token, got ' + response.status() + ' / ' + status);
    });
    await step('refused-wrong-origin', async () => {
      const response = await page.request.get(origin + '/api/sessions', {
        headers: { 'Authorization': 'Bearer ' + new URL(url).hash.slice('#token='.length), 'Origin': 'http://evil.example' },
      });
      if (response.status() !== 403) throw new Error('expected 403 for a foreign Origin, got ' + response.status());
    });

    refused.length = 0; // the cross-origin fetch from about:blank above was the test's own
    await page.goto(url);
    await step('events-live', () => page.waitForSelector('#events[data-state="live"]', { timeout: 30000 }));
    const name = await ask('spawn');
    await step('session-appears', () => page.waitForSelector(`tr[data-name="${name}"]`, { timeout: 30000 }));
    await page.click(`tr[data-name="${name}"]`);
    await step('attached', () => page.waitForSelector('.xterm-screen', { timeout: 30000 }));
    const screenText = () => page.evaluate(() => document.querySelector('.xterm-rows').innerText);
    const waitForText = async (predicate, what) => {
      const deadline = Date.now() + 30000;
      let text = '';
      while (Date.now() < deadline) {
        text = await screenText();
        if (predicate(text)) return text;
        await page.waitForTimeout(100);
      }
      throw new Error('the terminal never showed ' + what + '; it shows:\n' + text);
    };
    // What the session wrote before anyone attached comes with the attach (the screen's redraw).
    await step('redraw-on-attach', () => waitForText((t) => t.includes('before-attach-42'), 'before-attach-42'));
    await page.click('#terminal');
    await page.keyboard.type('echo hi-from-$((40+2))\n');
    await step('typed-echo', () => waitForText((t) => t.includes('hi-from-42'), 'hi-from-42'));
    await page.keyboard.type('stty size\n');
    const before = await waitForText((t) => /\n\d+ \d+\s*\n/.test(t + '\n') || /^\d+ \d+$/m.test(t), 'a stty size');
    const sizeBefore = before.match(/^(\d+) (\d+)$/m)[0];
    await page.setViewportSize({ width: 900, height: 500 });
    await page.waitForTimeout(300);
    await page.keyboard.type('clear; stty size\n');
    await step('resized', () => waitForText((t) => { const m = t.match(/^(\d+) (\d+)$/m); return m && m[0] !== sizeBefore; },
      'a stty size other than ' + sizeBefore));
    await page.setViewportSize({ width: 1400, height: 800 });
    await page.waitForTimeout(300);
    await page.keyboard.type('clear; printf "\\033[1;36mhello from corral\\033[0m\\n"; stty size\n');
    // The typed line, echoed before the shell runs it, holds the words too (after '36m'): wait for
    // the printed greeting, a line of its own, and look at its span, not the echo's.
    await waitForText((t) => t.split('\n').some((line) => line.trim() === 'hello from corral'), 'the greeting');
    await step('colour-shown', async () => {
      const colours = await page.evaluate(() => {
        const spans = [...document.querySelectorAll('.xterm-rows span')];
        const greeting = spans.find((span) => span.textContent.trim() === 'hello from corral');
        const rows = document.querySelector('.xterm-rows');
        return greeting ? [getComputedStyle(greeting).color, getComputedStyle(rows).color] : null;
      });
      if (!colours) throw new Error('no span holds the greeting');
      if (colours[0] === colours[1]) throw new Error('the cyan greeting has the plain text\'s colour ' + colours[0]);
    });
    await step('nothing-refused', async () => {
      if (refused.length) throw new Error('the page logged errors: ' + refused.join(' | '));
    });
    await page.screenshot({ path: screenshot });
    const status = await page.textContent(`tr[data-name="${name}"] td.status`);
    await ask('idle ' + status);
    await step('status-change', () => page.waitForFunction((n) => {
      const cell = document.querySelector(`tr[data-name="${n}"] td.status`);
      return cell && cell.textContent === 'idle';
    }, name, { timeout: 30000 }));
    // Detach: the session runs on with nobody attached (the Java side asks the CLI).
    await page.click('#detach');
    await step('detached', async () => {
      const answer = await ask('detached ' + name);
      if (answer !== 'ok') throw new Error(answer);
    });
    // Read-only: the page says so, live bytes still arrive, and keys typed there never reach the program.
    await page.click(`tr[data-name="${name}"]`);
    await page.check('#read-only');
    await page.click(`tr[data-name="${name}"]`);
    await page.waitForSelector('.xterm-screen', { timeout: 30000 });
    await step('read-only', async () => {
      const state = await page.textContent('#terminal-state');
      if (!state.includes('read-only')) throw new Error('the page says "' + state + '"');
      await page.click('#terminal');
      await page.keyboard.type('echo typed-read-$((1+1))\n');
      const sent = await ask('read-only ' + name);
      const text = await waitForText((t) => t.includes(sent), sent);
      if (text.includes('typed-read-2')) throw new Error('keys typed read-only reached the program:\n' + text);
    });
    await page.uncheck('#read-only');
    await page.click(`tr[data-name="${name}"]`);
    await page.waitForSelector('.xterm-screen', { timeout: 30000 });
    await waitForText((t) => t.includes('hello from corral'), 'the screen again after attaching read-write');
    await page.click('#terminal');
    await page.keyboard.type('exit 3\n');
    await step('exit-shown', () => page.waitForFunction(() =>
      document.getElementById('terminal-state').textContent.includes('exited with status 3'), null, { timeout: 30000 }));

    // Spawn and kill from the page itself.
    await page.fill('#spawn-name', 'web2');
    await page.fill('#spawn-command', 'echo spawned-in-page; exec sleep 300');
    await page.click('#spawn button[type="submit"]');
    await step('spawned-from-page', async () => {
      await page.waitForSelector('tr[data-name="web2"] td.state-running', { timeout: 30000 });
      const answer = await ask('spawned web2');
      if (answer !== 'ok') throw new Error(answer);
    });
    await page.click('tr[data-name="web2"] button.kill');
    await step('killed-from-page', async () => {
      await page.waitForSelector('tr[data-name="web2"] td.state-exited', { timeout: 30000 });
      const answer = await ask('killed web2');
      if (answer !== 'ok') throw new Error(answer);
    });
  } catch (error) {
    failed = true;
  } finally {
    await browser.close();
    input.close();
  }
  process.exit(failed ? 1 : 0);
})();
