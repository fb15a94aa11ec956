// The authenticator-app QR code, drawn in the page by the `qrcode` npm package (loaded only when a
// QR code is needed): the shared secret never goes to a third-party image service.
import { totpUri } from './auth.js';

export async function drawTotpQr(canvas, secret, email) {
  const { default: QRCode } = await import('qrcode');
  await QRCode.toCanvas(canvas, totpUri(secret, email), { width: 184, margin: 1, errorCorrectionLevel: 'M' });
}
