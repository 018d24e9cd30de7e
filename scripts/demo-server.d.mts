// Types for scripts/demo-server.mjs (imported by the browser tests).
import type { Server } from 'node:http';

export const ROOT: string;
export const FASHION_MNIST_DIR: string;
export const ISOLATION_HEADERS: Record<string, string>;
export type Mounts = Record<string, string>;
export function defaultMounts(root?: string): Mounts;
export function createDemoServer(options?: { mounts?: Mounts; onRequest?: (method: string | undefined, url: string | undefined, status: number) => void; unisolated?: string[] }): Server;
export function ensureBuilt(options?: { root?: string; ifStale?: boolean; force?: boolean; log?: (message: string) => void }): void;
export function startDemoServer(options?: {
  port?: number;
  host?: string;
  mounts?: Mounts;
  onRequest?: (method: string | undefined, url: string | undefined, status: number) => void;
  unisolated?: string[];
  retries?: number;
}): Promise<{ server: Server; url: string; close: () => Promise<void> }>;
