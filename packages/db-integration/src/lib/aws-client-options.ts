/**
 * Internal: the transport settings every AWS client of this package uses — standard retry
 * mode with 3 attempts, and short connect/request timeouts so a dead engine turns into
 * STORE_UNAVAILABLE (HTTP 503) within seconds instead of hanging requests.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Connection settings shared by the DynamoDB, S3 and SNS clients. */
export interface AwsConnectionConfig {
  readonly region: string;
  readonly endpoint?: string | undefined;
  readonly credentials?:
    | {
        readonly accessKeyId: string;
        readonly secretAccessKey: string;
        readonly sessionToken?: string | undefined;
      }
    | undefined;
  readonly connectTimeoutMs?: number | undefined;
  readonly requestTimeoutMs?: number | undefined;
  readonly maxAttempts?: number | undefined;
}

export function awsClientOptions(config: AwsConnectionConfig) {
  return {
    region: config.region,
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
    maxAttempts: config.maxAttempts ?? 3,
    retryMode: 'standard',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: config.connectTimeoutMs ?? 1_000,
      requestTimeout: config.requestTimeoutMs ?? 2_000,
      throwOnRequestTimeout: true,
    }),
  };
}
