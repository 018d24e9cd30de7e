// Loads the scikit-learn reference cases written by scripts/fixtures/gen_sklearn_reports.py.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface FixtureScores {
  precision: number;
  recall: number;
  f1Score: number;
  support: number;
}

export interface SklearnCase {
  name: string;
  digits: number;
  targetNames: string[] | null;
  labels: number[] | null;
  yTrue: number[];
  yPred: number[];
  text: string;
  classes: (FixtureScores & { label: string })[];
  accuracy: number;
  accuracyRow: boolean;
  microAvg: FixtureScores | null;
  macroAvg: FixtureScores;
  weightedAvg: FixtureScores;
  confusion: { labels: number[]; matrix: number[][] };
}

const path = fileURLToPath(new URL('../fixtures/sklearn/classification-reports.json', import.meta.url));

export const sklearnFixtures: { sklearnVersion: string; cases: SklearnCase[] } = JSON.parse(readFileSync(path, 'utf8'));
