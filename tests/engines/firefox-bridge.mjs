// Drives Firefox ESR for the Python tests (tests/engines/firefox.py) through
// puppeteer-core over WebDriver BiDi. One JSON command per stdin line,
// {id, op, ...}; one JSON answer per stdout line, {id, value} or {id, error}.
// Arguments: the colour scheme ("light" or "dark"), the host name whose
// requests may pass (any port; any other request is aborted and recorded), the
// motion preference ("reduce" or "no-preference") and the page's scripts ("on" or
// "off"). Over BiDi, puppeteer emulates media features through CDP only, and
// Firefox 153 ESR lacks emulation.setScriptingEnabled: all are preferences at launch.
import { createInterface } from "node:readline";
import puppeteer from "puppeteer-core";

const [scheme, allowedHost, motion, scripts] = process.argv.slice(2);
const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: process.env.FIREFOX ?? "/usr/bin/firefox-esr",
  headless: true,
  extraPrefsFirefox: {
    // 0 dark, 1 light: what prefers-color-scheme reports to pages.
    "layout.css.prefers-color-scheme.content-override": scheme === "dark" ? 0 : 1,
    // 1: what prefers-reduced-motion: reduce matches; 0: no-preference.
    "ui.prefersReducedMotion": motion === "reduce" ? 1 : 0,
    // The page's own scripts; puppeteer's evaluation still runs.
    "javascript.enabled": scripts !== "off",
    // Lets navigator.clipboard.readText() answer without a user prompt.
    "dom.events.testing.asyncClipboard": true,
  },
});

const pages = new Map();
let nextPage = 1;

async function newPage({ width, height, touch, initScript }) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width, height, hasTouch: Boolean(touch) });
  // A BiDi preload script: it runs in every document before the page's own.
  if (initScript) await page.evaluateOnNewDocument(initScript);
  const record = { context, page, errors: [], outside: [], requested: [], dialogs: [] };
  page.on("dialog", async (dialog) => {
    record.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  page.on("console", (message) => {
    if (message.type() === "error") record.errors.push(message.text());
  });
  page.on("pageerror", (error) => record.errors.push(String(error)));
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const url = new URL(request.url());
    // As Playwright in Chromium: data: URLs, which fetch nothing, are not requests.
    if (url.protocol !== "data:") record.requested.push(request.url());
    if (["http:", "https:"].includes(url.protocol) && url.hostname !== allowedHost) {
      record.outside.push(request.url());
      request.abort();
    } else {
      request.continue();
    }
  });
  pages.set(nextPage, record);
  return nextPage++;
}

const ops = {
  newPage,
  async goto({ page, url, idle }) {
    await page.goto(url, { waitUntil: idle ? "networkidle0" : "load" });
  },
  // `expression` is a complete JavaScript expression; a promise is awaited.
  evaluate: ({ page, expression }) => page.evaluate(expression),
  async press({ page, key }) {
    const keys = key.split("+");
    for (const held of keys.slice(0, -1)) await page.keyboard.down(held);
    await page.keyboard.press(keys.at(-1));
    for (const held of keys.slice(0, -1).reverse()) await page.keyboard.up(held);
  },
  type: ({ page, text }) => page.keyboard.type(text),
  click: ({ page, x, y }) => page.mouse.click(x, y),
  hover: ({ page, x, y }) => page.mouse.move(x, y),
  tap: ({ page, x, y }) => page.touchscreen.tap(x, y),
  screenshot: ({ page }) => page.screenshot({ encoding: "base64" }),
  events: ({ record }) => ({
    errors: record.errors,
    outside: record.outside,
    requested: record.requested,
    dialogs: record.dialogs,
  }),
  async close({ record, pageId }) {
    await record.context.close();
    pages.delete(pageId);
  },
};

function answer(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

answer({ id: 0, value: "ready" });
for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line);
  const record = pages.get(command.page);
  try {
    const value = await ops[command.op]({
      ...command,
      pageId: command.page,
      record,
      page: record?.page,
    });
    answer({ id: command.id, value: value ?? null });
  } catch (error) {
    answer({ id: command.id, error: String(error?.message ?? error) });
  }
}
await browser.close();
