// End-to-end tests of the web console: the real `superstore serve` (APP_ENV=dev, fake data, a fresh
// DATA_DIR, a free loopback port) driven by Debian's Chromium through playwright-core. No browser is
// downloaded. A screenshot of each main screen goes to SCREENSHOT_DIR for people to look at.
//
//   SUPERSTORE_BIN=build/superstore node --test web/tests/
//
// ctest runs this as web_console_e2e (tests/CMakeLists.txt) with SUPERSTORE_BIN and SCREENSHOT_DIR set.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const BINARY = path.resolve(process.env.SUPERSTORE_BIN || path.join(repo, 'build', 'superstore'));
const SCREENSHOTS = path.resolve(process.env.SCREENSHOT_DIR || path.join(repo, 'build', 'test-screenshots'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const EMAIL = 'console@example.com';
const PASSWORD = 'console-e2e-password';

const REVENUE_QUERY =
  'SELECT status, COUNT(*) as order_count, SUM(total_amount) as total_revenue, ' +
  'AVG(total_amount) as avg_order_value FROM fake_orders GROUP BY status';

// A developer's own fake tables (issue 12): the spec language's example, which refers to the
// built-in fake_users.
const SPEC = `tables:
  - name: fake_subscriptions          # required; any valid table name (no fake_ prefix required)
    database: development             # default development
    schema: dev_schema                # default dev_schema
    description: Plans users pay for. # optional, shown by status
    rows: 2000                        # rows at FAKE_DATA_SCALE=1; multiplied by the scale
    partition_by: [plan]
    sort_by: [started_at, id]
    columns:
      - {name: id, type: Int64, gen: sequence}                      # 1..rows, unique
      - {name: user_id, type: Int64, gen: {ref: fake_users.id}}     # a real row of another (spec or built-in) table
      - {name: plan, type: String, gen: {choice: {free: 60, pro: 30, team: 10}}}
      - {name: seats, type: Int32, gen: {int: {min: 1, max: 200, skew: 1.3}}}
      - {name: monthly_price, type: Float64,
         gen: {expr: "case when plan = 'free' then 0 when plan = 'pro' then 12 else round(8.5 * seats, 2) end"}}
      - {name: started_at, type: Timestamp, gen: {timestamp: {after: user_id.created_at, before: anchor}}}
      - {name: cancelled_at, type: Timestamp, null: 0.7, gen: {timestamp: {after: started_at, within: 180d}}}
      - {name: contact, type: String, gen: {template: "{user_id.first_name}.{user_id.last_name}+{id}@example.com", case: lower}}
      - {name: city, type: String, gen: {words: city}}
      - {name: trial, type: Boolean, gen: {bool: 0.15}}
`;
const SPEC_COLUMNS = ['id', 'user_id', 'plan', 'seats', 'monthly_price', 'started_at', 'cancelled_at', 'contact', 'city', 'trial'];

// A spec whose line 5 names a generator that does not exist.
const BROKEN_SPEC = `tables:
  - name: fake_broken
    rows: 10
    columns:
      - {name: id, type: Int64, gen: no_such_generator}
      - {name: plan, type: String, gen: {choice: {free: 1, pro: 1}}}
`;

// A spec file in FAKE_DATA_SPECS, as a developer keeps one beside their application.
const FILE_SPEC = (rows) => `tables:
  - name: fake_plans
    description: The plans on sale.
    rows: ${rows}
    columns:
      - {name: id, type: Int64, gen: sequence}
      - {name: plan, type: String, gen: {choice: {free: 6, pro: 3, team: 1}}}
`;

let server;
let baseUrl;
let dataDir;
let specDir;
let browser;
let page;
let apiToken;
const serverOutput = [];
const cspViolations = [];
const pageErrors = [];
let currentTest = '';

function startServer() {
  dataDir = mkdtempSync(path.join(tmpdir(), 'superstore-console-'));
  specDir = mkdtempSync(path.join(tmpdir(), 'superstore-console-specs-'));
  const child = spawn(BINARY, ['serve'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME || tmpdir(),
      APP_ENV: 'dev',
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      USER_EMAIL: EMAIL,
      USER_PASSWORD: PASSWORD,
      FAKE_DATA_SCALE: '1',
      FAKE_DATA_SPECS: specDir,
      CORS_ORIGINS: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line in 60 s:\n${serverOutput.join('')}`)), 60_000);
    const onData = (chunk) => {
      const text = chunk.toString();
      serverOutput.push(text);
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serverOutput.join(''));
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`superstore serve exited with ${code}:\n${serverOutput.join('')}`));
    });
  });
}

// The API as a script sees it, to check what the page shows against.
async function call(method, route, body) {
  const headers = { Authorization: `Bearer ${apiToken}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(baseUrl + route, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

// A fake-data spec sent as it is (YAML), as the console sends it.
async function callSpec(route, spec) {
  const response = await fetch(baseUrl + route, {
    method: 'POST',
    headers: { Authorization: `Bearer ${apiToken}`, 'Content-Type': 'application/yaml' },
    body: spec,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function apiLogin() {
  const response = await fetch(`${baseUrl}/auth/jwt/login`, {
    method: 'POST',
    body: new URLSearchParams({ username: EMAIL, password: PASSWORD }),
  });
  assert.equal(response.status, 200);
  return (await response.json()).access_token;
}

async function tableId(name) {
  const { body } = await call('GET', '/databases');
  for (const db of body.databases) for (const s of db.schemas) for (const t of s.tables) if (t.name === name) return t.id;
  return null;
}

async function shot(name) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

async function typeQuery(sql) {
  const editor = page.locator('.cm-content');
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(sql);
}

async function runQuery(sql) {
  await typeQuery(sql);
  await page.keyboard.press('Control+Enter');
}

// The grid as text: header names and each row's cells (without the row number).
async function readGrid() {
  return page.locator('[data-testid=result-grid]').evaluate((table) => ({
    columns: [...table.querySelectorAll('thead .col-name')].map((th) => th.textContent),
    // A number's exact value (the cell shows it rounded, in the browser's locale).
    rows: [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].slice(1).map((td) => td.dataset.value ?? td.textContent)),
    firstRowNumber: Number(table.querySelector('tbody tr td')?.textContent),
    nulls: table.querySelectorAll('td.cell-null').length,
  }));
}

// Replaces the spec editor's text, as a paste would.
async function typeSpec(text) {
  await page.getByTestId('spec-input').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

// A spec preview's grid of one table as text, cells as the grid shows them.
async function readSpecGrid(table) {
  return page.locator(`.spec-preview-table[data-table=${table}] [data-testid=spec-preview-grid]`).evaluate((grid) => ({
    columns: [...grid.querySelectorAll('thead .col-name')].map((th) => th.textContent),
    types: [...grid.querySelectorAll('thead .col-type')].map((th) => th.textContent),
    rows: [...grid.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].slice(1).map((td) => td.dataset.value ?? td.textContent)),
  }));
}

async function statusRowIdLink(table, id) {
  await page.locator(`[data-testid=fake-data-status] tr[data-table=${table}] a[href="#/table/${id}"]`).waitFor();
}

// Waits until the grid shows page `page` of `query`'s result, and nothing is loading.
async function waitForResult(query, pageNumber = 1) {
  await page.waitForFunction(
    ([q, p]) => {
      const panel = document.querySelector('.results-panel');
      return panel && panel.getAttribute('aria-busy') === 'false' && panel.dataset.query === q && panel.dataset.page === String(p);
    },
    [query, pageNumber],
  );
}

// Runs in the page: every visible text (and input placeholder, and the editor's text inside its shadow
// root) whose contrast with the background behind it is below 4.5:1, as "text: ratio (colour on colour)".
function lowContrast() {
  const parse = (c) => {
    const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c);
    return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] : null;
  };
  const over = (top, bottom) => top.slice(0, 3).map((v, i) => v * top[3] + bottom[i] * (1 - top[3])).concat(1);
  const luminance = (rgb) => {
    const [r, g, b] = rgb.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement ?? e.getRootNode().host ?? null) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) {
        layers.push(c);
        if (c[3] === 1) break;
      }
    }
    let color = [255, 255, 255, 1];
    for (const layer of layers.reverse()) color = over(layer, color);
    return color;
  };
  const ratio = (fg, bg) => {
    const [a, b] = [luminance(over(fg, bg)), luminance(bg)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  };
  const failures = [];
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[aria-hidden=true]');
  };
  const judge = (el, color, what) => {
    const fg = parse(color);
    if (!fg || fg[3] === 0) return;
    const bg = background(el);
    const r = ratio(fg, bg);
    if (r < 4.5) failures.push(`${what.slice(0, 40)}: ${r.toFixed(2)} (${color} on rgb(${bg.slice(0, 3).map(Math.round).join(', ')}))`);
  };
  const roots = [document, ...[...document.querySelectorAll('[data-testid=sql-editor]')].map((h) => h.shadowRoot).filter(Boolean)];
  for (const root of roots)
    for (const el of root.querySelectorAll('*')) {
      if (!visible(el) || el.closest('button:disabled, [aria-disabled=true], canvas, .visually-hidden, .skip-link')) continue;
      const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join(' ');
      if (text) judge(el, getComputedStyle(el).color, text);
      if ((el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') && el.placeholder && !el.value)
        judge(el, getComputedStyle(el, '::placeholder').color, `placeholder ${el.placeholder}`);
    }
  return failures;
}

// Polls `check` until it holds, for at most 10 s.
async function waitUntil(check, what) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

before(async () => {
  assert.ok(existsSync(BINARY), `no superstore binary at ${BINARY}: build it first (make build), or set SUPERSTORE_BIN`);
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run scripts/install-deps.sh (Debian's chromium package)`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  const started = await startServer();
  server = started.child;
  baseUrl = started.url;
  apiToken = await apiLogin();

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true, deviceScaleFactor: 1, hasTouch: true });
  // Nothing may leave for another origin: the page is meant to be self-contained.
  await context.route(
    (url) => url.origin !== new URL(baseUrl).origin,
    (route) => {
      pageErrors.push(`request to another origin: ${route.request().url()}`);
      return route.abort();
    },
  );
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseUrl).origin });
  page = await context.newPage();
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Refused to/i.test(text)) {
      const { url, lineNumber, columnNumber } = message.location();
      cspViolations.push(`${currentTest}: ${text} (at ${url}:${lineNumber}:${columnNumber})`);
    }
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
});

after(async () => {
  // The server's output beside the screenshots, for a failure's story.
  writeFileSync(path.join(SCREENSHOTS, 'server.log'), serverOutput.join(''));
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (specDir) rmSync(specDir, { recursive: true, force: true });
});

describe('web console', () => {
  beforeEach((t) => {
    currentTest = t.name;
  });

  test('serves the page and its assets with types, caching and a strict CSP', async () => {
    const index = await fetch(`${baseUrl}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type'), /^text\/html/);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const csp = index.headers.get('content-security-policy');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = await index.text();
    assert.doesNotMatch(html, /<script>(?!<\/script>)|<style|style="/, 'no inline script or style in index.html');

    const etag = index.headers.get('etag');
    assert.ok(etag);
    assert.equal((await fetch(`${baseUrl}/`, { headers: { 'If-None-Match': etag } })).status, 304);

    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(assets.some((a) => a.startsWith('/assets/js/')), `a script in ${html}`);
    assert.ok(assets.some((a) => a.startsWith('/assets/css/')), `a stylesheet in ${html}`);
    for (const asset of assets) {
      const response = await fetch(baseUrl + asset); // no token: static files are public
      assert.equal(response.status, 200, asset);
      const kind = asset.split('/')[2];
      const expected = { js: /^text\/javascript/, css: /^text\/css/, svg: /^image\/svg\+xml/ }[kind];
      assert.match(response.headers.get('content-type'), expected, asset);
      assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable', asset);
    }
    // The API still wants a token.
    assert.equal((await fetch(`${baseUrl}/databases`)).status, 401);
  });

  test('a wrong password shows the server\'s error', async () => {
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('login-error').filter({ hasText: /incorrect email or password/i }).waitFor();
    await shot('01-login-error');
  });

  test('logs in and lists the databases, schemas and tables', async () => {
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText(EMAIL).waitFor();
    for (const name of ['fake_users', 'fake_products', 'fake_orders', 'fake_analytics']) {
      await page.locator(`.table-name[data-table=${name}]`).waitFor();
    }
    assert.equal(await page.evaluate(() => typeof sessionStorage.getItem('superstore.token')), 'string');
    await page.locator('.cm-content').waitFor();
    await page.getByRole('link', { name: 'Dev data' }).waitFor();
    // The API link leads to the OpenAPI document the server serves.
    const api = page.getByRole('link', { name: 'API' });
    assert.equal(await api.getAttribute('href'), '/openapi.json');
    const spec = await page.evaluate(async () => (await fetch('/openapi.json')).json());
    assert.equal(spec.openapi, '3.1.0');
    assert.ok(spec.paths['/execute'].post);
    await shot('02-sql-empty');
  });

  test('opens fake_orders with its columns and micro-partitions, sorted by the server', async () => {
    await page.getByRole('link', { name: 'fake_orders: columns and micro-partitions' }).click();
    await page.getByRole('heading', { name: 'fake_orders' }).waitFor();
    const id = await tableId('fake_orders');
    const { body } = await call('GET', `/table/${id}?page=1&pageSize=50&sortColumn=id&sortDirection=asc`);
    const grid = page.getByTestId('micro-partitions');
    await grid.locator('tbody tr').first().waitFor();
    const shown = await grid.locator('tbody tr').count();
    assert.equal(shown, body.micro_partitions.length);
    assert.ok(shown > 0, 'fake_orders has micro-partitions');
    assert.equal(await page.getByTestId('table-micro-partitions').textContent(), body.totals.micro_partitions.toLocaleString('en-US'));
    assert.equal(await page.getByTestId('table-rows').textContent(), body.totals.rows.toLocaleString('en-US'));
    assert.equal(await grid.locator('tbody tr td').first().textContent(), String(body.micro_partitions[0].id));
    for (const column of body.table.columns) await page.getByRole('cell', { name: column.name, exact: true }).first().waitFor();
    await shot('03-table-fake_orders');

    // Sort by rows: the first click sorts descending.
    const sorted = await call('GET', `/table/${id}?page=1&pageSize=50&sortColumn=rows&sortDirection=desc`);
    const mostRows = sorted.body.micro_partitions[0];
    await grid.getByRole('button', { name: 'Rows' }).click();
    await grid.locator('th[aria-sort=descending]').waitFor();
    await grid
      .locator('tbody tr:first-child td:first-child')
      .filter({ hasText: new RegExp(`^${mostRows.id}$`) })
      .waitFor();
    assert.equal(await grid.locator('tbody tr:first-child td:nth-child(3)').textContent(), mostRows.rows.toLocaleString('en-US'));
  });

  test('a table name runs its preview at once; the revenue-by-status grid matches /execute', async () => {
    await page.locator('.table-name[data-table=fake_orders]').click();
    await page.locator('.cm-content').filter({ hasText: 'SELECT * FROM fake_orders LIMIT 100' }).waitFor();
    await waitForResult('SELECT * FROM fake_orders LIMIT 100');
    assert.equal((await readGrid()).rows.length, 100);

    await runQuery(REVENUE_QUERY);
    const expected = (await call('POST', '/execute', { query: REVENUE_QUERY, page: 1, per_page: 100 })).body;
    await waitForResult(REVENUE_QUERY);
    const grid = await readGrid();
    assert.deepEqual(grid.columns, expected.data.columns.map((c) => c.name));
    assert.equal(grid.rows.length, expected.data.rows.length);
    // GROUP BY has no order: match rows by status.
    const byStatus = new Map(grid.rows.map((cells) => [cells[0], cells]));
    for (const row of expected.data.rows) {
      const cells = byStatus.get(row.status);
      assert.ok(cells, `a row for ${row.status}`);
      assert.equal(Number(cells[1]), row.order_count, `order_count of ${row.status}`);
      assert.equal(Number(cells[2]), row.total_revenue, `total_revenue of ${row.status}`);
      assert.equal(Number(cells[3]), row.avg_order_value, `avg_order_value of ${row.status}`);
    }
    assert.match(await page.getByTestId('result-time').textContent(), /\d (ms|s)$/);
    await shot('04-sql-revenue-grid');

    await page.getByRole('button', { name: 'Chart', exact: true }).click();
    await page.getByTestId('result-chart').waitFor();
    await page.locator('.chart-loading').waitFor({ state: 'detached' });
    await shot('05-sql-revenue-chart');
    await page.getByRole('button', { name: 'Grid', exact: true }).click();
  });

  test('pages through a large result', async () => {
    const query = 'SELECT * FROM fake_analytics ORDER BY id';
    const first = (await call('POST', '/execute', { query, page: 1, per_page: 100 })).body;
    assert.ok(first.total > 300, `fake_analytics has ${first.total} rows`);
    await runQuery(query);
    await waitForResult(query);
    let grid = await readGrid();
    assert.equal(grid.rows.length, 100);
    assert.equal(grid.firstRowNumber, 1);

    // Scrolled down on page 1, a new page starts at its top.
    await page.locator('.grid-scroll').evaluate((e) => (e.scrollTop = e.scrollHeight));
    assert.ok((await page.locator('.grid-scroll').evaluate((e) => e.scrollTop)) > 0);
    await page.getByRole('button', { name: 'Next page' }).click();
    await waitForResult(query, 2);
    await page.locator('.pager-pos').filter({ hasText: `Page 2 of ${first.last_page.toLocaleString('en-US')}` }).waitFor();
    grid = await readGrid();
    assert.equal(grid.firstRowNumber, 101);
    assert.equal(await page.locator('.grid-scroll').evaluate((e) => e.scrollTop), 0);
    const second = (await call('POST', '/execute', { query, page: 2, per_page: 100 })).body;
    assert.equal(grid.rows[0][0], String(second.data.rows[0].id));

    await page.getByRole('button', { name: 'Last page' }).click();
    await waitForResult(query, first.last_page);
    grid = await readGrid();
    assert.equal(grid.firstRowNumber, (first.last_page - 1) * 100 + 1);
    assert.equal(grid.rows.length, first.total - (first.last_page - 1) * 100);
    await shot('06-sql-large-result');
  });

  test('NULLs are shown as NULL, distinct from the text', async () => {
    const query = "SELECT NULL::VARCHAR AS nothing, 'NULL' AS text, 42::BIGINT AS answer";
    await runQuery(query);
    await waitForResult(query);
    const grid = await readGrid();
    assert.equal(grid.nulls, 1);
    assert.deepEqual(grid.rows[0], ['NULL', 'NULL', '42']);
  });

  test('an SQL error shows the server\'s message beside the editor', async () => {
    const bad = 'SELECT no_such_column FROM fake_orders';
    const expected = await call('POST', '/execute', { query: bad });
    assert.equal(expected.status, 400);
    await runQuery(bad);
    const box = page.locator('.editor-panel .error-box');
    await box.waitFor();
    assert.equal((await box.locator('.error-message').textContent()).trim(), expected.body.error.trim());
    await shot('07-sql-error');
  });

  test('an error marks the editor at DuckDB\'s position, and the last result stays', async () => {
    const good = 'SELECT 7 AS seven';
    await runQuery(good);
    await waitForResult(good);
    const bad = 'SELECT 1,\n  nosuch FROM range(3)';
    const expected = await call('POST', '/execute', { query: bad });
    assert.equal(expected.status, 400);
    // DuckDB's own drawing of the position: line 2, the caret under "nosuch" (column 3).
    const [, line, shown, caret] = /\nLINE (\d+): (.*)\n( *)\^/.exec(expected.body.error);
    assert.equal(line, '2');
    assert.equal(caret.length - 'LINE 2: '.length + 1, 3);
    assert.match(shown, /nosuch/);
    await runQuery(bad);
    const marked = page.locator('[data-testid=sql-editor] .cm-error-line');
    await marked.waitFor();
    assert.equal(await marked.getAttribute('data-error-line'), '2');
    assert.equal(await marked.getAttribute('data-error-column'), '3');
    assert.equal(await page.locator('[data-testid=sql-editor] .cm-error-token').textContent(), 'nosuch');
    // The previous result is still there.
    assert.equal(await page.locator('.results-panel').getAttribute('data-query'), good);
    assert.deepEqual((await readGrid()).rows, [['7']]);
    await shot('07b-sql-error-position');

    // In a text of several statements, Ctrl+Enter runs the one at the cursor, and the mark lands there.
    await typeQuery('SELECT 1 AS one;\nSELECT 2 AS two, nosuch2 FROM range(2);\nSELECT 3 AS three;');
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('End');
    await page.keyboard.press('Control+Enter');
    await page.locator('[data-testid=sql-editor] .cm-error-token').filter({ hasText: 'nosuch2' }).waitFor();
    assert.equal(await marked.getAttribute('data-error-line'), '2');
    assert.equal(await marked.getAttribute('data-error-column'), '18');
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Control+Enter');
    await waitForResult('SELECT 3 AS three');
    assert.equal(await marked.count(), 0, 'a new run clears the mark');

    // The completion popup closes when the query runs.
    await typeQuery('SELECT * FROM fake_an');
    const popup = page.locator('[data-testid=sql-editor] .cm-tooltip-autocomplete');
    await popup.waitFor();
    await page.keyboard.press('Control+Enter');
    await popup.waitFor({ state: 'detached' });
    await page.locator('.error-box, .results-panel[aria-busy=false]').first().waitFor();
  });

  test('a long query is cancelled from the button and frees the server; Esc cancels too', async () => {
    const slow = 'SELECT sum(a.range * b.range) AS s FROM range(300000) a, range(300000) b';
    await runQuery(slow);
    const cancelButton = page.getByTestId('cancel-query');
    await cancelButton.waitFor();
    // The clock runs.
    await page.waitForFunction(() => parseFloat(document.querySelector('[data-testid=elapsed]')?.textContent ?? '0') >= 0.5);
    await shot('07c-sql-running');
    const logged = serverOutput.join('').split('\n').filter((l) => / 499 /.test(l)).length;
    await cancelButton.click();
    await page.getByTestId('query-notice').filter({ hasText: /^Cancelled after \d/ }).waitFor();
    await page.getByTestId('run-query').waitFor();
    // The server saw the client leave and cancelled the query (its access log says 499).
    await waitUntil(() => serverOutput.join('').split('\n').filter((l) => / 499 /.test(l)).length > logged, 'a 499 in the log');
    // And it is free: the next query answers at once.
    const started = Date.now();
    await runQuery('SELECT 42 AS answer');
    await waitForResult('SELECT 42 AS answer');
    const took = Date.now() - started;
    assert.ok(took < 3000, `the next query took ${took} ms`);
    await shot('07d-sql-cancelled');

    await runQuery(slow);
    await page.getByTestId('cancel-query').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('query-notice').filter({ hasText: /^Cancelled after/ }).waitFor();
    // Closing the query's tab aborts it too, and the server sees the client leave.
    await page.getByRole('button', { name: 'New tab' }).click();
    await runQuery(slow);
    await page.getByTestId('cancel-query').waitFor();
    const before = serverOutput.join('').split('\n').filter((l) => / 499 /.test(l)).length;
    await page.locator('.query-tab.active').getByRole('button', { name: /^Close tab/ }).click();
    await waitUntil(() => serverOutput.join('').split('\n').filter((l) => / 499 /.test(l)).length > before, 'a 499 after closing the tab');
    await page.getByTestId('run-query').waitFor();

    // The three stopped runs are in the history.
    const history = await page.evaluate(() => JSON.parse(localStorage.getItem('superstore.history')));
    assert.equal(history.filter((e) => e.query === slow && e.cancelled).length, 3);
  });

  test('history puts an old query back; saved queries keep a name', async () => {
    await runQuery('SELECT 1 AS placeholder');
    await waitForResult('SELECT 1 AS placeholder');
    await page.getByRole('button', { name: 'History', exact: true }).click();
    const panel = page.getByTestId('history-panel');
    await panel.getByLabel('Search the history').fill('total_revenue');
    const items = panel.locator('.side-item');
    await items.first().waitFor();
    assert.ok((await items.allTextContents()).every((t) => t.includes('total_revenue')));
    const entry = await page.evaluate(() => JSON.parse(localStorage.getItem('superstore.history')).find((e) => e.query.includes('total_revenue')));
    assert.equal(entry.ok, true);
    assert.ok(entry.rows > 0 && entry.ms > 0 && !Number.isNaN(Date.parse(entry.at)));
    await shot('07e-sql-history');
    await items.first().click();
    await page.locator('.cm-content').filter({ hasText: 'total_revenue' }).waitFor();
    assert.equal(await page.locator('.cm-content').innerText(), REVENUE_QUERY);
    await page.getByRole('button', { name: 'History', exact: true }).click();

    await page.getByRole('button', { name: 'Saved', exact: true }).click();
    const saved = page.getByTestId('saved-panel');
    await saved.getByLabel('Name of the saved query').fill('Revenue by status');
    await saved.getByRole('button', { name: 'Save' }).click();
    await saved.locator('li[data-saved="Revenue by status"]').waitFor();
    await typeQuery('SELECT 2');
    await saved.locator('li[data-saved="Revenue by status"] .side-item').click();
    await page.locator('.cm-content').filter({ hasText: 'total_revenue' }).waitFor();
    assert.deepEqual(
      await page.evaluate(() => JSON.parse(localStorage.getItem('superstore.saved')).map((q) => [q.name, q.query])),
      [['Revenue by status', REVENUE_QUERY]],
    );
    await shot('07f-sql-saved');
    await page.getByRole('button', { name: 'Saved', exact: true }).click();
  });

  test('tabs keep their own query and result; the address holds the current one', async () => {
    const first = 'SELECT 1 AS in_first_tab';
    const second = 'SELECT 2 AS in_second_tab';
    await runQuery(first);
    await waitForResult(first);
    const tabs = page.locator('.query-tab');
    const before = await tabs.count();
    await page.getByRole('button', { name: 'New tab' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('.query-tab').length === n + 1, before);
    await runQuery(second);
    await waitForResult(second);
    await page.waitForFunction((q) => new URLSearchParams(location.hash.split('?')[1] ?? '').get('q') === q, second);
    await shot('07g-sql-tabs');

    await tabs.nth(before - 1).getByRole('tab').click();
    await waitForResult(first);
    assert.equal(await page.locator('.cm-content').innerText(), first);
    assert.deepEqual((await readGrid()).columns, ['in_first_tab']);
    await page.waitForFunction((q) => new URLSearchParams(location.hash.split('?')[1] ?? '').get('q') === q, first);

    // A link with a query opens it in a tab of its own, after a reload too.
    const shared = 'SELECT 3 AS from_a_link';
    await page.goto(`${baseUrl}/#/?${new URLSearchParams({ q: shared })}`);
    await page.reload();
    await page.locator('.cm-content').filter({ hasText: shared }).waitFor();
    assert.equal(await page.locator('.query-tab.active .tab-select').getAttribute('title'), shared);
    assert.equal(await tabs.count(), before + 2);
    // Closing tabs: the one with the link's query and the second.
    await page.locator('.query-tab.active').getByRole('button', { name: /^Close tab/ }).click();
    await page.locator('.query-tab').filter({ hasText: 'in_second_tab' }).getByRole('button', { name: /^Close tab/ }).click();
    assert.equal(await tabs.count(), before);
  });

  test('downloads hold every row of the result, as CSV, NDJSON and Parquet', async () => {
    const query = 'SELECT * FROM fake_analytics';
    await runQuery(query);
    await waitForResult(query);
    const total = Number((await page.getByTestId('result-total').textContent()).replace(/\D/g, ''));
    assert.equal(total, (await call('POST', '/execute', { query: 'SELECT COUNT(*) AS n FROM fake_analytics' })).body.data.rows[0].n);
    assert.ok(total > 1000);
    const fetchFile = async (format) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`.download button[data-format=${format}]`).click()]);
      const file = await download.path();
      return { name: download.suggestedFilename(), bytes: readFileSync(file) };
    };
    const csv = await fetchFile('csv');
    assert.match(csv.name, /\.csv$/);
    const lines = csv.bytes.toString('utf8').trimEnd().split('\n');
    assert.equal(lines.length, total + 1, 'a header and every row');
    const ndjson = await fetchFile('ndjson');
    const records = ndjson.bytes.toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(records.length, total);
    const parquet = await fetchFile('parquet');
    assert.equal(parquet.bytes.subarray(0, 4).toString('latin1'), 'PAR1');
    assert.equal(parquet.bytes.subarray(-4).toString('latin1'), 'PAR1');
  });

  test('EXPLAIN ANALYZE shows its plan in boxes, with the query\'s stats', async () => {
    const query = 'EXPLAIN ANALYZE SELECT status, COUNT(*) AS n FROM fake_orders GROUP BY status';
    await runQuery(query);
    await waitForResult(query);
    const plan = page.getByTestId('query-plan');
    const text = await plan.locator('.plan-text').first().textContent();
    assert.match(text, /┌─+┐/);
    assert.match(text, /Total Time: [\d.]+s/);
    assert.match(text, /AGGREGATE|GROUP_BY/);
    assert.match(text, /fake_orders|PARQUET|READ_PARQUET|TABLE_SCAN/i);
    // Boxes stay boxes: no wrapping, and every character as wide as the next.
    const style = await plan.locator('.plan-text').first().evaluate((e) => {
      const s = getComputedStyle(e);
      return { whiteSpace: s.whiteSpace, font: s.fontFamily };
    });
    assert.equal(style.whiteSpace, 'pre');
    assert.match(style.font, /monospace/);
    assert.match(await page.getByTestId('result-time').textContent(), /\d (ms|s)$/);
    const sent = (await call('POST', '/execute', { query: query.replace('ANALYZE ', '') })).body;
    assert.deepEqual(sent.data.columns.map((c) => c.name), ['explain_key', 'explain_value']);
    await shot('07h-sql-explain');
  });

  test('sorting by a header orders the whole result, across pages', async () => {
    const query = 'SELECT id, country, device_type FROM fake_analytics';
    await runQuery(query);
    await waitForResult(query);
    const { lo, hi } = (await call('POST', '/execute', { query: 'SELECT MIN(id) AS lo, MAX(id) AS hi FROM fake_analytics' })).body.data.rows[0];
    const header = page.locator('[data-testid=result-grid] th').filter({ hasText: /^id/ });
    const sortButton = header.locator('.col-sort');
    await sortButton.click();
    await page.waitForFunction(() => document.querySelector('.results-panel').dataset.sort === 'id asc' && document.querySelector('.results-panel').getAttribute('aria-busy') === 'false');
    assert.equal(await header.getAttribute('aria-sort'), 'ascending');
    let grid = await readGrid();
    assert.equal(grid.rows[0][0], String(lo));
    assert.deepEqual(grid.rows.map((r) => Number(r[0])), [...grid.rows.map((r) => Number(r[0]))].sort((a, b) => a - b));
    const lastOfFirst = Number(grid.rows.at(-1)[0]);
    await page.getByRole('button', { name: 'Next page' }).click();
    await waitForResult(query, 2);
    grid = await readGrid();
    assert.ok(Number(grid.rows[0][0]) > lastOfFirst, 'page 2 goes on where page 1 ended');
    await sortButton.click();
    await page.waitForFunction(() => document.querySelector('.results-panel').dataset.sort === 'id desc' && document.querySelector('.results-panel').getAttribute('aria-busy') === 'false');
    assert.equal((await readGrid()).rows[0][0], String(hi));
    assert.equal(await page.locator('.results-panel').getAttribute('data-page'), '1');
    await shot('07i-sql-sorted');
    await sortButton.click();
    await page.waitForFunction(() => document.querySelector('.results-panel').dataset.sort === '' && document.querySelector('.results-panel').getAttribute('aria-busy') === 'false');
  });

  test('the grid: numbers in the locale with exact copies, filters on the page, a column profile', async () => {
    await runQuery(REVENUE_QUERY);
    await waitForResult(REVENUE_QUERY);
    const expected = (await call('POST', '/execute', { query: REVENUE_QUERY, page: 1, per_page: 100 })).body;
    const delivered = expected.data.rows.find((r) => r.status === 'delivered');
    const revenueCell = page.locator('[data-testid=result-grid] tbody tr').filter({ hasText: 'delivered' }).locator('td').nth(3);
    const shownRevenue = await page.evaluate((v) => new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(v), delivered.total_revenue);
    assert.equal(await revenueCell.textContent(), shownRevenue);
    assert.equal(await revenueCell.getAttribute('title'), String(delivered.total_revenue));

    // A filter keeps the page's matching rows; the copies carry exact values.
    await page.getByLabel('Filter status on this page').fill('deliv');
    await page.getByTestId('filter-count').filter({ hasText: `1 of ${expected.data.rows.length} rows on this page match` }).waitFor();
    assert.equal((await readGrid()).rows.length, 1);
    const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
    await revenueCell.click();
    await page.getByRole('button', { name: 'Copy cell' }).click();
    await page.getByTestId('copy-status').filter({ hasText: 'Copied the total_revenue of row' }).waitFor();
    assert.equal(await clipboard(), String(delivered.total_revenue));
    await page.locator('[data-testid=result-grid] tbody tr td.row-number').first().click();
    await page.getByLabel('Copy as').selectOption('csv');
    await page.getByRole('button', { name: 'Copy row' }).click();
    await page.getByTestId('copy-status').filter({ hasText: /as CSV\.$/ }).waitFor();
    assert.equal(await clipboard(), `status,order_count,total_revenue,avg_order_value\ndelivered,${delivered.order_count},${delivered.total_revenue},${delivered.avg_order_value}`);
    await page.getByLabel('Filter status on this page').fill('');
    await page.getByLabel('Copy as').selectOption('markdown');
    await page.getByRole('button', { name: 'Copy page' }).click();
    await page.getByTestId('copy-status').filter({ hasText: /^Copied \d+ rows as Markdown\.$/ }).waitFor();
    const markdown = (await clipboard()).split('\n');
    assert.equal(markdown.length, expected.data.rows.length + 2);
    assert.equal(markdown[0], '| status | order_count | total_revenue | avg_order_value |');
    assert.equal(markdown[1], '| --- | ---: | ---: | ---: |');
    // Ctrl+C copies the selected cell.
    const firstStatus = (await readGrid()).rows[0][0];
    await page.locator('[data-testid=result-grid] tbody tr').first().locator('td').nth(1).click();
    await page.keyboard.press('Control+C');
    await page.getByTestId('copy-status').filter({ hasText: 'Copied the status of row 1.' }).waitFor();
    assert.equal(await clipboard(), firstStatus);
    await shot('07l-grid-tools');

    // A column's profile: one query over the whole result.
    const query = 'SELECT * FROM fake_analytics';
    await runQuery(query);
    await waitForResult(query);
    await page.getByRole('button', { name: 'Profile of device_type' }).click();
    const profile = page.getByTestId('column-profile');
    await profile.locator('[data-stat=distinct]').waitFor();
    const counts = (await call('POST', '/execute', { query: 'SELECT device_type AS v, COUNT(*) AS n FROM fake_analytics GROUP BY 1 ORDER BY 2 DESC' })).body.data.rows;
    const total = counts.reduce((sum, r) => sum + r.n, 0);
    assert.equal(await profile.locator('[data-stat=rows]').textContent(), total.toLocaleString('en-US'));
    assert.equal(await profile.locator('[data-stat=distinct]').textContent(), String(counts.length));
    assert.equal(await profile.locator('[data-stat=null-share]').textContent(), '0.0%');
    for (const { v, n } of counts) assert.equal(await profile.locator(`tr[data-value="${v}"] td[data-count]`).getAttribute('data-count'), String(n));
    await shot('07m-grid-profile');
    await profile.getByRole('button', { name: 'Close' }).click();
  });

  test('the analytics example charts one series per device type; dates get a time axis; limits are told', async () => {
    await page.getByRole('button', { name: 'Examples', exact: true }).click();
    await page.locator('[data-example="Events by country and device"]').click();
    const example = 'SELECT country, device_type, COUNT(*) AS events\nFROM fake_analytics\nGROUP BY country, device_type\nORDER BY country, device_type';
    await waitForResult(example);
    await page.getByRole('button', { name: 'Chart', exact: true }).click();
    const chart = page.getByTestId('result-chart');
    await chart.waitFor();
    await page.locator('.chart-loading').waitFor({ state: 'detached' });
    const devices = (await call('POST', '/execute', { query: 'SELECT DISTINCT device_type FROM fake_analytics ORDER BY 1' })).body.data.rows.map((r) => r.device_type);
    assert.ok(devices.length >= 2);
    assert.deepEqual((await chart.getAttribute('data-series')).split('|').sort(), devices);
    assert.equal(await page.getByLabel('x axis').inputValue(), 'country');
    assert.equal(await page.getByLabel('Series', { exact: true }).inputValue(), 'device_type');
    await page.getByTestId('chart-note').filter({ hasText: /^Charting all 60 rows\.$|^Charting all \d+ rows\.$/ }).waitFor();
    await shot('07j-chart-analytics');

    // Dates: a time axis, over the whole result (not just the page).
    await page.getByRole('button', { name: 'Examples', exact: true }).click();
    await page.locator('[data-example="Orders per day"]').click();
    await page.waitForFunction(() => document.querySelector('.results-panel').dataset.query?.startsWith('SELECT CAST(order_date'));
    await page.locator('.results-panel[aria-busy=false]').waitFor();
    await chart.waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid=result-chart]')?.dataset.x === 'time');
    const days = Number((await page.getByTestId('result-total').textContent()).replace(/\D/g, ''));
    assert.ok(days > 100);
    await page.getByTestId('chart-note').filter({ hasText: `Charting all ${days.toLocaleString('en-US')} rows.` }).waitFor();
    await page.locator('.chart-loading').waitFor({ state: 'detached' });
    await shot('07k-chart-time-axis');

    // More rows than a chart takes: it says so.
    const many = 'SELECT range AS n, range % 97 AS m FROM range(12000)';
    await runQuery(many);
    await waitForResult(many);
    await page.getByTestId('chart-note').filter({ hasText: 'Charting the first 10,000 of 12,000 rows.' }).waitFor();

    // Nothing numeric: the reason, in words.
    const words = "SELECT 'a' AS letter, 'b' AS other";
    await runQuery(words);
    await waitForResult(words);
    const problem = page.getByTestId('chart-problem');
    await problem.waitFor();
    assert.match(await problem.textContent(), /needs a numeric column/);
    assert.ok(await problem.isVisible());
    await page.getByRole('button', { name: 'Grid', exact: true }).click();
  });

  test('dark mode follows the system and the toggle; text meets a contrast of 4.5:1 in both themes', async () => {
    const query = "SELECT NULL::VARCHAR AS nothing, 'text' AS words, 42::BIGINT AS answer, DATE '2025-01-01' AS day FROM range(12)";
    await runQuery(query);
    await waitForResult(query);
    await page.getByRole('button', { name: 'History', exact: true }).click();
    const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const check = async (theme) => {
      const failures = await page.evaluate(lowContrast);
      assert.deepEqual(failures, [], `${theme}: text below 4.5:1`);
    };
    // The check finds what it should: the old row-number grey on white (2.5:1).
    await page.evaluate(() => {
      const el = document.createElement('p');
      el.id = 'contrast-probe';
      el.textContent = 'probe text';
      el.style.cssText = 'color: #98a2b3; background: #fff; position: fixed; top: 0; left: 0;';
      document.body.append(el);
    });
    const probe = await page.evaluate(lowContrast);
    await page.evaluate(() => document.getElementById('contrast-probe').remove());
    assert.ok(probe.some((f) => f.startsWith('probe text: 2.')), JSON.stringify(probe));
    await page.emulateMedia({ colorScheme: 'light' });
    await check('light');
    await shot('21-theme-light');

    // The system's dark setting is followed while nothing was chosen.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction(() => getComputedStyle(document.documentElement).backgroundColor !== 'rgb(244, 246, 249)');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme ?? null), null);
    const darkBg = await bg();
    await check('dark (system)');
    await shot('22-theme-dark');
    // The toggle chooses light, kept for the next visit; toggling back follows the system again.
    const toggle = page.getByRole('button', { name: 'Dark mode' });
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    await toggle.click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
    assert.equal(await page.evaluate(() => localStorage.getItem('superstore.theme')), 'light');
    assert.notEqual(await bg(), darkBg);
    await page.emulateMedia({ colorScheme: 'light' });
    await toggle.click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await check('dark (chosen)');
    await page.getByRole('button', { name: 'Chart', exact: true }).click();
    await page.locator('.chart-loading').waitFor({ state: 'detached' });
    await shot('23-theme-dark-chart');
    await page.getByRole('button', { name: 'Grid', exact: true }).click();
    await toggle.click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme ?? null), null);
    assert.equal(await page.evaluate(() => localStorage.getItem('superstore.theme')), null);
    await page.getByRole('button', { name: 'History', exact: true }).click();
  });

  test('"?" lists the keyboard shortcuts', async () => {
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press('?');
    const dialog = page.getByTestId('shortcuts');
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Esc.*Cancel the running query/);
    await shot('24-shortcuts');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  test('the dev panel resets the fake data after a confirmation', async () => {
    const before = await tableId('fake_orders');
    await page.getByRole('link', { name: 'Dev data' }).click();
    const status = page.getByTestId('fake-data-status');
    await status.locator('tr[data-table=fake_orders] .badge-ok').waitFor();
    await shot('08-dev-panel');

    await page.getByRole('button', { name: 'Reset fake data…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await shot('09-dev-reset-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await tableId('fake_orders'), before, 'cancel leaves the data alone');

    await page.getByRole('button', { name: 'Reset fake data…' }).click();
    await dialog.getByRole('button', { name: 'Reset' }).click();
    await page.locator('.notice-success').filter({ hasText: 'Fake data reset' }).waitFor({ timeout: 120_000 });
    const afterId = await tableId('fake_orders');
    assert.ok(afterId !== null && afterId !== before, `fake_orders was recreated (${before} → ${afterId})`);
    // The status table shows the new tables, and the sidebar follows: its ⓘ link points at the new table.
    await status.locator(`tr[data-table=fake_orders] a[href="#/table/${afterId}"]`).waitFor();
    await page.locator('.dev-view .results-frame:not(.is-loading)').waitFor();
    await page.locator(`a.table-info[href="#/table/${afterId}"]`).waitFor();
    await shot('10-dev-after-reset');

    // The old table's page says it was dropped and offers no query (its name now reaches the new one).
    await page.goto(`${baseUrl}/#/table/${before}`);
    await page.getByTestId('dropped-note').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Query this table' }).count(), 0);
    await page.goto(`${baseUrl}/#/table/${afterId}`);
    await page.getByRole('button', { name: 'Query this table' }).click();
    await waitForResult('SELECT * FROM fake_orders LIMIT 100');
    await page.getByRole('link', { name: 'Dev data' }).click();
    await status.locator(`tr[data-table=fake_orders] a[href="#/table/${afterId}"]`).waitFor();
  });

  test('the spec editor starts from the example and previews its rows with Ctrl+Enter', async () => {
    await page.getByRole('heading', { name: 'Tables from a spec' }).waitFor();
    const editor = page.getByTestId('spec-input');
    await editor.waitFor();
    // Nothing typed yet: the example is there.
    await page.locator('[data-testid=spec-editor] .cm-line').filter({ hasText: 'name: fake_subscriptions' }).waitFor();
    assert.equal(await page.locator('[data-testid=spec-editor] .cm-line').count(), SPEC.split('\n').length);

    await typeSpec(SPEC);
    await page.keyboard.press('Control+Enter');
    const expected = await callSpec('/dev/fake-tables/preview?rows=20', SPEC);
    assert.equal(expected.status, 200);
    const [table] = expected.body.tables;
    assert.equal(table.name, 'fake_subscriptions');

    const shown = page.locator('.spec-preview-table[data-table=fake_subscriptions]');
    await page.locator('[data-testid=spec-preview-result][aria-busy=false]').waitFor();
    await shown.waitFor();
    const grid = await readSpecGrid('fake_subscriptions');
    assert.deepEqual(grid.columns, SPEC_COLUMNS);
    assert.deepEqual(grid.types, table.columns.map((c) => c.type));
    assert.equal(grid.rows.length, 20);
    // The same rows as the API's (a cell is a pure function of the seed, the spec and the row).
    assert.deepEqual(
      grid.rows,
      table.rows.map((row) => SPEC_COLUMNS.map((c) => (row[c] === null || row[c] === undefined ? 'NULL' : String(row[c])))),
    );
    assert.deepEqual(grid.rows.map((cells) => cells[0]), Array.from({ length: 20 }, (_, i) => String(i + 1)));
    assert.equal(await shown.getByTestId('spec-rows-total').textContent(), table.rows_total.toLocaleString('en-US'));
    assert.equal(table.rows_total, 2000);
    await shown.locator('.badge-partition').filter({ hasText: 'partition plan' }).waitFor();
    assert.deepEqual(await shown.locator('.badge-sort').allTextContents(), ['sort 1 started_at', 'sort 2 id']);
    await shown.getByText('Plans users pay for.').waitFor();

    // Fewer rows on request.
    await page.locator('#spec-preview-rows').selectOption('10');
    await page.getByTestId('spec-preview').click();
    await page.waitForFunction(
      () => document.querySelectorAll('.spec-preview-table[data-table=fake_subscriptions] tbody tr').length === 10,
    );
    await page.locator('#spec-preview-rows').selectOption('20');
    await page.getByTestId('spec-preview').click();
    await page.waitForFunction(
      () => document.querySelectorAll('.spec-preview-table[data-table=fake_subscriptions] tbody tr').length === 20,
    );
    // The text is kept for the next visit.
    assert.equal(await page.evaluate(() => localStorage.getItem('superstore.fakeDataSpec')), SPEC);
    await shown.scrollIntoViewIfNeeded();
    await shot('15-dev-spec-preview');
  });

  test('a broken spec lists its problems and marks the line in the editor', async () => {
    const expected = await callSpec('/dev/fake-tables/preview', BROKEN_SPEC);
    assert.equal(expected.status, 400);
    assert.match(expected.body.error, /^request body:5:\d+: .*no_such_generator/m);
    const problemLines = expected.body.error.split('\n').filter((l) => /^request body:\d+/.test(l));

    await typeSpec(BROKEN_SPEC);
    await page.keyboard.press('Control+Home'); // the cursor away from line 5
    await page.getByTestId('spec-preview').click();
    const box = page.getByTestId('spec-problems');
    await box.waitFor();
    assert.equal(await box.locator('li').count(), problemLines.length);
    const five = box.locator('li[data-line="5"]');
    assert.match(await five.textContent(), /^line 5:\d+ .*no_such_generator/);
    // The server's words, after the position.
    const [, column, words] = /^request body:5:(\d+): (.*)$/m.exec(expected.body.error);
    assert.equal(await five.locator('.problem-pos').textContent(), `line 5:${column}`);
    assert.equal(await five.locator('.problem-text').textContent(), words);
    // No preview is left from before.
    assert.equal(await page.locator('.spec-preview-table').count(), 0);

    // Line 5 is marked, in the text and in the gutter.
    const marked = page.locator('[data-testid=spec-editor] .cm-problem-line');
    await marked.first().waitFor();
    assert.equal(await marked.count(), 1);
    assert.equal(await marked.getAttribute('data-problem-line'), '5');
    assert.match(await marked.textContent(), /no_such_generator/);
    assert.equal((await page.locator('[data-testid=spec-editor] .cm-problem-gutter').textContent()).trim(), '5');

    // "line 5" moves the cursor there.
    await five.locator('.problem-pos').click();
    await page.locator('[data-testid=spec-editor] .cm-activeLine.cm-problem-line').waitFor();
    assert.equal(
      await page.evaluate(() => document.querySelector('[data-testid=spec-editor]').shadowRoot.activeElement?.dataset.testid),
      'spec-input',
    );
    await shot('16-dev-spec-error');

    // Fixed: the marks and the problems go.
    await typeSpec(BROKEN_SPEC.replace('no_such_generator', 'sequence'));
    await page.keyboard.press('Control+Enter');
    await page.locator('.spec-preview-table[data-table=fake_broken]').waitFor();
    await box.waitFor({ state: 'detached' });
    assert.equal(await marked.count(), 0);
  });

  test('create makes the spec\'s tables: they appear in the status list and the tree', async () => {
    assert.equal(await tableId('fake_subscriptions'), null);
    await typeSpec(SPEC);
    const replace = page.getByLabel('Replace existing');
    assert.equal(await replace.isChecked(), false);
    await page.getByTestId('spec-create').click();
    await page.getByTestId('spec-created').filter({ hasText: 'Created fake_subscriptions.' }).waitFor({ timeout: 120_000 });

    const id = await tableId('fake_subscriptions');
    assert.ok(id !== null, 'fake_subscriptions exists');
    const count = await call('POST', '/execute', { query: 'SELECT COUNT(*) AS n, MIN(id) AS lo, MAX(id) AS hi FROM fake_subscriptions' });
    assert.deepEqual(count.body.data.rows[0], { n: 2000, lo: 1, hi: 2000 });

    const row = page.locator('[data-testid=fake-data-status] tr[data-table=fake_subscriptions]');
    await statusRowIdLink('fake_subscriptions', id);
    assert.equal(await row.getAttribute('data-kind'), 'spec');
    assert.equal(await row.locator('.badge-spec').textContent(), 'spec');
    await row.locator('.badge-ok').waitFor();
    assert.equal(await row.getByTestId('spec-changed').count(), 0);
    assert.equal(
      await page.locator('[data-testid=fake-data-status] tr[data-table=fake_orders] .badge').first().textContent(),
      'built-in',
    );
    // The tree has it too.
    await page.locator('.table-name[data-table=fake_subscriptions]').waitFor();
    await page.locator(`a.table-info[href="#/table/${id}"]`).waitFor();
    await page.locator('.dev-view .results-frame:not(.is-loading)').waitFor();
    await shot('17-dev-spec-created');

    // Again without "Replace existing": kept as it is.
    await page.getByTestId('spec-create').click();
    await page.getByTestId('spec-created').filter({ hasText: 'Kept fake_subscriptions' }).waitFor({ timeout: 60_000 });
    assert.equal(await tableId('fake_subscriptions'), id);
  });

  test('"Replace existing" and a reset of one row make the table anew', async () => {
    const before = await tableId('fake_subscriptions');
    const orders = await tableId('fake_orders');
    await page.getByLabel('Replace existing').check();
    await page.getByRole('button', { name: 'Create or replace tables' }).click();
    await page
      .getByTestId('spec-created')
      .filter({ hasText: 'Made fake_subscriptions anew from the spec, replacing 1 old table.' })
      .waitFor({ timeout: 120_000 });
    const replaced = await tableId('fake_subscriptions');
    assert.ok(replaced !== null && replaced !== before, `fake_subscriptions was made anew (${before} → ${replaced})`);
    await statusRowIdLink('fake_subscriptions', replaced);
    await page.locator(`a.table-info[href="#/table/${replaced}"]`).waitFor();
    await page.getByLabel('Replace existing').uncheck();
    await shot('18-dev-spec-replaced');

    // One row's reset, after its own confirmation, touches that table only.
    await page.getByRole('button', { name: 'Reset fake_subscriptions…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Reset fake_subscriptions?' }).waitFor();
    await dialog.getByRole('button', { name: 'Reset' }).click();
    await page.locator('.notice-success').filter({ hasText: 'Reset fake_subscriptions' }).waitFor({ timeout: 120_000 });
    const reset = await tableId('fake_subscriptions');
    assert.ok(reset !== null && reset !== replaced, `fake_subscriptions was reset (${replaced} → ${reset})`);
    assert.equal(await tableId('fake_orders'), orders, 'the other tables stay');
    await statusRowIdLink('fake_subscriptions', reset);
  });

  test('spec files: a changed spec is flagged, and a broken one says why', async () => {
    const file = path.join(specDir, 'plans.yaml');
    writeFileSync(file, FILE_SPEC(50));
    const reopen = async () => {
      await page.goto(`${baseUrl}/#/`);
      await page.locator('.sql-view').waitFor(); // the dev view is gone, so the next one loads anew
      await page.goto(`${baseUrl}/#/dev`);
      await page.locator('.dev-view .results-frame:not(.is-loading)').waitFor();
    };
    await reopen();
    const row = page.locator('[data-testid=fake-data-status] tr[data-table=fake_plans]');
    await row.locator('.badge-missing').waitFor();
    await page.getByRole('button', { name: /Create missing tables/ }).click();
    await row.locator('.badge-ok').waitFor({ timeout: 120_000 });
    assert.equal(await row.getAttribute('data-kind'), 'spec');
    assert.equal(await row.getByTestId('spec-changed').count(), 0);

    writeFileSync(file, FILE_SPEC(60));
    await reopen();
    await row.getByTestId('spec-changed').waitFor();
    const status = (await call('GET', '/dev/fake-data-status')).body;
    assert.equal(status.tables.find((t) => t.name === 'fake_plans').spec_changed, true);
    await row.scrollIntoViewIfNeeded();
    await shot('19-dev-spec-changed');

    // A reset makes it from the spec as it is now.
    await row.getByRole('button', { name: 'Reset fake_plans…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Reset' }).click();
    await page.locator('.notice-success').filter({ hasText: 'Reset fake_plans' }).waitFor({ timeout: 120_000 });
    await page.locator('.dev-view .results-frame:not(.is-loading)').waitFor();
    await row.locator('td.num').nth(0).filter({ hasText: /^60$/ }).waitFor();
    assert.equal(await row.getByTestId('spec-changed').count(), 0);

    writeFileSync(file, FILE_SPEC(60).replace('gen: sequence', 'gen: no_such_generator'));
    await reopen();
    const error = page.getByTestId('spec-error');
    await error.waitFor();
    const expected = (await call('GET', '/dev/fake-data-status')).body.spec_error;
    assert.match(expected, /plans\.yaml:6:\d+: .*no_such_generator/);
    assert.equal((await error.locator('.error-message').textContent()).trim(), expected.trim());
    await page.locator('[data-testid=fake-data-status] tr[data-table=fake_orders]').waitFor(); // built-in tables still listed
    await shot('20-dev-spec-file-error');
    rmSync(file);
    await reopen();
    await error.waitFor({ state: 'detached' });
  });

  test('a phone-width screen works with the table drawer', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${baseUrl}/#/`);
    await page.locator('.cm-content').waitFor();
    await shot('11-phone-sql');
    await page.getByRole('button', { name: 'Tables', exact: true }).click();
    await page.locator('.table-name[data-table=fake_users]').waitFor({ state: 'visible' });
    await page.waitForFunction(() => document.getElementById('sidebar').getBoundingClientRect().left >= 0); // slid in
    await shot('12-phone-drawer');
    await page.locator('.table-name[data-table=fake_users]').click();
    await page.locator('.cm-content').filter({ hasText: 'SELECT * FROM fake_users LIMIT 100' }).waitFor();
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+Enter');
    await waitForResult('SELECT * FROM fake_users LIMIT 100');
    assert.equal((await readGrid()).rows.length, 100);
    await shot('13-phone-result');
    const inView = async (locator) => {
      const box = await locator.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `${locator} lies within the 390 px screen: ${JSON.stringify(box)}`);
    };

    // A Run button to tap, and a Cancel button while it runs.
    const run = page.getByTestId('run-query');
    await inView(run);
    await typeQuery('SELECT sum(a.range * b.range) AS s FROM range(300000) a, range(300000) b');
    await run.tap();
    const cancel = page.getByTestId('cancel-query');
    await cancel.waitFor();
    await inView(cancel);
    await page.getByTestId('elapsed').waitFor();
    await cancel.tap();
    await page.getByTestId('query-notice').filter({ hasText: /^Cancelled after/ }).waitFor();

    // The analytics example's chart fits, axis labels and all.
    await page.getByRole('button', { name: 'Examples', exact: true }).tap();
    await page.locator('[data-example="Events by country and device"]').tap();
    await page.locator('.results-panel[aria-busy=false]').waitFor();
    await page.getByRole('button', { name: 'Chart', exact: true }).tap();
    await page.locator('.chart-loading').waitFor({ state: 'detached' });
    const chart = page.getByTestId('result-chart');
    await chart.scrollIntoViewIfNeeded();
    await inView(chart);
    await inView(page.locator('.chart-toolbar'));
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(sideways <= 0, `the page scrolls sideways by ${sideways} px`);
    await shot('13a-phone-chart');
    await page.getByRole('button', { name: 'Grid', exact: true }).tap();

    // The dev panel's numbers are on the screen, each with its label.
    await page.goto(`${baseUrl}/#/dev`);
    const numbers = page.locator('[data-testid=fake-data-status] tr[data-table=fake_orders] td.num');
    await numbers.first().waitFor();
    for (let i = 0; i < (await numbers.count()); i++) await inView(numbers.nth(i));
    assert.equal(await numbers.first().evaluate((td) => getComputedStyle(td, '::before').content), '"Rows "');
    await shot('13c-phone-dev-status');

    // The dev panel's spec editor fits too.
    await page.goto(`${baseUrl}/#/dev`);
    await page.getByTestId('spec-input').waitFor();
    await typeSpec(SPEC);
    await page.keyboard.press('Control+Enter');
    await page.locator('.spec-preview-table[data-table=fake_subscriptions] tbody tr').first().waitFor();
    const overflow = await page.evaluate(() =>
      Math.max(
        ...[document.documentElement, document.querySelector('.main')].map((e) => e.scrollWidth - e.clientWidth),
      ),
    );
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
    await page.locator('.spec-preview-table[data-table=fake_subscriptions]').scrollIntoViewIfNeeded();
    await shot('13b-phone-dev-spec');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  test('an ended session leads back to the login form with a message', async () => {
    // Log the page's token out behind its back, as an expiry would.
    const token = await page.evaluate(() => sessionStorage.getItem('superstore.token'));
    const response = await fetch(`${baseUrl}/auth/jwt/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    assert.equal(response.status, 204);
    await page.getByRole('button', { name: 'Reload the list of tables' }).click();
    await page.getByTestId('login-notice').filter({ hasText: /session has ended/ }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('superstore.token')), null);
    await shot('14-login-session-ended');
  });

  test('the page broke no Content-Security-Policy rule and threw nothing', () => {
    assert.deepEqual(cspViolations, []);
    assert.deepEqual(pageErrors, []);
  });
});
