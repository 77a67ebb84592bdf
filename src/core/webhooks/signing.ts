/**
 * How a delivery is signed, as MLflow documents it for its receivers: HMAC-SHA256 keyed with the
 * webhook's secret (its UTF-8 bytes) over `<delivery id>.<unix seconds>.<body>`, sent base64 with
 * the scheme version in front (`v1,<base64>`). The id and time travel in headers of their own,
 * so a receiver can recompute the signature and refuse an old or replayed delivery.
 */
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-MLflow-Signature';
export const TIMESTAMP_HEADER = 'X-MLflow-Timestamp';
export const DELIVERY_ID_HEADER = 'X-MLflow-Delivery-Id';
export const SIGNATURE_VERSION = 'v1';

export function signDelivery(secret: string, deliveryId: string, timestamp: string, body: string): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${deliveryId}.${timestamp}.${body}`, 'utf8').digest('base64');
  return `${SIGNATURE_VERSION},${mac}`;
}

/** The headers of one delivery; without a secret it goes unsigned, as MLflow sends it. */
export function deliveryHeaders(deliveryId: string, timestamp: string, body: string, secret: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    [DELIVERY_ID_HEADER]: deliveryId,
    [TIMESTAMP_HEADER]: timestamp,
  };
  if (secret) headers[SIGNATURE_HEADER] = signDelivery(secret, deliveryId, timestamp, body);
  return headers;
}
