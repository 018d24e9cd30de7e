// Yields to the event loop as briefly as the platform allows. setTimeout(0) is clamped to 4 ms
// after a few nested calls in browsers and workers (and to 1 ms in Node), which a training
// loop that yields every few batches pays each time; setImmediate (Node) and a MessageChannel
// message (browsers, workers) are not clamped, and still let input events and messages in.

let channel: MessageChannel | null = null;
const waiting: (() => void)[] = [];

export function nextTick(): Promise<void> {
  return new Promise<void>((resolve) => {
    if (typeof setImmediate === 'function') {
      setImmediate(resolve);
    } else if (typeof MessageChannel === 'function') {
      if (!channel) {
        channel = new MessageChannel();
        channel.port1.onmessage = () => waiting.shift()?.();
      }
      waiting.push(resolve);
      channel.port2.postMessage(0);
    } else {
      setTimeout(resolve, 0);
    }
  });
}
