// The notes of the experiments report. Every number and every verdict in them comes from the
// runs of this report: a comparison is stated only when both of its runs are here, and words
// like "agree" or "lands on" only when the measured figures are within TOLERANCE.

import type { ExperimentResult, ExperimentsReportInput } from './experiments-report.js';
import { formatSeconds } from './progress.js';
import { REPORT_FIGURES, REPORT_L2_ALPHA } from './reference.js';

/** How far an accuracy may be from the report's two-decimal figure and still "match". */
export const TOLERANCE = 0.02;

type Runs = Map<string, ExperimentResult>;

const acc = (x: number) => x.toFixed(4);
const within = (a: number, b: number) => Math.abs(a - b) <= TOLERANCE;

export function experimentNotes(input: ExperimentsReportInput): string[] {
  const out: string[] = [];
  const ok: Runs = new Map(input.results.filter((r) => !r.error).map((r) => [r.def.id, r]));
  if (input.quick) {
    out.push('Quick mode: 10,000 training images (2,000 of them for validation) and a fifth of the epochs, so the accuracies are far below the full runs and are not comparable with the report. Run without --quick for the real comparison.');
  }
  for (const r of input.results) if (r.error) out.push(`${r.def.id} failed: ${r.error}`);
  if (!input.quick) {
    for (const r of ok.values()) {
      const line = againstReport(r, ok);
      if (line) out.push(line);
    }
    const step = smallerStepNote(ok);
    if (step) out.push(step);
  }
  const other = otherExperimentsNote(ok);
  if (other) out.push(other);
  const l2 = l2Note(ok);
  if (l2) out.push(l2);
  const beyond = ok.get('beyond');
  if (beyond) {
    const verdict = input.quick ? ' (quick mode: not the full recipe)' : beyond.testAccuracy >= 0.98 ? ', above the 98% target' : ', short of the 98% target';
    out.push(`Beyond the report: ${beyond.def.about} Test accuracy ${(100 * beyond.testAccuracy).toFixed(2)}%${verdict}.`);
  }
  const base = ok.get('baseline');
  if (base && !input.quick) {
    out.push(`Time: the report's baseline took about 44 minutes on an 8-core CPU; ours took ${formatSeconds(base.trainSeconds)} on ${input.cpu}.`);
  }
  const tfRelu = ok.get('tfjs-relu');
  const relu = ok.get('relu');
  if (tfRelu && relu) {
    out.push(`Speed: mlp-wasm trained the ReLU network at ${Math.round(relu.samplesPerSecond).toLocaleString('en-US')} samples/s, TensorFlow.js (${tfRelu.engine}) at ${Math.round(tfRelu.samplesPerSecond).toLocaleString('en-US')} samples/s (${(relu.samplesPerSecond / tfRelu.samplesPerSecond).toFixed(1)}× slower).`);
  }
  const first = input.results.find((r) => !r.error);
  if (first) out.push(dataNote(first));
  if (input.interrupted) out.push('This run was interrupted (Ctrl-C): the table covers only the experiments that finished.');
  return out;
}

/** One run beside the report's figure for it, with what the other runs here say about the gap. */
function againstReport(r: ExperimentResult, ok: Runs): string | null {
  const fig = r.def.reference && r.config.dataset === 'mnist' ? REPORT_FIGURES[r.def.reference] : null;
  if (!fig || (fig.testAccuracy === undefined && fig.trainAccuracy === undefined)) return null;
  const checks: string[] = [];
  if (fig.testAccuracy !== undefined) checks.push(compare('test accuracy', r.testAccuracy, fig.testAccuracy));
  if (fig.trainAccuracy !== undefined) checks.push(compare('training accuracy', r.trainAccuracy, fig.trainAccuracy));
  if (fig.trainLoss !== undefined && r.finalTrainLoss !== null && r.finalValLoss !== null) {
    checks.push(`final losses ${r.finalTrainLoss.toFixed(4)} / ${r.finalValLoss.toFixed(4)} vs ${fig.trainLoss} / ${fig.valLoss}`);
  }
  const far = [[r.testAccuracy, fig.testAccuracy], [r.trainAccuracy, fig.trainAccuracy]].some(([a, b]) => b !== undefined && !within(a!, b));
  return `${r.def.id} (against the report's ${fig.label}, section ${fig.section}): ${checks.join('; ')}: ${far ? `more than ±${TOLERANCE} apart.` : `within ±${TOLERANCE}.`}${explain(r, ok)}`;
}

function explain(r: ExperimentResult, ok: Runs): string {
  switch (r.def.id) {
    case 'baseline':
      return baselineChecks(r, ok);
    case 'tfjs':
    case 'pytorch':
    case 'tfjs-relu': {
      const ours = ok.get(r.def.id === 'tfjs-relu' ? 'relu' : 'baseline');
      if (!ours) return '';
      const gap = r.testAccuracy - ours.testAccuracy;
      const verdict = within(r.testAccuracy, ours.testAccuracy) ? `the two engines agree within ±${TOLERANCE}` : `the two engines differ by ${gap >= 0 ? '+' : ''}${gap.toFixed(3)}`;
      return ` Ours with the same settings: ${acc(ours.testAccuracy)}: ${verdict}.${r.def.id === 'tfjs-relu' ? '' : ' (The report\'s PyTorch figure, 0.94, equals its ReLU figure, not its baseline\'s.)'}`;
    }
    case 'tanh-eta-0.001':
    case 'relu-eta-0.001':
    case 'baseline-eta-0.001':
      return ' (eta 0.001 instead of the report\'s stated 0.01.)';
    case 'l2':
      return ' The report\'s alpha is cut off in its text; see the note on alpha below.';
    default:
      return '';
  }
}

/** What the diagnostic runs here say about the baseline's distance from the report. */
function baselineChecks(base: ExperimentResult, ok: Runs): string {
  const parts: string[] = [];
  const seeds = [base, ...[2, 3, 4, 5].map((s) => ok.get(`baseline-seed-${s}`))].filter((r): r is ExperimentResult => r !== undefined);
  const report = REPORT_FIGURES.baseline.testAccuracy!;
  if (seeds.length > 1) {
    const values = seeds.map((r) => r.testAccuracy);
    const [lo, hi] = [Math.min(...values), Math.max(...values)];
    const allAbove = values.every((v) => v - report > TOLERANCE);
    parts.push(`${seeds.length} seeds give ${acc(lo)}–${acc(hi)} test accuracy${allAbove ? ', all above the report\'s figure: not seed noise' : ''}`);
  }
  const variants: [string, string][] = [['baseline-gaussian', 'Gaussian initial weights'], ['baseline-per-pixel', 'per-pixel standardisation'], ['baseline-no-standardisation', 'no standardisation'], ['baseline-eta-0.001', 'eta 0.001']];
  const measured = variants.filter(([id]) => ok.has(id)).map(([id, what]) => `${what} ${acc(ok.get(id)!.testAccuracy)}`);
  if (measured.length) parts.push(measured.join(', '));
  for (const [id, name] of [['tfjs', 'TensorFlow.js'], ['pytorch', 'PyTorch']] as const) {
    const peer = ok.get(id);
    if (peer) parts.push(`${name} with the same settings ${acc(peer.testAccuracy)}`);
  }
  const epoch = epochReaching(base, REPORT_FIGURES.baseline.trainLoss!);
  if (epoch !== null) parts.push(`our training loss first falls to the report's final ${REPORT_FIGURES.baseline.trainLoss} after about ${epoch.toFixed(1)} of its ${base.config.epochs} epochs`);
  return parts.length ? ` Here: ${parts.join('; ')}.` : '';
}

/** The epoch (fractional) at which a run's logged training loss first reaches `target`. */
function epochReaching(r: ExperimentResult, target: number): number | null {
  const at = r.history.trainLoss.findIndex((l) => l <= target);
  return at < 0 ? null : r.history.iteration[at]! / r.batchesPerEpoch;
}

/** Whether a ten times smaller learning rate accounts for the report's figures, run by run. */
function smallerStepNote(ok: Runs): string | null {
  const pairs = (['tanh', 'relu', 'baseline'] as const).map((id) => ({ id, slow: ok.get(`${id}-eta-0.001`), fig: REPORT_FIGURES[id] })).filter((p) => p.slow);
  if (pairs.length === 0) return null;
  const lines = pairs.map(({ id, slow, fig }) => {
    const lands = within(slow!.testAccuracy, fig.testAccuracy!) && within(slow!.trainAccuracy, fig.trainAccuracy!);
    const losses = slow!.finalTrainLoss !== null && slow!.finalValLoss !== null ? `, final losses ${slow!.finalTrainLoss.toFixed(4)} / ${slow!.finalValLoss.toFixed(4)} vs ${fig.trainLoss} / ${fig.valLoss}` : '';
    return `${id} ${acc(slow!.testAccuracy)} test, ${acc(slow!.trainAccuracy)} train vs ${fig.testAccuracy} / ${fig.trainAccuracy}${losses} (${lands ? '' : 'not '}within ±${TOLERANCE})`;
  });
  const landing = pairs.filter(({ slow, fig }) => within(slow!.testAccuracy, fig.testAccuracy!) && within(slow!.trainAccuracy, fig.trainAccuracy!)).map((p) => p.id);
  const missing = pairs.filter((p) => !landing.includes(p.id)).map((p) => p.id);
  const verdict = missing.length === 0
    ? 'each lands on the report\'s figures, as if its runs had made a tenth of the progress per step.'
    : landing.length === 0
      ? 'none lands on the report\'s figures: a smaller step does not explain them.'
      : `${landing.join(' and ')} land${landing.length === 1 ? 's' : ''} on the report's figures but ${missing.join(' and ')} do${missing.length === 1 ? 'es' : ''} not, so a smaller step alone does not explain the report.`;
  return `The same runs with eta 0.001 instead of 0.01: ${lines.join('; ')}: ${verdict}`;
}

function otherExperimentsNote(ok: Runs): string | null {
  const base = ok.get('baseline');
  const other = [...ok.values()].filter((r) => r.def.group === 'other');
  if (other.length === 0 || !base) return null;
  const better = other.filter((r) => r.testAccuracy > base.testAccuracy + 0.005);
  const head = 'Other experiments (section 8; the report gives no figures, only that they "did not perform better than the baseline model"): ';
  return head + (better.length === 0
    ? 'none of ours beat the baseline either.'
    : `unlike the report's, ${better.map((r) => `${r.def.id} (${acc(r.testAccuracy)})`).join(', ')} beat our baseline's ${acc(base.testAccuracy)}.`);
}

/** The chosen alpha, and every other alpha measured here, against the report's 0.78. */
function l2Note(ok: Runs): string | null {
  const runs = [...ok.values()].filter((r) => r.config.regularization?.kind === 'l2' && r.config.activation === 'relu' && r.config.optimizer === 'gd' && (r.def.id === 'l2' || r.def.id.startsWith('l2-alpha-')));
  if (runs.length === 0) return null;
  const target = REPORT_FIGURES.l2.trainAccuracy!;
  const sweep = runs.sort((a, b) => a.config.regularization!.alpha - b.config.regularization!.alpha).map((r) => `${acc(r.trainAccuracy)} at ${r.config.regularization!.alpha}`);
  const chosen = ok.get('l2');
  const distance = chosen ? ` At ${REPORT_L2_ALPHA} the training accuracy is ${acc(chosen.trainAccuracy)}, ${within(chosen.trainAccuracy, target) ? `within ±${TOLERANCE} of` : `more than ±${TOLERANCE} from`} the report's ${target}.` : '';
  return `L2 alpha: the report's text breaks off at "alpha = 0.0", so its alpha is 0.0-something. We use ${REPORT_L2_ALPHA} with the penalty (alpha/2)·ΣW² (gradient alpha·W); ` +
    'hand-written NumPy code often adds alpha·ΣW² (gradient 2·alpha·W), under which the report\'s "alpha = 0.09" would be our 0.18. ' +
    `Training accuracy after ${runs[0]!.config.epochs} epochs here: ${sweep.join(', ')}.${distance}`;
}

function dataNote(first: ExperimentResult): string {
  const { train, val, test } = first.sizes;
  return `Every run uses the same data: ${train.toLocaleString('en-US')} training and ${val.toLocaleString('en-US')} validation images (split seed 0) out of ${(train + val).toLocaleString('en-US')}, ` +
    `${test.toLocaleString('en-US')} test images, global standardisation with the training split's mean and standard deviation (unless a run says otherwise); Glorot-uniform initial weights and seed ${first.config.seed} (unless a run says otherwise). ` +
    `"Train acc" is measured on the ${train.toLocaleString('en-US')} training images, as in the report. Losses are the last logged values: the mean training loss since the previous log point ` +
    `(every ${first.config.logEvery} iterations) and the validation loss at the end; with L2 they include the penalty.`;
}

function compare(what: string, ours: number, report: number): string {
  const diff = ours - report;
  return `${what} ${ours.toFixed(4)} vs the report's ${report.toFixed(2)} (${diff >= 0 ? '+' : ''}${diff.toFixed(3)})`;
}
