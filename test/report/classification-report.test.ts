import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../ts/api/errors.js';
import { classificationReport } from '../../ts/report/classification-report.js';
import { sklearnFixtures, type FixtureScores } from './sklearn-fixtures.js';

const TOL = 1e-12;

function expectScores(actual: FixtureScores, expected: FixtureScores) {
  expect(Math.abs(actual.precision - expected.precision)).toBeLessThanOrEqual(TOL);
  expect(Math.abs(actual.recall - expected.recall)).toBeLessThanOrEqual(TOL);
  expect(Math.abs(actual.f1Score - expected.f1Score)).toBeLessThanOrEqual(TOL);
  expect(actual.support).toBe(expected.support);
}

function reportFor(c: (typeof sklearnFixtures.cases)[number]) {
  return classificationReport(c.yTrue, c.yPred, {
    digits: c.digits,
    ...(c.targetNames ? { targetNames: c.targetNames } : {}),
    ...(c.labels ? { labels: c.labels } : {}),
  });
}

describe('classificationReport matches scikit-learn', () => {
  it('has a meaningful set of fixtures', () => {
    const cases = sklearnFixtures.cases;
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(cases.some((c) => c.yTrue.length >= 1000 && c.confusion.labels.length === 10)).toBe(true);
    expect(cases.some((c) => !c.accuracyRow)).toBe(true);
    expect(cases.some((c) => c.classes.some((k) => k.support === 0))).toBe(true);
    expect(new Set(cases.map((c) => c.digits)).size).toBeGreaterThanOrEqual(4);
  });

  for (const c of sklearnFixtures.cases) {
    it(`text is identical: ${c.name}`, () => {
      expect(reportFor(c).text).toBe(c.text);
    });

    it(`numbers agree: ${c.name}`, () => {
      const r = reportFor(c);
      expect(r.classes.map((k) => k.label)).toEqual(c.classes.map((k) => k.label));
      r.classes.forEach((k, i) => expectScores(k, c.classes[i]!));
      expect(Math.abs(r.accuracy - c.accuracy)).toBeLessThanOrEqual(TOL);
      expectScores(r.macroAvg, c.macroAvg);
      expectScores(r.weightedAvg, c.weightedAvg);
      if (c.microAvg) expectScores(r.microAvg!, c.microAvg);
      else expect(r.microAvg).toBeNull();
      expect(r.totalSupport).toBe(c.macroAvg.support);
    });
  }

  it('accepts typed arrays', () => {
    const c = sklearnFixtures.cases[0]!;
    const r = classificationReport(Int32Array.from(c.yTrue), Float64Array.from(c.yPred), { digits: c.digits });
    expect(r.text).toBe(c.text);
  });
});

describe('classificationReport validates its input', () => {
  it('rejects arrays of different lengths with a ShapeError naming both arguments', () => {
    const call = () => classificationReport([0, 1, 1], [0, 1]);
    expect(call).toThrow(ShapeError);
    expect(call).toThrow(/classificationReport: argument yPred must have the same length as yTrue \(3\), got an array of length 2/);
  });

  it('rejects empty input', () => {
    expect(() => classificationReport([], [])).toThrow(ShapeError);
    expect(() => classificationReport([], [])).toThrow(/classificationReport: .*yTrue.*at least one sample/);
  });

  it('rejects non-integer and non-finite labels', () => {
    expect(() => classificationReport([0, 1.5], [0, 1])).toThrow(ValueError);
    expect(() => classificationReport([0, 1.5], [0, 1])).toThrow(/argument yTrue\[1\] must be an integer class label, got 1.5/);
    expect(() => classificationReport([0, 1], [0, NaN])).toThrow(/argument yPred\[1\] must be an integer class label, got NaN/);
    expect(() => classificationReport([0, 1], ['0', 1] as unknown as number[])).toThrow(/yPred\[0\].*got "0"/);
  });

  it('rejects things that are not arrays', () => {
    expect(() => classificationReport(null as unknown as number[], [0])).toThrow(/argument yTrue must be an array .* got null/);
  });

  it('rejects bad options', () => {
    expect(() => classificationReport([0, 1], [0, 1], { digits: -1 })).toThrow(/options.digits must be an integer from 0 to 20, got -1/);
    expect(() => classificationReport([0, 1], [0, 1], { digits: 1.5 })).toThrow(ValueError);
    expect(() => classificationReport([0, 1], [0, 1], { targetNames: ['a'] })).toThrow(
      /options.targetNames must be 2 strings \(one per label\), got an array of length 1/,
    );
    expect(() => classificationReport([0, 1], [0, 1], { labels: [] })).toThrow(/options.labels must list at least one label/);
    expect(() => classificationReport([0, 1], [0, 1], { labels: [1, 1] })).toThrow(/must not repeat a label, got 1 twice/);
  });
});
