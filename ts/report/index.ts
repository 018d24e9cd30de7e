// Browser-safe entry of the reporting module (no Node built-ins). File output lives in
// ./write.js, which Node users import separately.

export {
  classificationReport,
  type AverageScores,
  type ClassScores,
  type ClassificationReport,
  type ClassificationReportOptions,
} from './classification-report.js';
export { confusionMatrix, confusionMatrixText, type ConfusionMatrix, type ConfusionMatrixOptions } from './confusion-matrix.js';
export { runReportHtml, runReportMarkdown, type RunReport } from './run-report.js';
export { barChartSvg, type BarChartOptions } from './svg/bar-chart.js';
export { confusionMatrixSvg, type HeatmapOptions } from './svg/heatmap.js';
export { lineChartSvg, type LineChartOptions, type LineSeries } from './svg/line-chart.js';
