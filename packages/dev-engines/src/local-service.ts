/**
 * The shape every local service starter returns (dynalite, DynamoDB Local, s3rver, moto,
 * MongoDB): an endpoint on 127.0.0.1 and an idempotent `stop()`.
 */

/** A running local engine. */
export interface LocalService {
  /** Base URL of the engine, e.g. `http://127.0.0.1:43123` (or `mongodb://...` for MongoDB). */
  readonly endpoint: string;
  /**
   * The engine's process id when it runs as a child process (DynamoDB Local, moto), so a test can
   * freeze it (`SIGSTOP`) and thaw it (`SIGCONT`); absent for engines running in this process.
   */
  readonly pid?: number | undefined;
  /** Stops the engine and releases its port; calling it again does nothing. */
  stop(): Promise<void>;
}
