// HTTP side of the dataset loaders: fetches the files from a base URL. Used in browsers, and in
// Node when a baseUrl is given (Node 18+ has a global fetch).

import { ValueError } from '../api/errors.js';
import { DatasetUnavailableError, type DatasetFileReader, type DatasetSpec } from './mnist.js';

export function fetchFileReader(spec: Pick<DatasetSpec, 'name' | 'functionName'>, baseUrl: string, fetchImpl?: typeof fetch): DatasetFileReader {
  const datasetName = spec.name;
  if (fetchImpl === undefined && typeof globalThis.fetch !== 'function') {
    throw new ValueError(`${spec.functionName}: no global fetch in this runtime; pass options.fetch`);
  }
  // Bound: some browsers reject window.fetch called with another `this` ("Illegal invocation").
  const doFetch = fetchImpl ?? globalThis.fetch.bind(globalThis);
  // Plain concatenation rather than new URL(): a relative baseUrl ('/data/mnist') is then
  // resolved by fetch against the page, as a user would expect.
  const folder = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return async (fileName) => {
    const url = folder + fileName;
    let response: Response;
    try {
      response = await doFetch(url);
    } catch (error) {
      throw new DatasetUnavailableError(`${datasetName} file could not be fetched from ${url}: ${(error as Error)?.message ?? String(error)}`);
    }
    if (!response.ok) {
      throw new DatasetUnavailableError(
        `${datasetName} file could not be fetched from ${url}: HTTP ${response.status} ${response.statusText}`.trimEnd() +
          `; check that baseUrl points at the folder holding ${fileName} and the other .gz files`,
      );
    }
    try {
      return { bytes: new Uint8Array(await response.arrayBuffer()), source: url };
    } catch (error) {
      throw new DatasetUnavailableError(`${datasetName} file download from ${url} failed midway: ${(error as Error)?.message ?? String(error)}`);
    }
  };
}
