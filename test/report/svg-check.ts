// Shared assertion for the SVG tests: a well-formed document with no NaN/undefined leaking
// into it and every positioned element inside the canvas.
import { expect } from 'vitest';
import { parseXml, type XmlDocument } from './xml-check.js';

export function expectCleanSvg(svg: string): XmlDocument {
  const doc = parseXml(svg);
  expect(doc.root.name).toBe('svg');
  expect(doc.root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
  expect(Number(doc.root.attrs.width)).toBeGreaterThan(0);
  expect(Number(doc.root.attrs.height)).toBeGreaterThan(0);
  for (const bad of ['NaN', 'Infinity', 'undefined', 'null', '[object']) expect(svg).not.toContain(bad);
  // every positioned element (and the far corner of every rectangle) lies inside the canvas
  const [w, h] = [Number(doc.root.attrs.width), Number(doc.root.attrs.height)];
  for (const e of doc.elements.slice(1)) {
    for (const key of ['x', 'x1', 'x2', 'cx']) if (key in e.attrs) expect(Number(e.attrs[key])).toBeGreaterThanOrEqual(0);
    for (const key of ['x', 'x1', 'x2', 'cx']) if (key in e.attrs) expect(Number(e.attrs[key])).toBeLessThanOrEqual(w);
    for (const key of ['y', 'y1', 'y2', 'cy']) if (key in e.attrs) expect(Number(e.attrs[key])).toBeGreaterThanOrEqual(0);
    for (const key of ['y', 'y1', 'y2', 'cy']) if (key in e.attrs) expect(Number(e.attrs[key])).toBeLessThanOrEqual(h);
    if (e.name === 'rect') {
      expect(Number(e.attrs.width)).toBeGreaterThanOrEqual(0);
      expect(Number(e.attrs.height)).toBeGreaterThanOrEqual(0);
      expect(Number(e.attrs.x) + Number(e.attrs.width)).toBeLessThanOrEqual(w);
      expect(Number(e.attrs.y) + Number(e.attrs.height)).toBeLessThanOrEqual(h);
    }
  }
  return doc;
}
