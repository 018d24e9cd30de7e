// Turns what a person drew into an MNIST-style 28x28 image, the way MNIST itself was made:
// the ink is scaled (keeping its aspect ratio) to fit a 20x20 box, anti-aliased, and placed in
// the 28x28 field so that its centre of mass is the centre of the field.
//
// Strokes are kept as points (0..1 in both directions) and re-rendered at the target scale, so
// the pen width in the small image is the same whatever size the digit was drawn at.

export const SIZE = 28;
const BOX = 20;
/** Pen width in 28x28 pixels; MNIST strokes are about 2-3 pixels wide. */
const PEN = 2.4;
/** Supersampling: render at 4x and average 4x4 blocks (anti-aliasing). */
const SS = 4;
/** Drawings smaller than this (fraction of the canvas) are not blown up further. */
const MIN_EXTENT = 0.08;

let scratch = null;

function scratchContext() {
  if (!scratch) {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = SIZE * SS;
    scratch = canvas.getContext('2d', { willReadFrequently: true });
  }
  return scratch;
}

/** Bounding box of every point: [minX, minY, maxX, maxY], or null when there is no ink. */
function bounds(strokes) {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const stroke of strokes) {
    for (const [x, y] of stroke) {
      if (x < minX) minX = x;
      if (y < minY) minY = y;
      if (x > maxX) maxX = x;
      if (y > maxY) maxY = y;
    }
  }
  return minX === Infinity ? null : [minX, minY, maxX, maxY];
}

/** Renders the strokes into the supersampled scratch canvas; returns its grey levels (0..1). */
function render(strokes, scale, offsetX, offsetY) {
  const ctx = scratchContext();
  const n = SIZE * SS;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, n, n);
  ctx.strokeStyle = '#fff';
  ctx.fillStyle = '#fff';
  ctx.lineWidth = PEN * SS;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  const X = (x) => (x * scale + offsetX) * SS;
  const Y = (y) => (y * scale + offsetY) * SS;
  for (const stroke of strokes) {
    if (stroke.length === 1) {
      ctx.beginPath();
      ctx.arc(X(stroke[0][0]), Y(stroke[0][1]), (PEN * SS) / 2, 0, 2 * Math.PI);
      ctx.fill();
      continue;
    }
    ctx.beginPath();
    ctx.moveTo(X(stroke[0][0]), Y(stroke[0][1]));
    for (let i = 1; i < stroke.length; i++) ctx.lineTo(X(stroke[i][0]), Y(stroke[i][1]));
    ctx.stroke();
  }
  const rgba = ctx.getImageData(0, 0, n, n).data;
  const grey = new Float32Array(n * n);
  for (let i = 0; i < grey.length; i++) grey[i] = rgba[i * 4] / 255;
  return grey;
}

/** Centre of mass of a supersampled image, in 28x28 pixel units (the field spans 0..28). */
function centreOfMass(grey) {
  const n = SIZE * SS;
  let sum = 0, sx = 0, sy = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const v = grey[y * n + x];
      sum += v;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
    }
  }
  return sum > 0 ? [sx / sum / SS, sy / sum / SS] : [SIZE / 2, SIZE / 2];
}

/** 4x4 block averages of the supersampled image as 28x28 bytes (0 = background, 255 = ink). */
function downsample(grey) {
  const n = SIZE * SS;
  const out = new Uint8Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      let s = 0;
      for (let dy = 0; dy < SS; dy++) for (let dx = 0; dx < SS; dx++) s += grey[(y * SS + dy) * n + x * SS + dx];
      out[y * SIZE + x] = Math.round((s / (SS * SS)) * 255);
    }
  }
  return out;
}

/**
 * The 784 pixels (row-major, 0-255, white ink on black like MNIST) for `strokes`, a list of
 * strokes, each a list of [x, y] points with 0..1 coordinates. Null when nothing is drawn.
 */
export function strokesToMnist(strokes) {
  const box = bounds(strokes);
  if (!box) return null;
  const [minX, minY, maxX, maxY] = box;
  const extent = Math.max(maxX - minX, maxY - minY, MIN_EXTENT);
  const scale = (BOX - PEN) / extent;
  // First pass: the ink's box centred in the field; then shift so the centre of mass is central.
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  let offsetX = SIZE / 2 - cx * scale;
  let offsetY = SIZE / 2 - cy * scale;
  const [mx, my] = centreOfMass(render(strokes, scale, offsetX, offsetY));
  offsetX += SIZE / 2 - mx;
  offsetY += SIZE / 2 - my;
  return downsample(render(strokes, scale, offsetX, offsetY));
}

/** Paints 28x28 bytes into a (28x28) canvas, e.g. a preview of what the network sees. */
export function paintPixels(canvas, pixels) {
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(SIZE, SIZE);
  for (let i = 0; i < SIZE * SIZE; i++) {
    const v = pixels ? pixels[i] : 0;
    image.data[i * 4] = image.data[i * 4 + 1] = image.data[i * 4 + 2] = v;
    image.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}
