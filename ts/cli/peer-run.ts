// What a run in another framework (TensorFlow.js, PyTorch) hands back to the experiments:
// the same figures our runs give, so both are reported alike.

export interface PeerRunResult {
  seconds: number;
  samples: number;
  stopped: boolean;
  history: { iteration: number[]; trainLoss: number[]; valLoss: number[] };
  trainPredictions: Int32Array;
  testPredictions: Int32Array;
  finalTrainLoss: number | null;
  finalValLoss: number | null;
}
