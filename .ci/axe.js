// Accessibility and layout check of web pages in a real browser (after
// ../shared/tools/axe.js of the workplace), in light and dark mode.
// usage: AXE_TOOLS=DIR node .ci/axe.js CHROMIUM light|dark PAGE.html...
//   DIR holds node_modules with puppeteer-core and axe-core (.ci/install-validators puts them in .axe).
// Prints one JSON line per page, at a 390 px wide phone viewport:
//   {file, scheme, violations: [axe rule ids, WCAG 2.x A/AA], overflow: page wider than the viewport, errors: console errors}
const path = require("path");
const dir = process.env.AXE_TOOLS || ".";
const puppeteer = require(path.resolve(dir, "node_modules/puppeteer-core"));
const axeSource = require("fs").readFileSync(path.resolve(dir, "node_modules/axe-core/axe.min.js"), "utf8");
(async () => {
  const [chrome, scheme, ...files] = process.argv.slice(2);
  const browser = await puppeteer.launch({ executablePath: chrome, args: ["--no-sandbox", "--allow-file-access-from-files"] });
  for (const f of files) {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", e => errors.push(String(e)));
    page.on("console", m => { if (m.type() === "error") errors.push(m.text()); });
    page.on("requestfailed", r => errors.push("failed to load " + r.url()));
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
    await page.setViewport({ width: 390, height: 844 });
    await page.goto("file://" + path.resolve(f), { waitUntil: "load" });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    await page.evaluate(axeSource);
    const r = await page.evaluate(async () => await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } }));
    const violations = r.violations.map(v => v.id + " (" + v.nodes.map(n => n.target.join(" ")).slice(0, 3).join(", ") + ")");
    console.log(JSON.stringify({ file: f, scheme, violations, overflow, errors }));
    await page.close();
  }
  await browser.close();
})().catch(e => { console.log(JSON.stringify({ fatal: String(e) })); process.exit(1); });
