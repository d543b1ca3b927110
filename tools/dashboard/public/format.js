// How the page writes numbers, times, periods and colours.
import { pageLocale } from './locale.js';

export function formatValue(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(a >= 1e10 ? 0 : 1)}G`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(a >= 1e5 ? 0 : 1)}k`;
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  return String(Number(v.toPrecision(3)));
}

/** '#1f77b4' mixed with white by `amount` (opaque, so stacked fills do not blend into grey). */
export function lighten(hex, amount) {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) return hex;
  const n = parseInt(m[1], 16);
  const mix = (c) => Math.round(c + (255 - c) * amount);
  return `rgb(${mix(n >> 16)}, ${mix((n >> 8) & 255)}, ${mix(n & 255)})`;
}

const pad2 = (n) => String(n).padStart(2, '0');

/** x-axis labels in local 24 h time: seconds only when ticks are closer than a minute, the date when they span days. */
export function timeTicks(_u, splits, _axis, _space, incr) {
  return splits.map((t) => {
    const d = new Date(t * 1000);
    const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
    if (incr >= 86400) return `${d.getMonth() + 1}/${d.getDate()}`;
    return incr < 60 ? `${hm}:${pad2(d.getSeconds())}` : hm;
  });
}

export function periodText(p) {
  return p < 60 ? `${p} s` : p % 3600 === 0 ? `${p / 3600} h` : `${p / 60} min`;
}

/** The local wall-clock time of `ms` as a datetime-local input takes it. */
export function toLocalInput(ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19);
}

/** hh:mm:ss in the page's locale, 24 h. */
export function clockTime(date) {
  return date.toLocaleTimeString(pageLocale, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
}
