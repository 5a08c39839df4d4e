/**
 * Text lines from a DB (Differentiable Binarization) probability map, as PaddleOCR's DBPostProcess finds them:
 * threshold the map, take each connected region, fit a rectangle to it, keep it when the map is confident
 * inside, and grow it back by the margin the model was trained to shrink text by ("unclip").
 *
 * PaddleOCR fits cv2.minAreaRect to each contour and grows it with a polygon offset (pyclipper); here the
 * rectangle's direction comes from the region's second moments and its extent from projecting the region's
 * pixels, which gives the same rectangle for the long thin regions text lines make, with no OpenCV. Pure.
 */
import type { RotatedBox } from './raster.js';

export interface DbOptions {
  /** Probability above which a pixel is text (PaddleOCR det_db_thresh: 0.3). */
  threshold: number;
  /** Mean probability a box needs to be kept (det_db_box_thresh: 0.6). */
  boxThreshold: number;
  /** How far the box is grown back, as area × ratio / perimeter (det_db_unclip_ratio: 1.5). */
  unclipRatio: number;
  /** Regions kept at most (max_candidates: 1000). */
  maxCandidates: number;
  /** Shortest side a box may have before growing (min_size: 3). */
  minSize: number;
}

export const DB_DEFAULTS: DbOptions = { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, maxCandidates: 1000, minSize: 3 };

interface Region {
  count: number;
  sx: number;
  sy: number;
  sxx: number;
  syy: number;
  sxy: number;
  angle: number;
  uMin: number;
  uMax: number;
  vMin: number;
  vMax: number;
}

/** Labels the 8-connected regions of `mask` (1 = text); returns the label of each pixel (0: none) and the count. */
export function labelRegions(mask: Uint8Array, width: number, height: number): { labels: Int32Array; count: number } {
  const labels = new Int32Array(width * height);
  const parent: number[] = [0];
  const find = (a: number): number => {
    let r = a;
    while (parent[r] !== r) r = parent[r] as number;
    // Path compression keeps later look-ups short.
    while (parent[a] !== r) {
      const next = parent[a] as number;
      parent[a] = r;
      a = next;
    }
    return r;
  };
  const union = (a: number, b: number): number => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return ra;
    const [lo, hi] = ra < rb ? [ra, rb] : [rb, ra];
    parent[hi] = lo;
    return lo;
  };
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = y * width + x;
      if (!mask[i]) continue;
      let label = 0;
      // Neighbours already visited: left, and the three above.
      const neighbours = [x > 0 ? i - 1 : -1, y > 0 && x > 0 ? i - width - 1 : -1, y > 0 ? i - width : -1, y > 0 && x < width - 1 ? i - width + 1 : -1];
      for (const n of neighbours) {
        const l = n >= 0 ? (labels[n] as number) : 0;
        if (l === 0) continue;
        label = label === 0 ? find(l) : union(label, l);
      }
      if (label === 0) {
        label = parent.length;
        parent.push(label);
      }
      labels[i] = label;
    }
  }
  // Flatten to consecutive labels 1..count.
  const remap = new Int32Array(parent.length);
  let count = 0;
  for (let l = 1; l < parent.length; l += 1) {
    const r = find(l);
    if (remap[r] === 0) remap[r] = ++count;
    remap[l] = remap[r] as number;
  }
  for (let i = 0; i < labels.length; i += 1) if (labels[i]) labels[i] = remap[labels[i] as number] as number;
  return { labels, count };
}

/**
 * Boxes of the text lines in a probability map `prob` (`width × height`, values 0–1), in map pixels.
 */
export function boxesFromProbabilityMap(prob: Float32Array, width: number, height: number, options: DbOptions = DB_DEFAULTS): RotatedBox[] {
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i += 1) mask[i] = (prob[i] as number) > options.threshold ? 1 : 0;
  const { labels, count } = labelRegions(mask, width, height);
  const regions: Region[] = Array.from({ length: count + 1 }, () => ({ count: 0, sx: 0, sy: 0, sxx: 0, syy: 0, sxy: 0, angle: 0, uMin: Infinity, uMax: -Infinity, vMin: Infinity, vMax: -Infinity }));
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const l = labels[y * width + x] as number;
      if (l === 0) continue;
      const r = regions[l] as Region;
      r.count += 1;
      r.sx += x;
      r.sy += y;
      r.sxx += x * x;
      r.syy += y * y;
      r.sxy += x * y;
    }
  }
  for (const r of regions) {
    if (r.count === 0) continue;
    const mx = r.sx / r.count;
    const my = r.sy / r.count;
    const cxx = r.sxx / r.count - mx * mx;
    const cyy = r.syy / r.count - my * my;
    const cxy = r.sxy / r.count - mx * my;
    // Principal axis of the region; a region that is not clearly elongated (a single character) stays level.
    const spread = Math.sqrt((cxx - cyy) ** 2 + 4 * cxy * cxy);
    const major = (cxx + cyy + spread) / 2;
    const minor = (cxx + cyy - spread) / 2;
    let angle = major > 4 * Math.max(minor, 0.25) ? 0.5 * Math.atan2(2 * cxy, cxx - cyy) : 0;
    // Text runs left to right, or top to bottom when vertical.
    if (angle <= -Math.PI / 4) angle += Math.PI;
    r.angle = angle;
  }
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const l = labels[y * width + x] as number;
      if (l === 0) continue;
      const r = regions[l] as Region;
      const c = Math.cos(r.angle);
      const s = Math.sin(r.angle);
      const u = x * c + y * s;
      const v = -x * s + y * c;
      if (u < r.uMin) r.uMin = u;
      if (u > r.uMax) r.uMax = u;
      if (v < r.vMin) r.vMin = v;
      if (v > r.vMax) r.vMax = v;
    }
  }
  const boxes: RotatedBox[] = [];
  const candidates = regions
    .map((r, label) => ({ r, label }))
    .filter(({ r }) => r.count > 0)
    .sort((a, b) => b.r.count - a.r.count)
    .slice(0, options.maxCandidates);
  for (const { r } of candidates) {
    const w = r.uMax - r.uMin + 1;
    const h = r.vMax - r.vMin + 1;
    if (Math.min(w, h) < options.minSize) continue;
    const c = Math.cos(r.angle);
    const s = Math.sin(r.angle);
    const uc = (r.uMin + r.uMax) / 2;
    const vc = (r.vMin + r.vMax) / 2;
    const box: RotatedBox = { cx: uc * c - vc * s, cy: uc * s + vc * c, width: w, height: h, angle: r.angle, score: 0 };
    box.score = meanInside(prob, width, height, box);
    if (box.score < options.boxThreshold) continue;
    const grow = (w * h * options.unclipRatio) / (2 * (w + h));
    const grown = { ...box, width: w + 2 * grow, height: h + 2 * grow };
    if (Math.min(grown.width, grown.height) < options.minSize + 2) continue;
    boxes.push(grown);
  }
  return boxes;
}

/** Mean of the map inside the (ungrown) rectangle: PaddleOCR's box score. */
function meanInside(prob: Float32Array, width: number, height: number, box: RotatedBox): number {
  const c = Math.cos(box.angle);
  const s = Math.sin(box.angle);
  const hw = box.width / 2;
  const hh = box.height / 2;
  const ex = Math.abs(c * hw) + Math.abs(s * hh);
  const ey = Math.abs(s * hw) + Math.abs(c * hh);
  let sum = 0;
  let n = 0;
  for (let y = Math.max(0, Math.floor(box.cy - ey)); y <= Math.min(height - 1, Math.ceil(box.cy + ey)); y += 1) {
    for (let x = Math.max(0, Math.floor(box.cx - ex)); x <= Math.min(width - 1, Math.ceil(box.cx + ex)); x += 1) {
      const dx = x - box.cx;
      const dy = y - box.cy;
      if (Math.abs(dx * c + dy * s) > hw || Math.abs(-dx * s + dy * c) > hh) continue;
      sum += prob[y * width + x] as number;
      n += 1;
    }
  }
  return n === 0 ? 0 : sum / n;
}
