// Reads built pages as Firefox Reader View does: Mozilla's Readability over
// the page's HTML in jsdom (no scripts run, as when Reader View parses a page).
// Usage: node tests/readers/readability.mjs PAGE.html [PAGE.html ...]
// Prints one JSON object per page: {file, readerable, title, paragraphs, links, text}.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Readability, isProbablyReaderable } from "@mozilla/readability";
import { JSDOM, VirtualConsole } from "jsdom";

const results = [];
for (const file of process.argv.slice(2)) {
  // The page's own address, so relative links resolve as in a browser.
  const dom = new JSDOM(readFileSync(file, "utf-8"), {
    url: pathToFileURL(file).href,
    virtualConsole: new VirtualConsole(), // jsdom's CSS parser warnings are not ours
  });
  const document = dom.window.document;
  const readerable = isProbablyReaderable(document);
  const article = new Readability(document).parse();
  const content = new JSDOM(article?.content ?? "").window.document;
  results.push({
    file,
    readerable,
    title: article?.title ?? null,
    paragraphs: [...content.querySelectorAll("p")].map((p) => p.textContent),
    links: [...content.querySelectorAll("a")].map((a) => [a.textContent, a.getAttribute("href")]),
    text: article?.textContent ?? "",
  });
}
process.stdout.write(JSON.stringify(results));
