import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../ts/api/errors.js';
import { confusionMatrix } from '../../ts/report/confusion-matrix.js';
import { sklearnFixtures } from './sklearn-fixtures.js';

describe('confusionMatrix matches scikit-learn', () => {
  for (const c of sklearnFixtures.cases) {
    it(c.name, () => {
      const cm = confusionMatrix(c.yTrue, c.yPred, c.labels ? { labels: c.labels } : {});
      expect(cm.labels).toEqual(c.confusion.labels);
      expect(cm.matrix).toEqual(c.confusion.matrix);
    });
  }
});

describe('confusionMatrix', () => {
  it('puts true labels in rows and predictions in columns', () => {
    const cm = confusionMatrix([0, 0, 1, 2], [0, 1, 1, 1]);
    expect(cm.matrix).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [0, 1, 0],
    ]);
  });

  it('renders an aligned text table', () => {
    const cm = confusionMatrix([0, 0, 10, 10, 10], [0, 10, 10, 10, 10]);
    expect(cm.text).toBe(['true \\ pred   0  10', '          0   1   1', '         10   0   3', ''].join('\n'));
    const widths = new Set(cm.text.trimEnd().split('\n').map((l) => l.length));
    expect(widths.size).toBe(1);
  });

  it('validates its input', () => {
    expect(() => confusionMatrix([0, 1], [0])).toThrow(ShapeError);
    expect(() => confusionMatrix([0, 1], [0])).toThrow(/confusionMatrix: argument yPred must have the same length as yTrue \(2\)/);
    expect(() => confusionMatrix([0, -0.5], [0, 1])).toThrow(ValueError);
    expect(() => confusionMatrix([0, 1], [0, 1], { labels: [2, 2] })).toThrow(/confusionMatrix: argument options.labels must not repeat/);
  });
});
