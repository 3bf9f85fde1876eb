// The self-service page's script: ticks off each rule as the new password is
// typed, with the verdict of the core crate (crates/pwpolicy) compiled to
// WebAssembly, and submits the change with fetch.
//
// The page works without it (a plain POST to `change`, checked on submit).
// Under the page's Content-Security-Policy there is no inline script, no
// inline style and no eval here: only this module, the wasm-bindgen glue and
// the module itself ('wasm-unsafe-eval').
//
// States on <body> that tests (tests/browser/drive.mjs) wait on:
//   data-rules   static (no account named: the server's list) | loading |
//                ready (the named account's rules, ticked as typed) | error
//   data-submit  pending | done                      (a fetch submit)
// and the event `pwpolicy:checked` on the form after every re-check.
//
// The new password leaves the browser only on submit; it is never logged.

import init, { check } from './pkg/pwpolicy_wasm.js';

const RULES_DEBOUNCE_MS = 250;

const form = document.getElementById('change');
const fields = {
  user: form.elements.namedItem('user'),
  current: form.elements.namedItem('current'),
  new: form.elements.namedItem('new'),
  confirm: form.elements.namedItem('confirm'),
};
const list = document.getElementById('rules');
const checkStatus = document.getElementById('check-status');
const confirmStatus = document.getElementById('confirm-status');
const result = document.getElementById('result');
const button = document.getElementById('submit');

// The answer of api/rules for the user the list shows, as JSON text: what
// the module checks against.
let rulesJson = null;
// Which api/rules request is the latest: an older answer arriving late is
// dropped.
let rulesRequest = 0;
let rulesTimer = null;
let ready = false;
// The list as the server rendered it, shown while no account is named.
const serverRules = [...list.children].map((li) => li.cloneNode(true));

function setState(name, value) {
  document.body.dataset[name] = value;
}

function ruleItem(code, words, onSubmit) {
  const li = document.createElement('li');
  li.dataset.rule = code;
  li.dataset.met = 'false';
  li.dataset.onSubmit = onSubmit ? 'true' : 'false';
  const text = document.createElement('span');
  text.className = 'words';
  text.textContent = words;
  li.append(text);
  if (onSubmit) {
    const note = document.createElement('span');
    note.className = 'note';
    note.textContent = ' (checked when you submit)';
    li.append(note);
  }
  return li;
}

function renderRules(answer) {
  const items = (answer.rules || []).map((r) => ruleItem(r.code, r.words, r.on_submit));
  list.replaceChildren(...items);
  list.dataset.user = answer.user ?? '';
}

async function loadRules() {
  const user = fields.user.value.trim();
  const request = ++rulesRequest;
  if (user === '') {
    // The rules are an account's: until one is named, the list the server
    // rendered (its default policy's) stays, checked on submit.
    rulesJson = null;
    list.replaceChildren(...serverRules.map((li) => li.cloneNode(true)));
    list.dataset.user = '';
    checkStatus.textContent = '';
    setState('rules', 'static');
    return;
  }
  setState('rules', 'loading');
  try {
    const response = await fetch(`api/rules?user=${encodeURIComponent(user)}`, {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
      cache: 'no-store',
    });
    if (!response.ok) {
      throw new Error(`status ${response.status}`);
    }
    const text = await response.text();
    const answer = JSON.parse(text);
    if (request !== rulesRequest) {
      return;
    }
    rulesJson = text;
    renderRules(answer);
    list.dataset.user = user;
    recheck();
    setState('rules', 'ready');
  } catch (e) {
    if (request !== rulesRequest) {
      return;
    }
    // The list the server rendered stays; it is checked on submit.
    rulesJson = null;
    checkStatus.textContent = 'The rules could not be loaded: they are checked when you submit.';
    setState('rules', 'error');
  }
}

function scheduleRules() {
  // An answer still on its way is for a name no longer in the field.
  rulesRequest += 1;
  setState('rules', 'loading');
  clearTimeout(rulesTimer);
  rulesTimer = setTimeout(loadRules, RULES_DEBOUNCE_MS);
}

// A violation with no rule in the list (too_long: past the maximum it is the
// one reason) is shown as a rule of its own while it holds.
function showExtras(violations) {
  for (const li of list.querySelectorAll('li.extra')) {
    li.remove();
  }
  const listed = new Set([...list.querySelectorAll('li[data-rule]')].map((li) => li.dataset.rule));
  for (const v of violations) {
    if (!listed.has(v.code)) {
      const li = ruleItem(v.code, v.message, false);
      li.classList.add('extra');
      list.append(li);
      listed.add(v.code);
    }
  }
}

function recheck() {
  if (!ready || rulesJson === null) {
    return;
  }
  const answer = JSON.parse(check(rulesJson, fields.new.value));
  if (answer.error) {
    checkStatus.textContent = 'The rules could not be checked here: they are checked when you submit.';
    return;
  }
  const met = new Map(answer.rules.map((r) => [r.code, r.met]));
  for (const li of list.querySelectorAll('li[data-on-submit="false"]:not(.extra)')) {
    if (met.has(li.dataset.rule)) {
      li.dataset.met = met.get(li.dataset.rule) ? 'true' : 'false';
    }
  }
  showExtras(answer.violations);
  if (fields.new.value === '') {
    checkStatus.textContent = '';
  } else if (answer.accepted) {
    checkStatus.textContent = 'Every rule that can be checked here is met.';
  } else {
    checkStatus.textContent = `${answer.violations.length} rule(s) not met yet.`;
  }
  showConfirm();
  form.dispatchEvent(new CustomEvent('pwpolicy:checked'));
}

function showConfirm() {
  const typed = fields.confirm.value;
  let state;
  if (typed === '') {
    state = 'empty';
    confirmStatus.textContent = '';
  } else if (typed === fields.new.value) {
    state = 'true';
    confirmStatus.textContent = 'The passwords match.';
  } else {
    state = 'false';
    confirmStatus.textContent = 'The passwords do not match yet.';
  }
  confirmStatus.dataset.match = state;
  fields.confirm.setAttribute('aria-invalid', state === 'false' ? 'true' : 'false');
}

// A rule told on submit stays marked until the new password changes.
function clearToldRules() {
  for (const li of list.querySelectorAll('li[data-told]')) {
    delete li.dataset.told;
    const told = li.querySelector('.told');
    if (told) {
      told.remove();
    }
  }
}

function markToldRules(violations) {
  for (const v of violations) {
    const li = list.querySelector(`li[data-rule="${CSS.escape(v.code)}"]`);
    if (li && li.dataset.onSubmit === 'true') {
      li.dataset.met = 'false';
      li.dataset.told = 'true';
      const told = document.createElement('span');
      told.className = 'told';
      told.textContent = v.message;
      li.append(told);
    }
  }
}

function showResult(answer) {
  result.replaceChildren();
  result.className = answer.changed ? 'result ok' : 'result error';
  const message = document.createElement('p');
  message.textContent =
    answer.message || (answer.changed ? 'Your password has been changed.' : 'Your password was not changed.');
  result.append(message);
  if (Array.isArray(answer.violations) && answer.violations.length > 0) {
    const ul = document.createElement('ul');
    for (const v of answer.violations) {
      const li = document.createElement('li');
      li.dataset.code = v.code;
      li.textContent = v.message;
      ul.append(li);
    }
    result.append(ul);
  }
  result.focus();
}

async function submit(event) {
  if (!ready) {
    return; // the plain POST
  }
  event.preventDefault();
  setState('submit', 'pending');
  button.disabled = true;
  form.setAttribute('aria-busy', 'true');
  const body = new URLSearchParams(new FormData(form));
  try {
    const response = await fetch(form.action, {
      method: 'POST',
      headers: { Accept: 'application/json' },
      body,
      credentials: 'same-origin',
      cache: 'no-store',
    });
    const answer = await response.json();
    clearToldRules();
    showResult(answer);
    markToldRules(answer.violations || []);
  } catch (e) {
    showResult({
      changed: false,
      message: 'The server could not be reached, or its answer was not understood. Try again.',
    });
  } finally {
    // Whatever the outcome, the passwords leave the page's fields.
    fields.current.value = '';
    fields.new.value = '';
    fields.confirm.value = '';
    recheck();
    showConfirm();
    button.disabled = false;
    form.removeAttribute('aria-busy');
    setState('submit', 'done');
  }
}

async function main() {
  await init();
  ready = true;
  fields.new.addEventListener('input', () => {
    clearToldRules();
    recheck();
  });
  fields.confirm.addEventListener('input', showConfirm);
  fields.user.addEventListener('input', scheduleRules);
  fields.user.addEventListener('change', () => {
    clearTimeout(rulesTimer);
    if (list.dataset.user !== fields.user.value.trim() || document.body.dataset.rules !== 'ready') {
      loadRules();
    }
  });
  form.addEventListener('submit', submit);
  // The rules for the account already named (after a no-JS submit, or
  // filled in by the browser).
  await loadRules();
}

main().catch(() => {
  // No WebAssembly (or the module failed to load): the page stays the
  // plain form, checked on submit.
  setState('rules', 'error');
});
