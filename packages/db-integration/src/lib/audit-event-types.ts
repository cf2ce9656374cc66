/**
 * Internal: the audit event types an adapter accepts (ports `AuditEventType`, records.ts). Kept
 * as an object keyed by the type so the compiler refuses this file when ports adds or drops a
 * type, instead of every adapter silently refusing the new one.
 */
import type { AuditEventType } from '@city/ports';

const KNOWN = {
  registration: true,
  login_success: true,
  login_failure: true,
  lockout: true,
  token_refresh: true,
  token_reuse: true,
  token_revoked: true,
  logout: true,
  pairing_token_issued: true,
  device_added: true,
  device_revoked: true,
  device_renewed: true,
  role_change: true,
  user_disabled: true,
  user_enabled: true,
  devices_reset: true,
  recovery_codes_generated: true,
  security_alert: true,
  permission_denied: true,
  admin_action: true,
} as const satisfies Record<AuditEventType, true>;

/** Every `AuditEventType`, for the adapters' input guards. */
export const AUDIT_EVENT_TYPES = Object.keys(KNOWN) as readonly AuditEventType[];
