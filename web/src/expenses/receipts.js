// Receipts: type/size checks, the local preview, the presigned-POST upload with progress, viewing.
import { api } from '../api.js';
import { $, formatDate, h, showFieldErrors, toast } from '../ui.js';
import { form } from './state.js';

const MAX_RECEIPT_BYTES = 10 * 1024 * 1024;
const RECEIPT_TYPES = {
  'image/jpeg': ['jpg', 'jpeg'],
  'image/png': ['png'],
  'image/webp': ['webp'],
  'image/heic': ['heic'],
  'application/pdf': ['pdf'],
};

export function receiptType(file) {
  if (RECEIPT_TYPES[file.type]) return file.type;
  const ext = file.name.split('.').pop().toLowerCase();
  return Object.keys(RECEIPT_TYPES).find((type) => RECEIPT_TYPES[type].includes(ext)) || null;
}

export function checkReceipt(file) {
  if (!receiptType(file)) return 'Receipts can be JPEG, PNG, WebP, HEIC or PDF files.';
  if (file.size > MAX_RECEIPT_BYTES) return 'The receipt is larger than 10 MB.';
  if (file.size === 0) return 'The receipt file is empty.';
  return null;
}

let previewUrl = null;

export function showReceiptPreview() {
  const box = $('#receipt-preview');
  const file = form.elements.receipt.files[0];
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = null;
  const slot = $('#ex-receipt-error');
  slot.hidden = true;
  form.elements.receipt.removeAttribute('aria-invalid');
  if (!file) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const problem = checkReceipt(file);
  if (problem) {
    showFieldErrors(form, [{ field: 'receipt', message: problem }]);
    box.hidden = true;
    return;
  }
  const type = receiptType(file);
  const size = `${Math.max(1, Math.round(file.size / 1024))} KB`;
  // Browsers cannot draw HEIC; PDFs get a name instead of a thumbnail.
  if (type.startsWith('image/') && type !== 'image/heic') {
    previewUrl = URL.createObjectURL(file);
    box.replaceChildren(h('img', { src: previewUrl, alt: `Preview of ${file.name}` }), h('span', {}, `${file.name} · ${size}`));
  } else {
    box.replaceChildren(h('span', { class: 'file-badge' }, type === 'application/pdf' ? 'PDF' : 'HEIC'), h('span', {}, `${file.name} · ${size}`));
  }
  box.hidden = false;
}

export async function uploadReceipt(expenseId, file) {
  const contentType = receiptType(file);
  const presigned = await api(`/expenses/${encodeURIComponent(expenseId)}/receipt`, {
    method: 'POST',
    body: { contentType, fileName: file.name.slice(0, 200) },
  });
  const box = $('#upload-progress');
  const bar = $('#upload-bar');
  bar.value = 0;
  box.hidden = false;
  try {
    await new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', presigned.url);
      xhr.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) bar.value = Math.round((event.loaded / event.total) * 100);
      });
      xhr.addEventListener('load', () => {
        if (xhr.status >= 200 && xhr.status < 300) resolve();
        else reject(new Error(`the storage service answered HTTP ${xhr.status}`));
      });
      xhr.addEventListener('error', () => reject(new Error('the upload could not reach the storage service')));
      const data = new FormData();
      for (const [key, value] of Object.entries(presigned.fields || {})) data.append(key, value);
      data.append('file', file); // S3 requires the file to be the last field
      xhr.send(data);
    });
    bar.value = 100;
  } finally {
    box.hidden = true;
  }
}

export async function viewReceipt(expense) {
  try {
    const link = await api(`/expenses/${encodeURIComponent(expense.id)}/receipt`);
    const url = link.url;
    const type = link.contentType || expense.receiptContentType || '';
    const titleId = 'receipt-dialog-title';
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId },
      h('form', { method: 'dialog' },
        h('h2', { id: titleId }, `Receipt: ${expense.vendor || expense.category || formatDate(expense.date)}`),
        type.startsWith('image/') && type !== 'image/heic'
          ? h('img', { src: url, alt: `Receipt for ${expense.vendor || 'this expense'}`, class: 'receipt-full' })
          : null,
        h('p', {}, h('a', { href: url, target: '_blank', rel: 'noopener', id: 'receipt-link' }, 'Open the receipt in a new tab')),
        h('p', { class: 'hint' }, 'The link works for a few minutes.'),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary', autofocus: true }, 'Close')),
      ),
    );
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
  } catch (error) {
    toast(error.status === 404 ? 'This expense has no receipt yet.' : error.message, { kind: 'error' });
  }
}

export function hasReceipt(expense) {
  return Boolean(expense.receiptContentType);
}
