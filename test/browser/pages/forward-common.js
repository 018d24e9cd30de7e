// One forward pass with given weights; the same code runs in the browser page (forward.html)
// and in plain Node (../node-forward.mjs), each with its own copy of the built package.

/** spec: { sizes, hidden, output, params: { W1, b1, ... } as number[][], input: number[][] } */
export async function forward(mlp, spec) {
  await mlp.init();
  const activations = { relu: mlp.ReLU, tanh: mlp.Tanh, sigmoid: mlp.Sigmoid, linear: mlp.Linear, softmax: mlp.Softmax };
  const net = new mlp.FeedForwardNeuralNets({
    inputs: spec.sizes[0],
    outputs: spec.sizes[spec.sizes.length - 1],
    hiddenLayers: spec.sizes.slice(1, -1),
    g: new activations[spec.hidden](),
    O: new activations[spec.output](),
    L: spec.output === 'softmax' ? new mlp.CrossEntropyLoss() : new mlp.SquaredErrorLoss(),
    seed: 7,
  });
  try {
    net.setParameters(spec.params);
    const out = net.forwardPropagation(spec.input);
    return { rows: out.rows, cols: out.cols, data: Array.from(out.data), predicted: Array.from(net.predict(spec.input)) };
  } finally {
    net.dispose();
  }
}
