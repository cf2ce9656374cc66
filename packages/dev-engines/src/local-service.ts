/**
 * The shape every local service starter returns (dynalite, DynamoDB Local, s3rver, moto,
 * MongoDB): an endpoint on 127.0.0.1 and an idempotent `stop()`.
 */

/** A running local engine. */
export interface LocalService {
  /** Base URL of the engine, e.g. `http://127.0.0.1:43123` (or `mongodb://...` for MongoDB). */
  readonly endpoint: string;
  /** Stops the engine and releases its port; calling it again does nothing. */
  stop(): Promise<void>;
}
