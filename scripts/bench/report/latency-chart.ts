/**
 * The chart of the report, written by hand as SVG: p99 latency (log scale) against offered
 * load, one line per peer, one panel per deployment shape, with the 100 ms bound drawn.
 */
import type { BenchResults } from '../results.ts';
import type { Shape } from '../runner/deployment.ts';
import { peers, type PeerName } from '../runner/peer-catalog.ts';
import { latencyCurve, runsOf } from './aggregate.ts';
import { layoutOf } from '../options.ts';

const PANEL_W = 470;
const PANEL_H = 330;
const MARGIN = { left: 58, right: 16, top: 34, bottom: 46 };
const LEGEND_H = 92;
const Y_MIN = 1;
const Y_MAX = 1000;

const COLORS: Record<PeerName, string> = {
  ws: '#222222',
  'ws-batched': '#999999',
  'ws-redis': '#555555',
  socketio: '#1f77b4',
  'socketio-redis': '#17becf',
  switchboard: '#d62728',
  'switchboard-redis': '#ff7f0e',
  'switchboard-history': '#9467bd',
  'switchboard-chat': '#8c564b',
  'switchboard-chat-redis': '#e377c2',
  'switchboard-chat-history': '#bcbd22',
};

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceStep(max: number): number {
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = [1, 2, 5, 10].find((m) => m * power >= raw) ?? 10;
  return unit * power;
}

function shortNumber(value: number): string {
  if (value >= 1e6) return `${+(value / 1e6).toFixed(1)}M`;
  if (value >= 1e3) return `${+(value / 1e3).toFixed(1)}k`;
  return String(value);
}

function panel(results: BenchResults, shape: Shape, title: string, offsetX: number): string {
  const readers = layoutOf(results.sizes, shape).readersPerRoom;
  const plotW = PANEL_W - MARGIN.left - MARGIN.right;
  const plotH = PANEL_H - MARGIN.top - MARGIN.bottom;
  const curves = results.peers
    .filter((peer) => runsOf(results, shape, peer).length > 0)
    .map((peer) => ({ peer, points: latencyCurve(results, shape, peer).map((p) => ({ x: p.rate * readers, y: p.p99 })) }))
    .filter((curve) => curve.points.length > 0);
  const maxX = Math.max(1, ...curves.flatMap((curve) => curve.points.map((p) => p.x)));
  const step = niceStep(maxX);
  const xMax = Math.ceil(maxX / step) * step;
  const sx = (x: number) => offsetX + MARGIN.left + (x / xMax) * plotW;
  const sy = (y: number) => {
    const clamped = Math.min(Y_MAX, Math.max(Y_MIN, y));
    return MARGIN.top + plotH - ((Math.log10(clamped) - Math.log10(Y_MIN)) / (Math.log10(Y_MAX) - Math.log10(Y_MIN))) * plotH;
  };
  const parts: string[] = [];
  parts.push(`<text x="${offsetX + PANEL_W / 2}" y="20" text-anchor="middle" font-weight="bold">${escapeXml(title)}</text>`);
  for (const tick of [1, 10, 100, 1000]) {
    parts.push(`<line x1="${sx(0)}" x2="${sx(xMax)}" y1="${sy(tick)}" y2="${sy(tick)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${sx(0) - 6}" y="${sy(tick) + 4}" text-anchor="end">${tick}</text>`);
  }
  for (let x = 0; x <= xMax + step / 2; x += step) {
    parts.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${sy(Y_MIN)}" y2="${sy(Y_MIN) + 4}" stroke="#777"/>`);
    parts.push(`<text x="${sx(x)}" y="${sy(Y_MIN) + 17}" text-anchor="middle">${shortNumber(x)}</text>`);
  }
  parts.push(`<rect x="${sx(0)}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#777"/>`);
  parts.push(`<line x1="${sx(0)}" x2="${sx(xMax)}" y1="${sy(100)}" y2="${sy(100)}" stroke="#c00" stroke-dasharray="6 4"/>`);
  parts.push(`<text x="${sx(xMax) - 4}" y="${sy(100) + 14}" text-anchor="end" fill="#c00">p99 bound 100 ms</text>`);
  parts.push(`<text x="${sx(xMax / 2)}" y="${PANEL_H - 8}" text-anchor="middle">offered load, deliveries/s</text>`);
  parts.push(
    `<text transform="translate(${offsetX + 16} ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">p99 latency, ms (log)</text>`,
  );
  if (curves.length === 0) parts.push(`<text x="${sx(xMax / 2)}" y="${sy(1)}" text-anchor="middle" fill="#777">not measured</text>`);
  for (const { peer, points } of curves) {
    const color = COLORS[peer];
    const path = points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of points) parts.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${color}"/>`);
  }
  return parts.join('\n');
}

/** The SVG document. */
export function latencyChart(results: BenchResults): string {
  const width = PANEL_W * 2;
  const height = PANEL_H + LEGEND_H;
  const legend = results.peers.map((peer, index) => {
    const x = 20 + (index % 3) * 310;
    const y = PANEL_H + 18 + Math.floor(index / 3) * 22;
    const label = peer === 'ws' ? `${peers.ws.single.label} (cross-node: ${peers.ws.cross?.label ?? ''})` : peers[peer].single.label;
    return `<line x1="${x}" x2="${x + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${COLORS[peer]}" stroke-width="3"/><text x="${x + 30}" y="${y}">${escapeXml(label)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    panel(results, 'single', 'Fan-out, one node: p99 vs offered load', 0),
    panel(results, 'cross', 'Cross-node fan-out (Redis): p99 vs offered load', PANEL_W),
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
