// Stylesheet embedded in report.html: readable on screen and in print, no external fonts,
// so the file stays self-contained and renders the same offline.

export const RUN_REPORT_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body {
  margin: 0; padding: 2.5rem 1.25rem 4rem; background: #f6f7f9; color: #1f2937;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 60rem; margin: 0 auto; }
header { margin-bottom: 2rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 0.4rem; }
.meta { color: #6b7280; margin: 0; }
section {
  background: #fff; border: 1px solid #e5e7eb; border-radius: 10px;
  padding: 1.25rem 1.5rem; margin: 0 0 1.5rem; box-shadow: 0 1px 2px rgba(0, 0, 0, 0.04);
}
h2 { font-size: 1.2rem; margin: 0 0 0.9rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
th, td { text-align: left; padding: 0.4rem 0.75rem; border-bottom: 1px solid #eef0f3; vertical-align: top; }
th { color: #4b5563; font-weight: 600; width: 40%; }
td { font-variant-numeric: tabular-nums; }
tr:last-child th, tr:last-child td { border-bottom: none; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
pre {
  background: #f3f4f6; border-radius: 8px; padding: 1rem 1.1rem; overflow-x: auto;
  font-size: 0.85rem; line-height: 1.45; margin: 0;
}
.chart { overflow-x: auto; text-align: center; }
.chart svg { max-width: 100%; height: auto; }
.pair { display: grid; gap: 1rem; }
ul { margin: 0; padding-left: 1.25rem; }
@media print {
  body { background: #fff; padding: 0; }
  section { box-shadow: none; break-inside: avoid; }
}
`;
