// Drives Debian's headless Chromium through one JSON scenario read on
// standard input and prints one JSON document: what each reading step saw.
//
//   echo '{"url": "https://127.0.0.1:8443/", "ignore_https_errors": true,
//          "steps": [{"fill": "user", "text": "ehagens"}, {"wait_rules": true},
//                    {"type": "new", "text": "abc"}, {"rules": true}]}' | node drive.mjs
//
// Scenario keys: url (opened first), ignore_https_errors, javascript (false:
// the page without scripts), chromium (default /usr/bin/chromium), timeout_ms
// (per step, default 10000), viewport {width, height}, steps.
//
// Steps (a field is a form field name such as `new`, or a CSS selector):
//   {"goto": URL}                     open URL, wait for it to load
//   {"fill": FIELD, "text": T}        set the field to T at once (one input event)
//   {"type": FIELD, "text": T}        type T one character at a time; reads the
//                                     time from each keystroke to the re-checked
//                                     rules (`pwpolicy:checked`) when scripts run
//   {"wait_rules": true}              wait until the rule list is the one for the
//                                     account in the `user` field (or failed);
//                                     returns the page's state: ready | static |
//                                     error
//   {"rules": true}                   reads [{code, met, on_submit}] from data-*
//   {"submit": true}                  submits and waits for the outcome
//   {"wait": SELECTOR}                waits for an element to be present
//   {"text": SELECTOR}                reads an element's text (null if absent)
//   {"value": FIELD}                  reads a field's value
//   {"attr": SELECTOR, "name": A}     reads an attribute (null if absent)
//   {"screenshot": PATH}              a full-page PNG
//
// Output: {"steps": [one entry per step: the reading, or null], "console":
// [...], "page_errors": [...], "failed_requests": [{url, status | failure}],
// "error": null | "step N: message"}. Exit 0
// unless the scenario itself could not be run to the end.
//
// playwright-core comes from PWPOLICY_BROWSER_NODE_MODULES (the test
// harness's npm ci into a cache, see tests/src/browser.rs), else from
// node_modules beside this file.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const modules = process.env.PWPOLICY_BROWSER_NODE_MODULES;
const require = createRequire(
  modules ? path.join(path.resolve(modules), '..', 'drive.cjs') : import.meta.url,
);
const { chromium } = require('playwright-core');

// Debian's Chromium on a machine with no outside network: nothing may
// reach out (QUIC, component updates, sync, first-run fetches).
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function readStdin() {
  return fs.readFileSync(0, 'utf8');
}

function fieldSelector(field) {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(field) ? `[name="${field}"]` : field;
}

function median(values) {
  if (values.length === 0) {
    return null;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function round(ms) {
  return Math.round(ms * 1000) / 1000;
}

// In the page: the time from each keystroke (`beforeinput`, which also
// fires for characters typed without a key of their own) to the re-checked
// rules.
function installTimer() {
  if (window.__pwpolicyTimer) {
    window.__pwpolicyTimer.samples = [];
    return;
  }
  const timer = { start: null, samples: [] };
  window.__pwpolicyTimer = timer;
  document.addEventListener('beforeinput', () => {
    timer.start = performance.now();
  }, true);
  document.addEventListener('pwpolicy:checked', () => {
    if (timer.start !== null) {
      timer.samples.push(performance.now() - timer.start);
      timer.start = null;
    }
  }, true);
}

async function typeStep(page, step, timeout) {
  const locator = page.locator(fieldSelector(step.type));
  await locator.click({ timeout });
  await page.evaluate(installTimer).catch(() => {});
  for (const ch of step.text) {
    await page.keyboard.type(ch);
  }
  const samples = await page
    .evaluate(() => (window.__pwpolicyTimer ? window.__pwpolicyTimer.samples : []))
    .catch(() => []);
  return {
    typed: [...step.text].length,
    keystroke_to_update_ms: samples.map(round),
    median_ms: samples.length ? round(median(samples)) : null,
    max_ms: samples.length ? round(Math.max(...samples)) : null,
  };
}

async function waitRules(page, timeout) {
  await page.waitForFunction(
    () => {
      const state = document.body.dataset.rules;
      if (state === 'error') {
        return true;
      }
      const list = document.getElementById('rules');
      const user = document.querySelector('[name="user"]');
      if (!list || !user) {
        return false;
      }
      const named = user.value.trim();
      // No account named: the server's list, nothing to load.
      if (named === '') {
        return state === 'static';
      }
      return state === 'ready' && list.dataset.user === named;
    },
    null,
    { timeout },
  );
  return page.evaluate(() => document.body.dataset.rules);
}

function readRules(page) {
  return page.$$eval('[data-rule]', (items) =>
    items.map((li) => ({
      code: li.dataset.rule,
      met: li.dataset.met === 'true',
      on_submit: li.dataset.onSubmit === 'true',
    })),
  );
}

async function submitStep(page, scenario, timeout) {
  const button = page.locator('form button[type="submit"], form input[type="submit"]').first();
  if (scenario.javascript === false) {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout }), button.click({ timeout })]);
    return 'navigated';
  }
  await page.evaluate(() => {
    delete document.body.dataset.submit;
  });
  await button.click({ timeout });
  await page.waitForFunction(() => document.body.dataset.submit === 'done', null, { timeout });
  return 'done';
}

async function runStep(page, step, scenario, timeout) {
  if ('goto' in step) {
    await page.goto(step.goto, { waitUntil: 'load', timeout });
    return null;
  }
  if ('fill' in step) {
    await page.fill(fieldSelector(step.fill), step.text, { timeout });
    return null;
  }
  if ('type' in step) {
    return typeStep(page, step, timeout);
  }
  if ('wait_rules' in step) {
    return waitRules(page, timeout);
  }
  if ('rules' in step) {
    return readRules(page);
  }
  if ('submit' in step) {
    return submitStep(page, scenario, timeout);
  }
  if ('wait' in step) {
    await page.waitForSelector(step.wait, { state: 'attached', timeout });
    return null;
  }
  if ('text' in step) {
    const handle = await page.$(step.text);
    return handle ? handle.innerText() : null;
  }
  if ('value' in step) {
    return page.inputValue(fieldSelector(step.value), { timeout });
  }
  if ('attr' in step) {
    const handle = await page.$(step.attr);
    return handle ? handle.getAttribute(step.name) : null;
  }
  if ('screenshot' in step) {
    await page.screenshot({ path: step.screenshot, fullPage: true, timeout });
    return step.screenshot;
  }
  throw new Error(`unknown step ${JSON.stringify(Object.keys(step))}`);
}

async function main() {
  const scenario = JSON.parse(readStdin());
  const timeout = scenario.timeout_ms ?? 10000;
  const out = { steps: [], console: [], page_errors: [], failed_requests: [], error: null };
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pwpolicy-chromium-'));
  let context = null;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: scenario.chromium ?? '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      ignoreHTTPSErrors: Boolean(scenario.ignore_https_errors),
      javaScriptEnabled: scenario.javascript !== false,
      viewport: scenario.viewport ?? { width: 800, height: 900 },
      timeout: 30000,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (msg) =>
      out.console.push({ type: msg.type(), text: msg.text(), url: msg.location()?.url ?? null }),
    );
    page.on('pageerror', (err) => out.page_errors.push(String(err)));
    page.on('response', (r) => {
      if (r.status() >= 400) {
        out.failed_requests.push({ url: r.url(), status: r.status() });
      }
    });
    page.on('requestfailed', (r) => out.failed_requests.push({ url: r.url(), failure: r.failure()?.errorText ?? null }));
    const steps = scenario.url ? [{ goto: scenario.url }, ...(scenario.steps ?? [])] : scenario.steps ?? [];
    const offset = scenario.url ? 1 : 0;
    for (const [i, step] of steps.entries()) {
      try {
        const seen = await runStep(page, step, scenario, timeout);
        if (i >= offset) {
          out.steps.push(seen ?? null);
        }
      } catch (e) {
        out.error = `step ${i - offset}: ${e.message.split('\n')[0]}`;
        break;
      }
    }
  } catch (e) {
    out.error = `browser: ${e.message.split('\n')[0]}`;
  } finally {
    if (context) {
      await context.close().catch(() => {});
    }
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e) => {
  process.stdout.write(`${JSON.stringify({ steps: [], error: `driver: ${e.message}` })}\n`);
  process.exit(1);
});
