// The SVG charts of "The app's side", written directly (no dependency):
// each side's round trip as a cumulative curve on a log time axis (as
// bench-peers/charts/roundtrip.svg), and bars for the per-side figures.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#7f7f7f"];
const W = 760;
const H = 420;
const M = { left: 60, right: 20, top: 40, bottom: 50 };

const time = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1000).toFixed(1)} µs`);
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function svg(title, body) {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">\n` +
    `<rect width="${W}" height="${H}" fill="white"/>\n` +
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>\n` +
    body +
    "</svg>\n"
  );
}

/** Share of samples at or below each time, per side; x log-scaled in µs. */
function cdf(results) {
  // The axis ends at the largest p99.9: the few slower samples (a shared
  // host's preemptions, up to hundreds of ms) are drawn at its right edge.
  const p999 = (r) => r.latency[Math.min(r.latency.length - 1, Math.floor(r.latency.length * 0.999))];
  const lo = Math.log10(Math.max(1, Math.min(...results.map((r) => r.latency[0])) / 1000));
  const hi = Math.log10(Math.max(...results.map(p999)) / 1000);
  const top = 10 ** Math.ceil(hi);
  const x0 = Math.floor(lo);
  const x1 = Math.ceil(hi);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const px = (us) => M.left + ((Math.log10(Math.min(us, top)) - x0) / (x1 - x0)) * pw;
  const label = (us) => (us >= 1000 ? `${us / 1000} ms` : `${us} µs`);
  const py = (share) => M.top + (1 - share) * ph;
  let body = "";
  for (let d = x0; d <= x1; d++) {
    const x = px(10 ** d);
    body += `<line x1="${x}" y1="${M.top}" x2="${x}" y2="${M.top + ph}" stroke="#ddd"/>\n`;
    body += `<text x="${x}" y="${M.top + ph + 16}" text-anchor="middle">${label(10 ** d)}</text>\n`;
  }
  for (const s of [0, 0.25, 0.5, 0.75, 0.99, 1]) {
    const y = py(s);
    body += `<line x1="${M.left}" y1="${y}" x2="${M.left + pw}" y2="${y}" stroke="#eee"/>\n`;
    body += `<text x="${M.left - 6}" y="${y + 4}" text-anchor="end">${s}</text>\n`;
  }
  body += `<text x="${M.left + pw / 2}" y="${H - 10}" text-anchor="middle">round trip (bench/attest: the app's request, the server's attestation/generate, the answer, the response), log scale</text>\n`;
  results.forEach((r, i) => {
    const n = r.latency.length;
    // At most ~400 points per curve.
    const step = Math.max(1, Math.floor(n / 400));
    const points = [];
    for (let k = 0; k < n; k += step) points.push(`${px(r.latency[k] / 1000).toFixed(1)},${py((k + 1) / n).toFixed(1)}`);
    points.push(`${px(r.latency[n - 1] / 1000).toFixed(1)},${py(1).toFixed(1)}`);
    const color = COLORS[i % COLORS.length];
    body += `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(" ")}"/>\n`;
    body += `<rect x="${M.left + 10}" y="${M.top + 8 + i * 18}" width="12" height="12" fill="${color}"/>`;
    body += `<text x="${M.left + 28}" y="${M.top + 18 + i * 18}">${esc(r.name)}: p50 ${time(r.p50)}, p99 ${time(r.p99)}</text>\n`;
  });
  return svg("The app's side: round trip, share of samples at or below", body);
}

/** One panel of horizontal bars per figure, every side in each. */
function bars(results) {
  const panels = [
    { title: "round trips/s, 10,000 in flight (more is better)", value: (r) => r.perSecond, fmt: (v) => Math.round(v).toLocaleString("en-US") },
    { title: "CPU ms per 100,000 messages (less is better)", value: (r) => r.cpuPer100k / 1000, fmt: (v) => v.toFixed(1) },
    { title: "heap bytes per pending request (less is better)", value: (r) => r.heapPerPending, fmt: (v) => Math.round(v).toLocaleString("en-US") },
    { title: "1 MiB line in 64 KiB chunks, CPU ms (less is better)", value: (r) => r.line.cpuNs / 1e6, fmt: (v) => v.toFixed(2) },
  ];
  const rowH = 16;
  const panelH = 26 + results.length * rowH + 14;
  const height = M.top + panels.length * panelH;
  const labelW = 230;
  const barW = W - labelW - 110;
  let body = "";
  panels.forEach((panel, p) => {
    const top = M.top + p * panelH;
    body += `<text x="10" y="${top + 14}" font-weight="bold">${esc(panel.title)}</text>\n`;
    const max = Math.max(...results.map(panel.value));
    results.forEach((r, i) => {
      const v = panel.value(r);
      const y = top + 24 + i * rowH;
      const w = max > 0 ? (v / max) * barW : 0;
      body += `<text x="${labelW - 6}" y="${y + 11}" text-anchor="end">${esc(r.name)}</text>`;
      body += `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${rowH - 4}" fill="${COLORS[i % COLORS.length]}"/>`;
      body += `<text x="${labelW + w + 6}" y="${y + 11}">${panel.fmt(v)}</text>\n`;
    });
  });
  return svg("The app's side: throughput, CPU, memory, the long line", body).replace(
    new RegExp(`height="${H}"`, "g"),
    `height="${height}"`,
  ).replace(`viewBox="0 0 ${W} ${H}"`, `viewBox="0 0 ${W} ${height}"`);
}

export function writeCharts(dir, results) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "roundtrip.svg"), cdf(results));
  writeFileSync(join(dir, "figures.svg"), bars(results));
}
